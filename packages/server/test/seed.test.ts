import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createMemoryStore, defaultSeed, loadSeed, readConfig, readSeedFile } from "../src/index.js";
import { startHarness } from "./support/harness.js";

const example = fileURLToPath(new URL("../examples/seed.json", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "seed-"));
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
      want: /not valid seed data: \/ must NOT have additional properties/,
    },
    {
      name: "a payer without a name",
      content:
        '{"non_insurance_payers": [{"non_insurance_payer_id": "1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b", "enabled": true, "clinical_trials": []}]}',
      want: /\/non_insurance_payers\/0 must have required property 'name'/,
    },
    {
      name: "a refund with a bad target",
      content: JSON.stringify({
        patient_refunds: [
          { ...defaultSeed.patient_refunds?.[0], allocations: [{ amount_cents: 1, target: { type: "claim" } }] },
        ],
      }),
      want: /\/patient_refunds\/0\/allocations\/0\/target must have required property 'claim_id'/,
    },
  ])("refuses $name, naming the file and the problem", ({ name, content, want }) => {
    const path = file(name === "not JSON" ? "bad.json" : `${name.replaceAll(" ", "-")}.json`, content);
    expect(() => readSeedFile(path)).toThrow(want);
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
      validateResponses: true,
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
  ])("reads $env", ({ env, want }) => {
    expect(readConfig(env)).toMatchObject(want);
  });

  it.each([
    { env: { PORT: "http" }, want: /PORT must be an integer from 0 to 65535/ },
    { env: { PORT: "70000" }, want: /PORT/ },
    { env: { AUTH_TOKEN_TTL_SECONDS: "0" }, want: /AUTH_TOKEN_TTL_SECONDS/ },
    { env: { LOG_LEVEL: "loud" }, want: /LOG_LEVEL must be one of/ },
    { env: { VALIDATE_RESPONSES: "yes" }, want: /VALIDATE_RESPONSES must be true or false/ },
  ])("refuses $env", ({ env, want }) => {
    expect(() => readConfig(env)).toThrow(want);
  });
});
