// Deterministic sets of varied refunds in the wire format, and a plain model of how lists filter and order them.
import type { NonInsurancePayerRefund, PatientRefund } from "@refunds-api/core";

/** A small seeded PRNG, so every run sees the same data. */
export function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join("");
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
  return { next, pick, uuid };
}

const sources = ["MANUAL_ENTRY", "STRIPE", "SQUARE", "CHARGEBEE", "LOCKBOX"] as const;
const reasons = ["OVERCHARGED", "ENTERED_IN_ERROR", "TRANSFER", undefined] as const;
const notes = ["alpha", "Beta", "beta", "zeta", "émile", "😀 smile", "", undefined] as const;
// Timestamps with and without milliseconds, with offsets, repeated instants written differently, and missing ones.
const timestamps = [
  "2024-01-15T09:30:00Z",
  "2024-01-15T10:30:00+01:00",
  "2024-01-15T09:30:00.500Z",
  "2023-12-31T23:59:59.999Z",
  "2024-02-29T12:00:00-05:00",
  "2024-03-01T00:00:00.000Z",
  undefined,
] as const;

/** Ids every generated set draws its targets from, so filters match several refunds. */
export const pools = {
  patients: ["PAT-1", "PAT-2", "PAT-3", "PAT-4"],
  claims: ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"],
  serviceLines: ["33333333-3333-4333-8333-333333333333", "44444444-4444-4444-8444-444444444444"],
  providers: ["55555555-5555-4555-8555-555555555555", "66666666-6666-4666-8666-666666666666"],
  invoices: ["77777777-7777-4777-8777-777777777777", "88888888-8888-4888-8888-888888888888"],
  payers: ["d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7fa0", "d5e9c84f-c2b2-4bf4-b4b0-7ffd7a9ffc32"],
  checks: ["1001", "1002", "1003"],
};

const encounter = "99999999-9999-4999-8999-999999999999";

function allocationTarget(r: ReturnType<typeof random>): PatientRefund["allocations"][number]["target"] {
  switch (r.pick(["service_line", "claim", "billing_provider_id", "unattributed"] as const)) {
    case "service_line":
      return {
        type: "service_line",
        claim_id: r.pick(pools.claims),
        encounter_id: encounter,
        service_line_id: r.pick(pools.serviceLines),
      };
    case "claim":
      return { type: "claim", claim_id: r.pick(pools.claims), encounter_id: encounter };
    case "billing_provider_id":
      return { type: "billing_provider_id", billing_provider_id: r.pick(pools.providers) };
    default:
      return { type: "unattributed" };
  }
}

function allocations(r: ReturnType<typeof random>) {
  return Array.from({ length: Math.floor(r.next() * 3) }, () => ({
    amount_cents: Math.floor(r.next() * 1000),
    target: allocationTarget(r),
    allocation_id: r.uuid(),
    allocated_on: "2024-01-01T00:00:00Z",
  }));
}

const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** `count` varied patient refunds. */
export function patientRefunds(count: number, seed = 1): PatientRefund[] {
  const r = random(seed);
  return Array.from({ length: count }, () =>
    defined({
      patient_refund_id: r.uuid(),
      organization_id: "0b4f7d2e-8c1a-4f55-9a3e-2d6c1b7e9f10",
      refund_source: r.pick(sources),
      amount_cents: Math.floor(r.next() * 20) * 50,
      patient_external_id: r.pick(pools.patients),
      allocations: allocations(r),
      refund_timestamp: r.pick(timestamps),
      refund_note: r.pick(notes),
      invoice: r.pick([...pools.invoices, undefined]),
      refund_reason: r.pick(reasons),
    }),
  );
}

/** `count` varied non-insurance payer refunds, embedding the given payers. */
export function nonInsurancePayerRefunds(
  count: number,
  payers: NonInsurancePayerRefund["non_insurance_payer"][],
  seed = 2,
): NonInsurancePayerRefund[] {
  const r = random(seed);
  return Array.from({ length: count }, () =>
    defined({
      non_insurance_payer_refund_id: r.uuid(),
      non_insurance_payer: r.pick(payers),
      amount_cents: Math.floor(r.next() * 20) * 50,
      allocations: allocations(r),
      refund_timestamp: r.pick(timestamps),
      check_number: r.pick([...pools.checks, undefined]),
      invoice_id: r.pick([...pools.invoices, undefined]),
    }),
  );
}

// The model: written independently of the store, as plainly as possible.

const instant = (v: unknown) => (typeof v === "string" ? new Date(v).getTime() : v);
const codePoints = (s: string) => Array.from(s, (c) => c.codePointAt(0) as number);

function compareValues(a: unknown, b: unknown): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  const [x, y] = [codePoints(String(a)), codePoints(String(b))];
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

/** Rows sorted as the API promises: by the field (missing last when ascending), then id, all in `direction`. */
export function modelSort<T extends object>(
  rows: T[],
  field: string,
  direction: "asc" | "desc",
  id: (row: T) => string,
): T[] {
  const value = (row: T) => {
    const v = (row as Record<string, unknown>)[field];
    return field === "refund_timestamp" ? instant(v) : v;
  };
  const sign = direction === "asc" ? 1 : -1;
  return [...rows].sort((a, b) => sign * (compareValues(value(a), value(b)) || compareValues(id(a), id(b))));
}
