// Ids in one form: a UUID is compared as the server writes it (lower-case hex), whichever form the client or a
// seed file used (`format: uuid` also accepts upper case and a `urn:uuid:` prefix). The HTTP edge makes request ids
// canonical (inputs.ts), and the seed loader makes a seed's; services and stores then compare exactly.
import type { SeedData } from "./seed.js";
import { type OpenApiDocument, readSpec, resolveRef, type SchemaObject } from "./spec.js";

const uuidText = /^(?:urn:uuid:)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * A UUID in the form the server writes and compares: lower-case hex, no `urn:uuid:` prefix (both of which
 * `format: uuid` accepts). Anything else is returned as it is.
 */
export function canonicalUuid(text: string): string {
  const match = uuidText.exec(text);
  return match ? (match[1] as string).toLowerCase() : text;
}

/**
 * `value` with every string the schema gives `format: uuid` made canonical, walking objects, arrays and tagged
 * unions (by their discriminator's mapping, or, without one, the branch whose tag `const` the data carries).
 * Returns a new value where something changed; `value` itself is not modified.
 */
export function canonicalIds(spec: OpenApiDocument, schema: SchemaObject | undefined, value: unknown): unknown {
  const resolved = resolveRef(spec, schema);
  if (!resolved) return value;
  if (typeof value === "string") return resolved.format === "uuid" ? canonicalUuid(value) : value;
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item) => {
      const canonical = canonicalIds(spec, resolved.items, item);
      if (canonical !== item) changed = true;
      return canonical;
    });
    return changed ? items : value;
  }
  const branch = unionBranch(spec, resolved, value as Record<string, unknown>);
  if (branch) return canonicalIds(spec, branch, value);
  let out: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const property = resolved.properties?.[key];
    if (!property) continue;
    const canonical = canonicalIds(spec, property, item);
    if (canonical !== item) {
      out ??= { ...(value as Record<string, unknown>) };
      out[key] = canonical;
    }
  }
  return out ?? value;
}

function unionBranch(
  spec: OpenApiDocument,
  schema: SchemaObject,
  data: Record<string, unknown>,
): SchemaObject | undefined {
  const branches = (schema.oneOf ?? schema.anyOf) as SchemaObject[] | undefined;
  if (!branches) return undefined;
  const tagName = schema.discriminator?.propertyName;
  const tag = tagName === undefined ? undefined : data[tagName];
  const mapped = typeof tag === "string" ? schema.discriminator?.mapping?.[tag] : undefined;
  if (mapped) return resolveRef(spec, { $ref: mapped });
  return branches
    .map((b) => resolveRef(spec, b))
    .find((b) =>
      Object.entries(b?.properties ?? {}).some(
        ([key, p]) => resolveRef(spec, p)?.const !== undefined && resolveRef(spec, p)?.const === data[key],
      ),
    );
}

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
