// Non-insurance payer refund rules: the payer must exist (and be enabled) and is embedded whole in each refund.

import { type NonInsurancePayerRefundFilter, nonInsurancePayerRefundSortFields } from "../store/types.js";
import type {
  NonInsurancePayerRefund,
  NonInsurancePayerRefundCreate,
  NonInsurancePayerRefundSortField,
  NonInsurancePayerRefundsPage,
  NonInsurancePayerRefundUpdate,
} from "../types.js";
import { recordAllocations } from "./allocations.js";
import { NotFoundError, PayerDisabledError } from "./errors.js";
import { type ListParams, type PageShape, readPage } from "./paging.js";
import type { ServiceDeps } from "./patient-refunds.js";
import { applyFieldUpdate, compact } from "./updates.js";

const pageShape: PageShape<NonInsurancePayerRefund, NonInsurancePayerRefundFilter, NonInsurancePayerRefundSortField> = {
  resource: "non-insurance-payer-refunds",
  sorts: nonInsurancePayerRefundSortFields,
  filters: { non_insurance_payer_id: "string", check_number: "strings", invoice_id: "string" },
  id: (r) => r.non_insurance_payer_refund_id,
};

/** A non-insurance payer refund with its fields in the service's wire order, absent ones left out. */
function nonInsurancePayerRefund(r: NonInsurancePayerRefund): NonInsurancePayerRefund {
  return compact({
    non_insurance_payer_refund_id: r.non_insurance_payer_refund_id,
    non_insurance_payer: r.non_insurance_payer,
    amount_cents: r.amount_cents,
    allocations: r.allocations,
    refund_timestamp: r.refund_timestamp,
    refund_note: r.refund_note,
    check_number: r.check_number,
    refund_reason: r.refund_reason,
    invoice_id: r.invoice_id,
  });
}

/** Money returned to payers that are not insurers. */
export class NonInsurancePayerRefundService {
  constructor(private readonly deps: ServiceDeps) {}

  async create(input: NonInsurancePayerRefundCreate): Promise<NonInsurancePayerRefund> {
    const { store, directory, runtime } = this.deps;
    const payer = directory.payer(input.non_insurance_payer_id);
    if (!payer) throw new NotFoundError("payer", input.non_insurance_payer_id);
    if (!payer.enabled) {
      throw new PayerDisabledError(payer.non_insurance_payer_id);
    }
    const refund = nonInsurancePayerRefund({
      non_insurance_payer_refund_id: runtime.newId(),
      non_insurance_payer: payer,
      amount_cents: input.amount_cents,
      allocations: recordAllocations(input.allocations, directory, runtime),
      refund_timestamp: input.refund_timestamp,
      refund_note: input.refund_note,
      check_number: input.check_number,
      refund_reason: input.refund_reason,
      invoice_id: input.invoice_id,
    });
    await store.nonInsurancePayerRefunds.insert(refund);
    return refund;
  }

  /** Stores a refund given whole in the wire format (seed data); its embedded payer becomes known too. */
  async restore(refund: NonInsurancePayerRefund): Promise<void> {
    if (!this.deps.directory.payer(refund.non_insurance_payer.non_insurance_payer_id)) {
      this.deps.directory.addPayer(refund.non_insurance_payer);
    }
    await this.deps.store.nonInsurancePayerRefunds.insert(nonInsurancePayerRefund(refund));
  }

  /** Stores refunds given whole (seed data) in one bulk insert; their embedded payers become known too. */
  async restoreMany(refunds: readonly NonInsurancePayerRefund[]): Promise<void> {
    for (const refund of refunds) {
      if (!this.deps.directory.payer(refund.non_insurance_payer.non_insurance_payer_id)) {
        this.deps.directory.addPayer(refund.non_insurance_payer);
      }
    }
    await this.deps.store.nonInsurancePayerRefunds.insertMany(refunds.map(nonInsurancePayerRefund));
  }

  async get(id: string): Promise<NonInsurancePayerRefund> {
    const refund = await this.deps.store.nonInsurancePayerRefunds.get(id);
    if (!refund) throw new NotFoundError("non-insurance payer refund", id);
    return refund;
  }

  async list(
    params: ListParams<NonInsurancePayerRefundFilter, NonInsurancePayerRefundSortField>,
  ): Promise<NonInsurancePayerRefundsPage> {
    return readPage(this.deps.store.nonInsurancePayerRefunds, pageShape, params);
  }

  /** Changes the fields the update names; the others keep their values. */
  async update(id: string, update: NonInsurancePayerRefundUpdate): Promise<NonInsurancePayerRefund> {
    const refund = await this.deps.store.nonInsurancePayerRefunds.update(id, (current) =>
      nonInsurancePayerRefund({
        ...current,
        refund_timestamp: update.refund_timestamp ?? current.refund_timestamp,
        refund_note: applyFieldUpdate(current.refund_note, update.refund_note),
        refund_reason: applyFieldUpdate(current.refund_reason, update.refund_reason),
        invoice_id: applyFieldUpdate(current.invoice_id, update.invoice_id),
      }),
    );
    if (!refund) throw new NotFoundError("non-insurance payer refund", id);
    return refund;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.deps.store.nonInsurancePayerRefunds.delete(id)))
      throw new NotFoundError("non-insurance payer refund", id);
  }
}
