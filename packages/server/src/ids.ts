// A seed's ids in their canonical form (see `canonicalIds` in @refunds-api/core): the seed loader compares exactly.
import { canonicalIds, canonicalUuid, type OpenApiDocument, type SchemaObject } from "@refunds-api/core";
import type { SeedData } from "./seed.js";
import { readSpec } from "./spec.js";

let seedSpec: OpenApiDocument | undefined;

/** A seed with every id canonical: its refunds and payers by the spec's schemas, its claims and balances too. */
export function canonicalSeed(seed: SeedData): SeedData {
  seedSpec ??= readSpec();
  const spec = seedSpec;
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
