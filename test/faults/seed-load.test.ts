// A large SEED_FILE on the real entry (`main.ts`): 50,000 refunds load through the bulk path in well under a minute,
// with progress lines, and SIGTERM during the load (of a seed three times that size) stops it promptly (exit 0),
// keeping nothing half-loaded.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEntry, stopEntries, entryToken as token } from "./entry.js";

const main = fileURLToPath(new URL("../../packages/server/src/main.ts", import.meta.url));
const refunds = 50_000;
// The server prints its first progress line once the load has taken a second (and its last line always), and hears
// a signal between two batches of 1,000. A load of 50,000 on the memory store can end about then, so the signal
// would land after it.
// Three times as many refunds take a second (and more, on a busy machine) just to be prepared and checked before
// the first batch: the first line comes with most of the load still ahead, seconds of it even on the memory store,
// the fastest, while the signal takes milliseconds to arrive.
const manyRefunds = 150_000;
let dir: string;
let seedFile: string;
let bigSeedFile: string;

/** Writes a seed of `count` patient refunds, 500 patients of `count / 500` each, a thousand refunds at a time. */
function writeSeed(path: string, count: number) {
  const file = openSync(path, "w");
  try {
    writeSync(file, '{"patient_refunds":[');
    for (let at = 0; at < count; at += 1000) {
      const chunk: string[] = [];
      for (let i = at; i < Math.min(at + 1000, count); i++) {
        const refund = {
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
        };
        chunk.push(JSON.stringify(refund));
      }
      writeSync(file, `${at === 0 ? "" : ","}${chunk.join(",")}`);
    }
    writeSync(file, "]}");
  } finally {
    closeSync(file);
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "refunds-seed-"));
  seedFile = join(dir, "seed.json");
  bigSeedFile = join(dir, "big-seed.json");
  writeSeed(seedFile, refunds);
  writeSeed(bigSeedFile, manyRefunds);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(stopEntries);

// The entries this file starts itself (not through startEntry): killed after each test, whatever it came to.
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

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

  // On the larger seed (manyRefunds), signalled at its first progress line.
  it("stops on SIGTERM in the middle of the load, at once", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", main], {
      env: {
        ...process.env,
        PORT: "0",
        STORE: store,
        DATA_DIR: mkdtempSync(join(dir, "data-")),
        SEED_FILE: bigSeedFile,
        LOG_FORMAT: "json",
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let output = "";
    // "close" comes after the last output (and "exit").
    const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    // The first progress line (the load is under way), or the line that says it is over, or the end of the entry.
    const first = await new Promise<string>((resolve) => {
      const read = (chunk: Buffer) => {
        output += chunk;
        const line = /Seeding: [\d,]+ of [\d,]+ refunds stored|listening on/.exec(output);
        if (line) resolve(line[0]);
      };
      child.stdout.on("data", read);
      child.stderr.on("data", read);
      closed.then(() => resolve("exited"));
    });
    expect(first, `the load did not show as under way:\n${output}`).toMatch(/^Seeding: /);
    const [stored, total] = (first.match(/[\d,]+/g) ?? []).map((n) => Number(n.replaceAll(",", "")));
    expect(total).toBe(manyRefunds);
    expect(stored).toBeLessThan(manyRefunds);
    const signalled = Date.now();
    child.kill("SIGTERM");
    const code = await closed;
    const took = Date.now() - signalled;
    // Had the load outrun the signal, the entry would have started serving and then shut down: not what this proves.
    expect(output, "the signal came after the load").not.toMatch(/listening on|Seeding: ([\d,]+) of \1 /);
    expect(output).toMatch(/Stopping the start-up.*Stopped before it started serving/s);
    expect(code).toBe(0);
    expect(took).toBeLessThan(5000);
  }, 120_000);
});
