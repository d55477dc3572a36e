// Seed data: what a seed holds, the default seed, a seed's ids in canonical form, and its refunds stored through
// the stores' bulk path. Browser-safe; the server adds reading and checking seed files (server/src/seed.ts).
import { canonicalIds, canonicalUuid } from "./ids.js";
import { Directory, type DirectoryData } from "./service/directory.js";
import { createServices, defaultOrganizationId } from "./service/index.js";
import type { OpenApiDocument, SchemaObject } from "./spec.js";
import type { Store } from "./store/types.js";
import type { NonInsurancePayer, NonInsurancePayerRefund, PatientRefund } from "./types.js";

/** Everything a seed file may hold; every key is optional. */
export interface SeedData extends DirectoryData {
  patient_refunds?: PatientRefund[];
  non_insurance_payer_refunds?: NonInsurancePayerRefund[];
}

const northwind: NonInsurancePayer = {
  non_insurance_payer_id: "d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7fa0",
  name: "Northwind Research Foundation",
  enabled: true,
  clinical_trials: [
    {
      clinical_trial_id: "e5f6a7b8-c9d0-4e1f-8a2b-4c5d6e7f8ab0",
      name: "HEART-2 outcomes study",
      clinical_trial_number: "NCT01234567",
      clinical_trial_phase: "Phase 2",
      non_insurance_payer_id: "d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7fa0",
      is_active: true,
    },
  ],
  description: "Sponsor of the NRF cardiology studies.",
  payer_id: "NRF01",
  category: "Research sponsor",
  address: {
    address1: "100 Harbor Way",
    address2: "Suite 400",
    city: "Boston",
    state: "MA",
    zip_code: "02110",
    zip_plus_four_code: "1234",
  },
};

/** The data `pnpm start` serves when no `SEED_FILE` is given. */
export const defaultSeed: SeedData = {
  non_insurance_payers: [
    northwind,
    {
      non_insurance_payer_id: "d5e9c84f-c2b2-4bf4-b4b0-7ffd7a9ffc32",
      name: "Harbor Employers Health Trust",
      enabled: true,
      clinical_trials: [],
      category: "Employer",
    },
    {
      non_insurance_payer_id: "2b7c9e14-5f3a-4d6b-8c1e-9a0f7d3b5e21",
      name: "Lakeside Community Charity",
      enabled: false,
      clinical_trials: [],
      description: "No longer funds patient care; kept for its past refunds.",
      category: "Charity",
    },
  ],
  claims: [
    {
      claim_id: "7a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a40",
      encounter_id: "8b2f3c4d-5e6f-4a71-9b8c-0d1e2f3a4b50",
      encounter_external_id: "ENC-00042",
      service_line_ids: ["9c3a4d5e-6f70-4b82-8c9d-1e2f3a4b5c60"],
    },
  ],
  balances: [
    {
      target: {
        type: "service_line",
        claim_id: "7a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a40",
        encounter_id: "8b2f3c4d-5e6f-4a71-9b8c-0d1e2f3a4b50",
        service_line_id: "9c3a4d5e-6f70-4b82-8c9d-1e2f3a4b5c60",
      },
      patient_paid_amount_cents: 5000,
    },
    {
      target: {
        type: "claim",
        claim_id: "7a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a40",
        encounter_id: "8b2f3c4d-5e6f-4a71-9b8c-0d1e2f3a4b50",
      },
      patient_paid_amount_cents: 20000,
    },
    {
      target: { type: "billing_provider_id", billing_provider_id: "1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f50" },
      patient_paid_amount_cents: 50000,
    },
    { target: { type: "unattributed" }, patient_external_id: "PAT-00042", patient_paid_amount_cents: 3000 },
  ],
  patient_refunds: [
    {
      patient_refund_id: "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10",
      organization_id: defaultOrganizationId,
      refund_source: "STRIPE",
      amount_cents: 1200,
      patient_external_id: "PAT-00042",
      allocations: [
        {
          amount_cents: 1200,
          target: { type: "unattributed" },
          allocation_id: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c70",
          allocated_on: "2024-02-01T14:05:00.000Z",
        },
      ],
      source_internal_id: "re_3Nq9Zb2eZvKYlo2C0x1y2z3a",
      refund_timestamp: "2024-02-01T14:05:00.000Z",
      refund_reason: "ENTERED_IN_ERROR",
    },
    {
      patient_refund_id: "3e8d1c2b-7a6f-4e5d-9c4b-1a2f3e4d5c60",
      organization_id: defaultOrganizationId,
      refund_source: "MANUAL_ENTRY",
      amount_cents: 800,
      patient_external_id: "PAT-00042",
      allocations: [
        {
          amount_cents: 800,
          target: {
            type: "claim",
            claim_id: "7a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a40",
            encounter_id: "8b2f3c4d-5e6f-4a71-9b8c-0d1e2f3a4b50",
          },
          allocation_id: "4f5e6d7c-8b9a-4c0d-9e1f-2a3b4c5d6e70",
          earmark: {
            id: "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c80",
            target: { type: "date_of_service", value: "2024-01-10" },
            amount_earmarked_cents: 800,
            created_by_allocation_id: "4f5e6d7c-8b9a-4c0d-9e1f-2a3b4c5d6e70",
          },
          allocated_on: "2024-01-20T10:00:00.000Z",
        },
      ],
      refund_timestamp: "2024-01-20T10:00:00Z",
      refund_note: "Duplicate copay at check-in.",
      invoice: "c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e90",
      refund_reason: "OVERCHARGED",
    },
    {
      // The id the live service's documentation uses in its examples, so they work here as printed.
      patient_refund_id: "d5e9c84f-c2b2-4bf4-b4b0-7ffd7a9ffc32",
      organization_id: defaultOrganizationId,
      refund_source: "MANUAL_ENTRY",
      amount_cents: 1500,
      patient_external_id: "PAT-00077",
      allocations: [
        {
          amount_cents: 1500,
          target: { type: "billing_provider_id", billing_provider_id: "1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f50" },
          allocation_id: "7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e01",
          allocated_on: "2024-01-15T09:30:00Z",
        },
      ],
      refund_timestamp: "2024-01-15T09:30:00Z",
      refund_note: "Overpayment returned at the front desk.",
      refund_reason: "OVERCHARGED",
    },
  ],
  non_insurance_payer_refunds: [
    {
      non_insurance_payer_refund_id: "f6a7b8c9-d0e1-4f2a-9b3c-5d6e7f8a9bc0",
      non_insurance_payer: northwind,
      amount_cents: 15000,
      allocations: [
        {
          amount_cents: 15000,
          target: {
            type: "claim",
            claim_id: "7a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a40",
            encounter_id: "8b2f3c4d-5e6f-4a71-9b8c-0d1e2f3a4b50",
          },
          allocation_id: "6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d90",
          allocated_on: "2024-03-04T16:00:00Z",
        },
      ],
      refund_timestamp: "2024-03-04T16:00:00Z",
      refund_note: "Sponsor overpaid the March invoice.",
      check_number: "100234",
      refund_reason: "OVERCHARGED",
      invoice_id: "c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e90",
    },
  ],
};

/**
 * The directory of a seed (its ids canonical already): its payers, claims and balances, and the payers embedded in
 * its refunds, which are known even when a durable store holds those refunds already.
 */
export function seedDirectory(seed: SeedData): Directory {
  const directory = new Directory(seed);
  for (const { non_insurance_payer: payer } of seed.non_insurance_payer_refunds ?? []) {
    if (!directory.payer(payer.non_insurance_payer_id)) directory.addPayer(payer);
  }
  return directory;
}

/** A seed with every id canonical: its refunds and payers by the spec's schemas, its claims and balances too. */
export function canonicalSeed(spec: OpenApiDocument, seed: SeedData): SeedData {
  const schema = (name: string): SchemaObject => ({ $ref: `#/components/schemas/${name}` });
  const each = <T>(list: T[] | undefined, name: string) =>
    list?.map((item) => canonicalIds(spec, schema(name), item) as T);
  const out: SeedData = { ...seed };
  if (seed.patient_refunds) out.patient_refunds = each(seed.patient_refunds, "PatientRefund");
  if (seed.non_insurance_payer_refunds) {
    out.non_insurance_payer_refunds = each(seed.non_insurance_payer_refunds, "NonInsurancePayerRefund");
  }
  if (seed.non_insurance_payers) out.non_insurance_payers = each(seed.non_insurance_payers, "NonInsurancePayer");
  if (seed.claims) {
    out.claims = seed.claims.map((claim) => ({
      ...claim,
      claim_id: canonicalUuid(claim.claim_id),
      encounter_id: canonicalUuid(claim.encounter_id),
      ...(claim.service_line_ids ? { service_line_ids: claim.service_line_ids.map(canonicalUuid) } : {}),
    }));
  }
  if (seed.balances) {
    out.balances = seed.balances.map((balance) => ({
      ...balance,
      target: canonicalIds(spec, schema("AllocationTarget"), balance.target) as typeof balance.target,
    }));
  }
  return out;
}

/** How `loadSeed` reports and stops. */
export interface LoadOptions {
  /** Called after each batch with the refunds stored so far and the seed's total. */
  onProgress?: (stored: number, total: number) => void;
  /** Aborting stops the load between two batches (rejecting with the signal's reason); nothing of it is kept on
   * a SQL store, whose seed goes in one transaction. */
  signal?: AbortSignal;
  /** Refunds per bulk insert; 1,000 by default. */
  batchSize?: number;
  /** Waits for the next turn of the event loop before each batch; a zero timeout by default (`setImmediate` on Node). */
  nextTurn?: () => Promise<void>;
}

/**
 * Stores the seed's refunds through the stores' bulk insert, `batchSize` at a time, yielding to the event loop
 * between batches so that a signal (SIGTERM) is heard and `signal` can stop the load.
 */
export async function storeSeedRefunds(
  store: Store,
  directory: Directory,
  seed: SeedData,
  options: LoadOptions = {},
): Promise<void> {
  const { patientRefunds, nonInsurancePayerRefunds } = createServices({
    store,
    directory,
    runtime: { now: Date.now, newId: () => crypto.randomUUID() },
    organizationId: defaultOrganizationId,
  });
  const batchSize = options.batchSize ?? 1000;
  const patients = seed.patient_refunds ?? [];
  const payers = seed.non_insurance_payer_refunds ?? [];
  const total = patients.length + payers.length;
  let stored = 0;
  const batches = async <T>(rows: readonly T[], insert: (batch: readonly T[]) => Promise<void>) => {
    for (let at = 0; at < rows.length; at += batchSize) {
      await (options.nextTurn?.() ?? new Promise<void>((resolve) => setTimeout(resolve, 0)));
      options.signal?.throwIfAborted();
      const batch = rows.slice(at, at + batchSize);
      await insert(batch);
      stored += batch.length;
      options.onProgress?.(stored, total);
    }
  };
  await batches(patients, (batch) => patientRefunds.restoreMany(batch));
  await batches(payers, (batch) => nonInsurancePayerRefunds.restoreMany(batch));
}
