// A large SEED_FILE on the real entry (`main.ts`): 50,000 refunds load through the bulk path in well under a minute,
// with progress lines, and SIGTERM during the load stops it promptly (exit 0), keeping nothing half-loaded.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEntry, stopEntries, entryToken as token } from "./entry.js";

const main = fileURLToPath(new URL("../../packages/server/src/main.ts", import.meta.url));
const refunds = 50_000;
let dir: string;
let seedFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "refunds-seed-"));
  seedFile = join(dir, "seed.json");
  const patient_refunds = Array.from({ length: refunds }, (_, i) => ({
    patient_refund_id: randomUUID(),
    organization_id: "0b4f7d2e-8c1a-4f55-9a3e-2d6c1b7e9f10",
    refund_source: "STRIPE",
    amount_cents: 100 + i,
    patient_external_id: `PAT-SEED-${i % 500}`,
    allocations: [
      {
        amount_cents: 100 + i,
        target: { type: "unattributed" },
        allocation_id: randomUUID(),
        allocated_on: "2024-02-01T14:05:00.000Z",
      },
    ],
    refund_timestamp: new Date(1.7e12 + i * 60_000).toISOString(),
  }));
  writeFileSync(seedFile, JSON.stringify({ patient_refunds }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(stopEntries);

describe.each(["memory", "embedded"])("a SEED_FILE of 50,000 refunds on %s", (store) => {
  it("serves them all within a minute, saying how far the load is", async () => {
    const started = Date.now();
    const entry = await startEntry({ STORE: store, DATA_DIR: mkdtempSync(join(dir, "data-")), SEED_FILE: seedFile });
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeLessThan(60);
    expect(entry.output()).toMatch(/Seeding: 50,000 of 50,000 refunds stored/);
    const reply = await fetch(`${entry.url}/api/patient-refunds/v1?patient_external_id=PAT-SEED-7&limit=999`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await reply.json()) as { items: unknown[] }).items).toHaveLength(100);
    entry.child.kill("SIGTERM");
    expect(await entry.exited).toBe(0);
  }, 120_000);

  it("stops on SIGTERM in the middle of the load, at once", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", main], {
      env: {
        ...process.env,
        PORT: "0",
        STORE: store,
        DATA_DIR: mkdtempSync(join(dir, "data-")),
        SEED_FILE: seedFile,
        LOG_FORMAT: "json",
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // The first progress line: the load is under way.
    await new Promise<void>((resolve, reject) => {
      const read = (chunk: Buffer) => {
        output += chunk;
        if (/Seeding: /.test(output)) resolve();
      };
      child.stdout.on("data", read);
      child.stderr.on("data", read);
      exited.then(() => reject(new Error(`exited before seeding: ${output}`)));
    });
    const signalled = Date.now();
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5000);
    expect(output).toMatch(/Stopped before it started serving/);
    expect(output).not.toMatch(/listening on/);
  }, 120_000);
});
