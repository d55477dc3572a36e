// The refunds and requests the benchmark sends and stores: deterministic, valid against the spec, in wire format.
import type { PatientRefund, PatientRefundCreate, PatientRefundUpdate } from "@refunds-api/client";
import { defaultOrganizationId } from "@refunds-api/server";

/** The bearer token every benchmarked server accepts. */
export const benchToken = "bench-token";

const sources = ["STRIPE", "SQUARE", "MANUAL_ENTRY", "CHARGEBEE", "CEDAR"] as const;
const reasons = ["OVERCHARGED", "ENTERED_IN_ERROR", "TRANSFER"] as const;
const start = Date.UTC(2021, 0, 1);

/** A UUID (version 4 layout) made from a tag and a counter, so row `i` always has the same ids. */
export function benchId(tag: number, i: number): string {
  const hex = i.toString(16).padStart(12, "0");
  return `${tag.toString(16).padStart(8, "0")}-0000-4000-8000-${hex}`;
}

/** A small integer hash, to spread timestamps and amounts without a random generator. */
function mix(i: number): number {
  let x = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Stored patient refund number `i`: one or two allocations, over four years of timestamps, several sources. */
export function patientRefundRow(i: number): PatientRefund {
  const h = mix(i);
  const amount = 100 + (h % 50_000);
  const at = new Date(start + (h % 126_000_000) * 1000).toISOString();
  const id = benchId(0xb0, i);
  const allocations: PatientRefund["allocations"] =
    i % 3 === 0
      ? [
          {
            amount_cents: amount,
            target: { type: "unattributed" },
            allocation_id: benchId(0xa0, i),
            allocated_on: at,
          },
        ]
      : [
          {
            amount_cents: amount - 50,
            target: { type: "claim", claim_id: benchId(0xc0, i % 5000), encounter_id: benchId(0xe0, i % 5000) },
            allocation_id: benchId(0xa0, i),
            allocated_on: at,
          },
          {
            amount_cents: 50,
            target: { type: "billing_provider_id", billing_provider_id: benchId(0xd0, i % 100) },
            allocation_id: benchId(0xa1, i),
            allocated_on: at,
          },
        ];
  const row: PatientRefund = {
    patient_refund_id: id,
    organization_id: defaultOrganizationId,
    refund_source: sources[i % sources.length] as PatientRefund["refund_source"],
    amount_cents: amount,
    patient_external_id: `PAT-${(i % 20_000).toString().padStart(5, "0")}`,
    allocations,
    refund_timestamp: at,
    refund_reason: reasons[h % reasons.length] as PatientRefund["refund_reason"],
  };
  if (i % 4 === 0) row.refund_note = `Refund ${i}: overpayment returned.`;
  if (i % 7 === 0) row.invoice = benchId(0xf0, i);
  return row;
}

/** The id of a stored row the get and update calls use (the first one, present at every size). */
export const knownRefundId = benchId(0xb0, 0);

/** The body of the create calls. */
export const createBody: PatientRefundCreate = {
  amount_cents: 2500,
  patient_external_id: "PAT-00042",
  allocations: [
    { amount_cents: 2000, target: { type: "claim_by_id", value: "7a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a40" } },
    { amount_cents: 500, target: { type: "unattributed" } },
  ],
  refund_timestamp: "2025-01-15T09:30:00Z",
  refund_note: "Copay refunded after the claim settled.",
  refund_reason: "OVERCHARGED",
};

/** The body of the update calls. */
export const updateBody: PatientRefundUpdate = {
  refund_note: { type: "set", value: "Checked by billing." },
  refund_reason: { type: "set", value: "TRANSFER" },
};
