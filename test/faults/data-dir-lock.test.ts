// One writer per data folder: two servers on one DATA_DIR, each as PID 1 of its own PID namespace (as two
// containers sharing a volume run them), must not both start; the second is refused with a message saying why,
// and the first keeps every write it acknowledged.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startEntry, stopEntries, entryToken as token } from "./entry.js";

afterEach(stopEntries);

// `--kill-child`: the entry (PID 1 inside) dies with the unshare process the test kills.
const namespace = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL"];
const probe = spawnSync(namespace[0] as string, [...namespace.slice(1), "true"]);
const unavailable =
  probe.error || probe.status !== 0
    ? `unshare cannot make PID namespaces here (${probe.error?.message ?? String(probe.stderr).trim()}); run as root on Linux`
    : undefined;
if (unavailable) process.stderr.write(`Skipping the two-namespace lock test: ${unavailable}\n`);

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function create(url: string, n: number): Promise<string> {
  const reply = await fetch(`${url}/api/patient-refunds/v1`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      amount_cents: n,
      patient_external_id: "PAT-LOCK",
      allocations: [{ amount_cents: n, target: { type: "unattributed" } }],
    }),
  });
  expect(reply.status).toBe(200);
  return ((await reply.json()) as { patient_refund_id: string }).patient_refund_id;
}

describe.skipIf(unavailable !== undefined)(
  `two servers on one DATA_DIR, in two PID namespaces${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  () => {
    it("refuses the second with a clear message; the first keeps its writes, and its lock ends with it", async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "refunds-lock-"));
      dirs.push(dataDir);
      const env = { STORE: "embedded", DATA_DIR: dataDir };
      const first = await startEntry(env, namespace);
      const ids = [];
      for (let n = 1; n <= 5; n++) ids.push(await create(first.url, n));

      const refused = await startEntry(env, namespace).then(
        (second) => `started at ${second.url}`,
        (error: Error) => error.message,
      );
      expect(refused).toMatch(/exited before listening/);
      expect(refused).toMatch(/DATA_DIR .* is in use by another server \(process 1 on host /);
      // The first still serves; killed (unshare ignores SIGTERM, so SIGKILL, which leaves no chance to clean up),
      // it leaves no stale lock, and what it acknowledged is there after the restart.
      ids.push(await create(first.url, 6));
      first.child.kill("SIGKILL");
      await first.exited;

      const again = await startEntry(env, namespace);
      for (const id of ids) {
        const reply = await fetch(`${again.url}/api/patient-refunds/v1/${id}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(reply.status, id).toBe(200);
      }
      again.child.kill("SIGKILL");
      await again.exited;
      // Three PGlite starts: each takes seconds, many on a busy machine.
    }, 300_000);
  },
);
