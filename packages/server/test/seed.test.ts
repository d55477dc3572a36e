import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkSeed,
  createMemoryStore,
  defaultSeed,
  loadSeed,
  readConfig,
  readSeedFile,
  type SeedData,
  SeedError,
  startServer,
} from "../src/index.js";
import { startHarness } from "./support/harness.js";

const example = fileURLToPath(new URL("../examples/seed.json", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "seed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe("readSeedFile", () => {
  it("reads the example seed file", () => {
    const seed = readSeedFile(example);
    expect(seed.non_insurance_payers?.[0]?.name).toBe("Acme Corp Employee Health Fund");
    expect(seed.patient_refunds).toHaveLength(1);
  });

  it("accepts the default seed as a seed file", () => {
    expect(readSeedFile(file("default.json", JSON.stringify(defaultSeed)))).toEqual(defaultSeed);
  });

  it.each([
    { name: "not JSON", content: "{", want: /SEED_FILE .*bad\.json: .*JSON/ },
    {
      name: "an unknown key",
      content: '{"payers": []}',
      want: /not valid seed data \(1 problem\):\n {2}payers: is not a known field/,
    },
    {
      name: "a payer without a name",
      content:
        '{"non_insurance_payers": [{"non_insurance_payer_id": "1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b", "enabled": true, "clinical_trials": []}]}',
      want: /non_insurance_payers\[0\]\.name: is required/,
    },
    {
      name: "a refund with a bad target",
      content: JSON.stringify({
        patient_refunds: [
          { ...defaultSeed.patient_refunds?.[0], allocations: [{ amount_cents: 1, target: { type: "claim" } }] },
        ],
      }),
      want: /patient_refunds\[0\]\.allocations\[0\]\.target\.claim_id: is required/,
    },
  ])("refuses $name, naming the file and the problem", ({ name, content, want }) => {
    const path = file(name === "not JSON" ? "bad.json" : `${name.replaceAll(" ", "-")}.json`, content);
    expect(() => readSeedFile(path)).toThrow(want);
  });

  it("reads a file: URL", () => {
    expect(readSeedFile(new URL("../examples/seed.json", import.meta.url))).toEqual(readSeedFile(example));
  });

  it("refuses two refunds with one id", async () => {
    const refund = defaultSeed.patient_refunds?.[0];
    await expect(loadSeed(createMemoryStore(), { patient_refunds: [refund, refund] as never })).rejects.toThrow(
      /exists already/,
    );
  });

  it("serves a seed file's data", async () => {
    const h = await startHarness({ seedFile: example, seed: undefined });
    try {
      const list = await h.request("GET", "/api/non-insurance-payer-refunds/v1");
      expect(list.body.items.map((r: { check_number: string }) => r.check_number)).toEqual(["5521"]);
      const created = await h.request("POST", "/api/patient-refunds/v1", {
        body: {
          amount_cents: 8000,
          patient_external_id: "PAT-1001",
          raise_on_overdraft: true,
          allocations: [{ amount_cents: 8000, target: { type: "claim_by_encounter_external_id", value: "ENC-1001" } }],
        },
      });
      // The claim of ENC-1001 has no balance of its own (only its service line does): an overdraft.
      expect(created.body.errorName).toBe("ReallocationWouldOverdraftError");
    } finally {
      await h.close();
    }
  });
});

describe("readConfig", () => {
  it("has working defaults", () => {
    expect(readConfig({})).toEqual({
      host: "127.0.0.1",
      port: 3000,
      clientId: "dev-client",
      clientSecret: "dev-secret",
      staticTokens: ["dev-token"],
      tokenTtlSeconds: 3600,
      seedFile: undefined,
      logLevel: "info",
      logFormat: "auto",
      validateResponses: true,
      control: false,
    });
  });

  it.each([
    { env: { PORT: "8080", HOST: "0.0.0.0" }, want: { port: 8080, host: "0.0.0.0" } },
    { env: { AUTH_TOKENS: "a, b,,c" }, want: { staticTokens: ["a", "b", "c"] } },
    { env: { AUTH_TOKENS: "" }, want: { staticTokens: [] } },
    { env: { AUTH_CLIENT_ID: "id", AUTH_CLIENT_SECRET: "secret" }, want: { clientId: "id", clientSecret: "secret" } },
    { env: { SEED_FILE: "/tmp/seed.json" }, want: { seedFile: "/tmp/seed.json" } },
    { env: { NODE_ENV: "production" }, want: { validateResponses: false } },
    { env: { NODE_ENV: "production", VALIDATE_RESPONSES: "true" }, want: { validateResponses: true } },
    { env: { VALIDATE_RESPONSES: "false" }, want: { validateResponses: false } },
    { env: { AUTH_TOKEN_TTL_SECONDS: "60", LOG_LEVEL: "warn" }, want: { tokenTtlSeconds: 60, logLevel: "warn" } },
    { env: { CONTROL: "1" }, want: { control: true } },
    { env: { CONTROL: "true" }, want: { control: true } },
    { env: { CONTROL: "0" }, want: { control: false } },
    { env: { LOG_FORMAT: "json" }, want: { logFormat: "json" } },
  ])("reads $env", ({ env, want }) => {
    expect(readConfig(env)).toMatchObject(want);
  });

  it.each([
    { env: { PORT: "http" }, want: /PORT must be an integer from 0 to 65535/ },
    { env: { PORT: "70000" }, want: /PORT/ },
    { env: { AUTH_TOKEN_TTL_SECONDS: "0" }, want: /AUTH_TOKEN_TTL_SECONDS/ },
    { env: { LOG_LEVEL: "loud" }, want: /LOG_LEVEL must be one of/ },
    { env: { VALIDATE_RESPONSES: "yes" }, want: /VALIDATE_RESPONSES must be true or false/ },
    { env: { CONTROL: "on" }, want: /CONTROL must be 1 or 0/ },
    { env: { LOG_FORMAT: "xml" }, want: /LOG_FORMAT must be one of auto, pretty, json/ },
  ])("refuses $env", ({ env, want }) => {
    expect(() => readConfig(env)).toThrow(want);
  });
});

describe("checkSeed", () => {
  const refund = defaultSeed.patient_refunds?.[0] as NonNullable<SeedData["patient_refunds"]>[number];

  it("returns a valid seed as it is, typed", () => {
    const parsed: SeedData = checkSeed(JSON.parse(JSON.stringify(defaultSeed)));
    expect(parsed).toEqual(defaultSeed);
  });

  it("names every failing field by its path, in the request validation's words", () => {
    const bad = {
      patient_refunds: [
        { patient_refund_id: "not-a-uuid", amount_cents: "12", allocations: [] },
        { ...refund, refund_source: "CASH", refund_timestamp: "yesterday" },
      ],
      non_insurance_payer_refunds: [],
      balances: [{ target: { type: "nowhere" }, patient_paid_amount_cents: 1.5 }],
      surprise: true,
    };
    let error: unknown;
    try {
      checkSeed(bad);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(SeedError);
    expect((error as SeedError).problems.sort()).toEqual(
      [
        "surprise: is not a known field",
        "patient_refunds[0].patient_refund_id: must be a UUID",
        "patient_refunds[0].amount_cents: must be an integer",
        "patient_refunds[0].organization_id: is required",
        "patient_refunds[0].refund_source: is required",
        "patient_refunds[0].patient_external_id: is required",
        "patient_refunds[1].refund_source: must be one of MANUAL_ENTRY, CHARGEBEE, SQUARE, STRIPE, ELATION, CEDAR, HEALTHIE, REALLOCATION, PHREESIA, INSTAMED, SHERPA_HEALTH, LOCKBOX",
        "patient_refunds[1].refund_timestamp: must be an RFC 3339 date-time such as 2024-01-15T09:30:00Z",
        "balances[0].target.type: must be one of service_line, claim, billing_provider_id, appointment, unattributed",
        "balances[0].patient_paid_amount_cents: must be an integer",
      ].sort(),
    );
    expect((error as Error).message).toMatch(/^The seed is not valid seed data \(10 problems\):\n {2}/);
  });

  it("is what startServer checks a seed with, before it opens a store", async () => {
    await expect(
      startServer({ seed: { patient_refunds: [{ patient_refund_id: "not-a-uuid" }] } as unknown as SeedData }),
    ).rejects.toThrow(/patient_refunds\[0\]\.patient_refund_id: must be a UUID/);
  });
});
