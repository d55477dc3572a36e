import type { SeedData } from "@refunds-api/server";

/** Ids the scenarios use; the server runs know them from {@link contractSeed}, the mock accepts any. */
export const ids = {
  payer: "c0de0001-0000-4000-8000-000000000001",
  otherPayer: "c0de0001-0000-4000-8000-000000000002",
  disabledPayer: "c0de0001-0000-4000-8000-000000000003",
  claim: "c0de0002-0000-4000-8000-000000000001",
  encounter: "c0de0002-0000-4000-8000-000000000002",
  serviceLine: "c0de0002-0000-4000-8000-000000000003",
  billingProvider: "c0de0003-0000-4000-8000-000000000001",
  invoice: "c0de0004-0000-4000-8000-000000000001",
  otherInvoice: "c0de0004-0000-4000-8000-000000000002",
  /** Known to nobody. */
  missing: "c0de0009-0000-4000-8000-000000000009",
  patient: "PAT-CONTRACT-1",
  otherPatient: "PAT-CONTRACT-2",
} as const;

/** What the service line, claim and patient have paid, so the overdraft scenarios know the balances. */
export const paid = { serviceLine: 5000, claim: 20000, unattributed: 3000 } as const;

const payer = (id: string, name: string, enabled = true) => ({
  non_insurance_payer_id: id,
  name,
  enabled,
  clinical_trials: [],
});

/**
 * The server runs' data: three payers (one disabled), one claim with one service line, paid balances, no refunds,
 * and allocation targets the seed does not know refused (so a create can answer 404).
 */
export const contractSeed: SeedData = {
  unknown_targets: "reject",
  non_insurance_payers: [
    payer(ids.payer, "Contract Research Fund"),
    payer(ids.otherPayer, "Contract Employer Trust"),
    payer(ids.disabledPayer, "Contract Closed Charity", false),
  ],
  claims: [
    {
      claim_id: ids.claim,
      encounter_id: ids.encounter,
      encounter_external_id: "ENC-CONTRACT-1",
      service_line_ids: [ids.serviceLine],
    },
  ],
  balances: [
    {
      target: {
        type: "service_line",
        service_line_id: ids.serviceLine,
        claim_id: ids.claim,
        encounter_id: ids.encounter,
      },
      patient_paid_amount_cents: paid.serviceLine,
    },
    {
      target: { type: "claim", claim_id: ids.claim, encounter_id: ids.encounter },
      patient_paid_amount_cents: paid.claim,
    },
    {
      target: { type: "unattributed" },
      patient_external_id: ids.patient,
      patient_paid_amount_cents: paid.unattributed,
    },
  ],
};
