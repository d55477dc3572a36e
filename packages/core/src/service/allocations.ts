// Allocations as the service records them, and the overdraft rule.

import type { BalanceCharge } from "../store/types.js";
import type { Allocation, AllocationCreate, AllocationOverdraftDetail } from "../types.js";
import { balanceKey, type Directory, describeTarget } from "./directory.js";
import { OverdraftError } from "./errors.js";
import { compact } from "./updates.js";

/** Clock and id source of the service, injectable for tests. */
export interface Runtime {
  /** Milliseconds since the epoch. */
  now(): number;
  newId(): string;
}

/**
 * Turns the caller's allocations into recorded ones: each gets its own id and time, its target resolved, and its
 * earmark (if any) becomes a balance earmark of the whole allocated amount.
 */
export function recordAllocations(
  creates: readonly AllocationCreate[],
  directory: Directory,
  runtime: Runtime,
): Allocation[] {
  const allocatedOn = new Date(runtime.now()).toISOString();
  return creates.map((create) => {
    const allocationId = runtime.newId();
    return compact({
      amount_cents: create.amount_cents,
      target: directory.resolve(create.target),
      allocation_id: allocationId,
      earmark: create.earmark && {
        id: runtime.newId(),
        target: { ...create.earmark },
        amount_earmarked_cents: create.amount_cents,
        created_by_allocation_id: allocationId,
      },
      allocated_on: allocatedOn,
    });
  });
}

/** What a patient refund's allocations take from the patient's balances. */
export function chargesOf(allocations: readonly Allocation[], patientExternalId: string): BalanceCharge[] {
  return allocations.map((a) => ({ key: balanceKey(a.target, patientExternalId), cents: a.amount_cents }));
}

/**
 * The overdraft rule, run by the store atomically before the insert: a balance is what the patient paid toward
 * the target minus what live refunds already took from it; an allocation may not take it below zero.
 */
export function overdraftGuard(
  allocations: readonly Allocation[],
  patientExternalId: string,
  directory: Directory,
): (charged: ReadonlyMap<string, number>) => void {
  return (charged) => {
    const pending = new Map<string, number>();
    const details: AllocationOverdraftDetail[] = [];
    for (const { target, amount_cents } of allocations) {
      const key = balanceKey(target, patientExternalId);
      const paid = directory.paidCents(key);
      const current = paid - (charged.get(key) ?? 0) - (pending.get(key) ?? 0);
      pending.set(key, (pending.get(key) ?? 0) + amount_cents);
      if (amount_cents === 0 || current - amount_cents >= 0) continue;
      const overage = amount_cents - current;
      details.push({
        allocation_target: target,
        patient_paid_amount_cents: paid,
        current_balance_cents: current,
        overage_amount_cents: overage,
        error_message: `Allocating ${amount_cents} cents to ${describeTarget(target, patientExternalId)} would overdraw its balance by ${overage} cents.`,
      });
    }
    if (details.length > 0) throw new OverdraftError(details);
  };
}
