// Seed data: the payers, claims, paid balances and refunds the server starts with. The default set has fixed ids
// (listed in the README); `SEED_FILE` replaces it with a JSON file in the API's own wire format.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { NonInsurancePayer, NonInsurancePayerRefund, PatientRefund, Store } from "@refunds-api/core";
import {
  createServices,
  Directory,
  type DirectoryData,
  defaultOrganizationId,
  mustBeOfType,
  mustMatchFormat,
} from "@refunds-api/core";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { canonicalSeed } from "./ids.js";
import { readSpec, type SchemaObject, validatorSpec } from "./spec.js";

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

const uuid = { type: "string", format: "uuid" };
const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const arrayOf = (items: object) => ({ type: "array", items });

/** The JSON Schema of a seed file; payers and refunds use the spec's own schemas. */
const seedSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    non_insurance_payers: arrayOf(schemaRef("NonInsurancePayer")),
    patient_refunds: arrayOf(schemaRef("PatientRefund")),
    non_insurance_payer_refunds: arrayOf(schemaRef("NonInsurancePayerRefund")),
    claims: arrayOf({
      type: "object",
      additionalProperties: false,
      required: ["claim_id", "encounter_id"],
      properties: {
        claim_id: uuid,
        encounter_id: uuid,
        encounter_external_id: { type: "string", minLength: 1 },
        service_line_ids: arrayOf(uuid),
      },
    }),
    unknown_targets: { enum: ["derive", "reject"] },
    balances: arrayOf({
      type: "object",
      additionalProperties: false,
      required: ["target", "patient_paid_amount_cents"],
      properties: {
        target: schemaRef("AllocationTarget"),
        patient_external_id: { type: "string", minLength: 1 },
        patient_paid_amount_cents: { type: "integer" },
      },
    }),
  },
};

// ajv-formats is CommonJS; under ESM its function is the default export's `default`.
const addFormats = ((addFormatsModule as { default?: unknown }).default ??
  addFormatsModule) as typeof addFormatsModule.default;

/** A seed that breaks the seed schema; `problems` names each failing field by its path. */
export class SeedError extends Error {
  constructor(
    readonly problems: string[],
    /** Where the seed came from, such as `SEED_FILE seed.json`; "The seed" by default. */
    source = "The seed",
  ) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`${source} is not valid seed data (${count}):\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "SeedError";
  }
}

let compiled: { validate: ValidateFunction; components: Record<string, SchemaObject> } | undefined;

/** The seed schema against the spec's wire schemas, compiled once per process. */
function seedValidator() {
  if (!compiled) {
    const components = validatorSpec(readSpec()).components;
    const ajv = new Ajv2020({ allErrors: true, strict: false, discriminator: true, verbose: true });
    addFormats(ajv, { mode: "full" });
    compiled = { validate: ajv.compile({ ...seedSchema, components }), components: components.schemas };
  }
  return compiled;
}

/**
 * Checks seed data (the value of a JSON file, or an object built in code) against the spec's wire schemas and
 * returns it typed; throws a {@link SeedError} naming every failing field by its path, in the words of the
 * request validation (`patient_refunds[0].patient_refund_id: must be a UUID`).
 */
export function checkSeed(data: unknown, source?: string): SeedData {
  const { validate, components } = seedValidator();
  if (validate(data)) return data as SeedData;
  const problems = [...new Set((validate.errors ?? []).map((e) => describeSeedError(e, components)))];
  throw new SeedError(problems, source);
}

/** Reads and checks a seed file (a path or a `file:` URL); the error names the file and each problem by its path. */
export function readSeedFile(path: string | URL): SeedData {
  const name = path instanceof URL ? fileURLToPath(path) : path;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`SEED_FILE ${name}: ${(error as Error).message}`);
  }
  return checkSeed(data, `SEED_FILE ${name}`);
}

/** `/patient_refunds/0/allocations` → `patient_refunds[0].allocations`; the root is `seed`. */
function fieldOf(pointer: string, extra?: string): string {
  const segments = pointer.split("/").slice(1);
  if (extra !== undefined) segments.push(extra);
  let name = "";
  for (const raw of segments) {
    const s = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (/^\d+$/.test(s)) name += `[${s}]`;
    else name += name === "" ? s : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
  }
  return name || "seed";
}

/** One Ajv error in the words the request validation uses. */
function describeSeedError(e: ErrorObject, components: Record<string, SchemaObject>): string {
  const schema = (e.parentSchema ?? {}) as SchemaObject;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return `${fieldOf(e.instancePath, String(params.missingProperty))}: is required`;
    case "additionalProperties":
    case "unevaluatedProperties":
      return `${fieldOf(e.instancePath, String(params.additionalProperty ?? params.unevaluatedProperty))}: is not a known field`;
    case "format": {
      const format = String(params.format);
      return `${fieldOf(e.instancePath)}: ${mustMatchFormat(format)}`;
    }
    case "type": {
      const types = [params.type].flat().flatMap((t) => String(t).split(","));
      return `${fieldOf(e.instancePath)}: ${mustBeOfType(types)}`;
    }
    case "enum":
      return `${fieldOf(e.instancePath)}: must be one of ${(params.allowedValues as unknown[]).join(", ")}`;
    case "const":
      return `${fieldOf(e.instancePath)}: must be ${JSON.stringify(params.allowedValue)}`;
    case "minimum":
    case "maximum":
      return `${fieldOf(e.instancePath)}: must be ${e.keyword === "minimum" ? "at least" : "at most"} ${params.limit}`;
    case "minLength":
      return params.limit === 1
        ? `${fieldOf(e.instancePath)}: must not be empty`
        : `${fieldOf(e.instancePath)}: must be at least ${params.limit} characters long`;
    case "maxLength":
      return `${fieldOf(e.instancePath)}: must be at most ${params.limit} characters long`;
    case "discriminator": {
      const tag = String(params.tag);
      const values = (schema.oneOf ?? []).flatMap((branch) => {
        const resolved = branch.$ref ? components[branch.$ref.split("/").pop() ?? ""] : branch;
        const value = resolved?.properties?.[tag]?.const;
        return value === undefined ? [] : [String(value)];
      });
      const allowed = values.length > 0 ? `must be one of ${values.join(", ")}` : "must name one of the variants";
      return `${fieldOf(e.instancePath, tag)}: ${params.tagValue === undefined ? `is required and ${allowed}` : allowed}`;
    }
    default:
      return `${fieldOf(e.instancePath)}: ${e.message ?? "is not valid"}`;
  }
}

/**
 * Loads the seed's refunds into `store` (a durable store takes them only on its first start) and returns the
 * directory of its payers, claims and balances.
 */
export async function loadSeed(store: Store, given: SeedData, options: LoadOptions = {}): Promise<Directory> {
  // Ids compare exactly from here on: a seed's upper-case UUIDs are made the server's lower-case ones.
  const seed = canonicalSeed(given);
  const directory = new Directory(seed);
  // Payers embedded in the seed's refunds are known even when a durable store holds those refunds already.
  for (const { non_insurance_payer: payer } of seed.non_insurance_payer_refunds ?? []) {
    if (!directory.payer(payer.non_insurance_payer_id)) directory.addPayer(payer);
  }
  const load = () => storeSeedRefunds(store, directory, seed, options);
  if (store.seedOnce) await store.seedOnce(load);
  else await load();
  return directory;
}

/**
 * Brings `store` back to the seed: every refund removed, the seed's refunds stored again (one transaction on SQL
 * stores). `directory` is what `loadSeed` returned for this seed.
 */
export async function resetToSeed(store: Store, directory: Directory, seed: SeedData): Promise<void> {
  if (!store.reset) throw new Error("This store cannot be reset: it has no reset()");
  const canonical = canonicalSeed(seed);
  await store.reset(() => storeSeedRefunds(store, directory, canonical));
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
}

/**
 * Stores the seed's refunds through the stores' bulk insert, `batchSize` at a time, yielding to the event loop
 * between batches so that a signal (SIGTERM) is heard and `signal` can stop the load.
 */
async function storeSeedRefunds(
  store: Store,
  directory: Directory,
  seed: SeedData,
  options: LoadOptions = {},
): Promise<void> {
  const { patientRefunds, nonInsurancePayerRefunds } = createServices({
    store,
    directory,
    runtime: { now: Date.now, newId: randomUUID },
    organizationId: defaultOrganizationId,
  });
  const batchSize = options.batchSize ?? 1000;
  const patients = seed.patient_refunds ?? [];
  const payers = seed.non_insurance_payer_refunds ?? [];
  const total = patients.length + payers.length;
  let stored = 0;
  const batches = async <T>(rows: readonly T[], insert: (batch: readonly T[]) => Promise<void>) => {
    for (let at = 0; at < rows.length; at += batchSize) {
      await new Promise<void>((resolve) => setImmediate(resolve));
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
