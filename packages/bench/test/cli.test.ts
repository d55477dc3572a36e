// Smoke test of `pnpm bench --quick`: tiny sizes and short runs, so the benchmark keeps working. It checks the shape
// of the JSON and that every ratio is a positive number; the targets are not checked (the machine is shared).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { postgresUrl } from "@refunds-api/test-support/vitest";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const tsx = import.meta.resolve("tsx");

describe("pnpm bench --quick --json", () => {
  // Servers on all three stores, Prism, the generators and a client start in turn: a few seconds each on a quiet
  // machine. The PostgreSQL store gets its databases on the run's cluster (BENCH_DATABASE_URL), not a cluster of its
  // own.
  it("prints p1 to p7, each with a positive ratio beside a target for every case", { timeout: 400_000 }, async () => {
    const args = ["--quick", "--json", "--rounds", "1", "--duration", "0.15", "--warmup", "0", "--sizes", "50,500"];
    const { stdout } = await run(process.execPath, ["--import", tsx, cli, ...args], {
      env: { ...process.env, BENCH_DATABASE_URL: postgresUrl() },
      timeout: 390_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(["machine", "p1", "p2", "p3", "p4", "p5", "p6", "p7"]);
    expect(report.machine).toMatchObject({ cores: expect.any(Number), node: process.version });
    for (const key of ["p1", "p2", "p3", "p4", "p5", "p6", "p7"]) {
      const { ratios, targets } = report[key];
      expect(Object.keys(ratios).length, key).toBeGreaterThan(0);
      expect(Object.keys(targets).sort(), key).toEqual(Object.keys(ratios).sort());
      for (const [name, ratio] of Object.entries(ratios)) {
        expect(typeof ratio === "number" && Number.isFinite(ratio) && ratio > 0, `${key} ${name}: ${ratio}`).toBe(true);
      }
    }
    expect(Object.keys(report.p1.ratios)).toEqual(
      ["list 10", "list 100", "get", "update", "create"].flatMap((c) => [`${c} ÷ bare`, `${c} ÷ stock`]),
    );
    expect(Object.keys(report.p3.ratios)).toEqual(
      ["memory", "embedded", "postgres"].flatMap((store) =>
        ["page", "filtered"].flatMap((page) => [`${store} ${page} p50`, `${store} ${page} p99`]),
      ),
    );
    expect(Object.keys(report.p4.ratios)).toEqual([
      "generate",
      "check",
      "generate, nothing changed",
      "check, nothing changed",
    ]);
  });
});
