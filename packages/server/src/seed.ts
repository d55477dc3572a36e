// Seed data: the payers, claims, paid balances and refunds the server starts with. The default set has fixed ids
// (listed in the README); `SEED_FILE` replaces it with a JSON file in the API's own wire format.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  canonicalSeed,
  type Directory,
  type LoadOptions,
  mustBeOfType,
  mustMatchFormat,
  type SeedData,
  type Store,
  seedDirectory,
  storeSeedRefunds,
} from "@refunds-api/core";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { readSpec, type SchemaObject, validatorSpec } from "./spec.js";

export { defaultSeed, type LoadOptions, type SeedData } from "@refunds-api/core";

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
  const seed = canonicalSeed(readSpec(), given);
  const directory = seedDirectory(seed);
  const load = () => storeSeedRefunds(store, directory, seed, { nextTurn, ...options });
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
  const canonical = canonicalSeed(readSpec(), seed);
  await store.reset(() => storeSeedRefunds(store, directory, canonical, { nextTurn }));
}

/** A turn of Node's event loop: a signal (SIGTERM) is heard between two batches of a seed. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
