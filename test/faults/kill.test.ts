// Durability: the real entry on a SQL store is killed with SIGKILL in the middle of a write load, then started
// again on the same data; every create it acknowledged before dying is there, exactly as it was answered.
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "@refunds-api/test-support";
import { testDatabase } from "@refunds-api/test-support/vitest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEntry, stopEntries, entryToken as token } from "./entry.js";

afterEach(stopEntries);

function call(url: string, method: string, path: string, body?: unknown) {
  return new Promise<{ status: number; json: { [key: string]: unknown } }>((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${url}${path}`, {
      method,
      agent: false,
      headers: { authorization: `Bearer ${token}`, ...(text ? { "content-type": "application/json" } : {}) },
    });
    req.on("response", (res) => {
      let data = "";
      res.on("data", (c) => {
        data += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: data ? JSON.parse(data) : {} }));
    });
    req.on("error", reject);
    req.end(text);
  });
}

/** Writers that create refunds until stopped, keeping what the server acknowledged. */
function writeLoad(url: string, writers: number) {
  const acknowledged: { [key: string]: unknown }[] = [];
  let failed = 0;
  let running = true;
  const waiting: { count: number; resolve: () => void }[] = [];
  const loops = Array.from({ length: writers }, async (_, w) => {
    for (let n = 0; running; n++) {
      const body = {
        amount_cents: w * 100_000 + n,
        patient_external_id: `PAT-KILL-${w}`,
        refund_note: `writer ${w} refund ${n}`,
        allocations: [{ amount_cents: n, target: { type: "unattributed" } }],
      };
      try {
        const reply = await call(url, "POST", "/api/patient-refunds/v1", body);
        if (reply.status === 200) {
          acknowledged.push(reply.json);
          for (const w of waiting.filter((w) => acknowledged.length >= w.count)) w.resolve();
        } else failed++;
      } catch {
        // The server died with this request in flight: it was never acknowledged.
        failed++;
      }
    }
  });
  return {
    acknowledged,
    /** Resolves once `count` creates were acknowledged. */
    reached: (count: number) =>
      new Promise<void>((resolve) => {
        if (acknowledged.length >= count) resolve();
        else waiting.push({ count, resolve });
      }),
    failures: () => failed,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function killUnderLoad(env: Record<string, string>) {
  const first = await startEntry(env);
  const load = writeLoad(first.url, 16);
  // Long enough for hundreds of acknowledged creates, and for some to be in flight when the kill comes.
  let killed = false;
  await Promise.race([
    load.reached(200),
    first.exited.then((code) => {
      if (!killed) throw new Error(`The server exited (${code}) before 200 acknowledged creates:\n${first.output()}`);
    }),
  ]);
  killed = true;
  first.child.kill("SIGKILL");
  expect(await first.exited).toBeNull();
  await load.stop();
  expect(load.failures()).toBeGreaterThan(0);

  const second = await startEntry(env);
  try {
    const missing: unknown[] = [];
    for (const refund of load.acknowledged) {
      const reply = await call(second.url, "GET", `/api/patient-refunds/v1/${refund.patient_refund_id}`);
      if (reply.status !== 200) missing.push(refund.patient_refund_id);
      else expect(reply.json).toEqual(refund);
    }
    expect(missing).toEqual([]);
    // Nor does a restart lose or repeat what the writers' lists show.
    for (let w = 0; w < 16; w++) {
      const mine = load.acknowledged.filter((r) => r.patient_external_id === `PAT-KILL-${w}`);
      const list = await call(second.url, "GET", `/api/patient-refunds/v1?patient_external_id=PAT-KILL-${w}&limit=999`);
      const ids = (list.json.items as { patient_refund_id: string }[]).map((r) => r.patient_refund_id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const r of mine) expect(ids).toContain(r.patient_refund_id);
      // At most the one create that was in flight per writer may have committed without an answer.
      expect(ids.length - mine.length).toBeLessThanOrEqual(1);
    }
    return load.acknowledged.length;
  } finally {
    second.child.kill("SIGTERM");
    await second.exited;
  }
}

describe("SIGKILL under a write load", () => {
  let database: Database;
  beforeAll(async () => {
    database = await testDatabase("kill");
  });
  afterAll(() => database?.drop());

  it("PostgreSQL store: every acknowledged create is there after a restart", async () => {
    const acknowledged = await killUnderLoad({ STORE: "postgres", DATABASE_URL: database.url });
    expect(acknowledged).toBeGreaterThanOrEqual(200);
  }, 180_000);
});

describe("SIGKILL under a write load, embedded store", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "refunds-kill-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("embedded PostgreSQL on disk: every acknowledged create is there after a restart", async () => {
    const acknowledged = await killUnderLoad({ STORE: "embedded", DATA_DIR: dataDir });
    expect(acknowledged).toBeGreaterThanOrEqual(200);
  }, 180_000);
});
