// P7: how fast the test doubles are ready, beside `startMock()`: `startServer()` on the memory store (the first in a
// process, and the ones after), `reset()`, the embedded store (PGlite) from an empty data folder, and the first
// `pnpm start` after install. The server's times come from a child process of their own, so "the first in a
// process" is honest; `pnpm start` runs with a temp folder of its own, so it also builds the embedded template.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startMock } from "@refunds-api/testing";
import { median } from "./load.js";
import { round3 } from "./p1-validation.js";
import type { BenchSettings, Section } from "./section.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const child = fileURLToPath(new URL("./p7-child.ts", import.meta.url));

/** Budgets in seconds (the issue's figures, for a quiet machine); each ratio's target is its budget ÷ the mock's time. */
const budgets = {
  "startServer() memory, first in a process": undefined,
  "startServer() memory, after the first": 0.3,
  "reset() memory": 0.01,
  "startServer() embedded, empty data folder": 2,
  "reset() embedded": 0.1,
  "first pnpm start after install": 20,
} as const;
type Case = keyof typeof budgets;

/** What p7-child.ts prints: seconds of each step. */
interface ChildTimes {
  importSeconds: number;
  memoryFirst: number;
  memoryNext: number[];
  memoryReset: number[];
  embeddedFirst: number;
  embeddedNext: number[];
  embeddedReset: number[];
}

function runChild(rounds: number): Promise<ChildTimes> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", child, String(rounds)], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    proc.stdout.on("data", (c: Buffer) => {
      out += c;
    });
    proc.stderr.on("data", (c: Buffer) => {
      err = (err + c).slice(-4000);
    });
    proc.once("error", reject);
    proc.once("exit", (code) => {
      if (code !== 0) reject(new Error(`p7-child exited ${code}:\n${err}`));
      else resolve(JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as ChildTimes);
    });
  });
}

/** Seconds from `npx pnpm start` until it prints its URL, with a new data folder and temp folder. */
async function firstPnpmStart(): Promise<number> {
  const scratch = mkdtempSync(join(tmpdir(), "refunds-bench-start-"));
  const started = performance.now();
  try {
    return await new Promise<number>((resolve, reject) => {
      const proc = spawn("npx", ["-y", "pnpm@10.34.9", "start"], {
        cwd: root,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, PORT: "0", LOG_FORMAT: "json", DATA_DIR: join(scratch, "data"), TMPDIR: scratch },
      });
      let output = "";
      const timer = setTimeout(() => finish(new Error(`pnpm start did not listen in 180 s:\n${output}`)), 180_000);
      const finish = (error?: Error) => {
        clearTimeout(timer);
        try {
          if (proc.pid) process.kill(-proc.pid, "SIGTERM");
        } catch {
          // Gone already.
        }
        if (error) reject(error);
        else resolve((performance.now() - started) / 1000);
      };
      const onData = (c: Buffer) => {
        output = (output + c).slice(-4000);
        if (/listening on http/.test(output)) finish();
      };
      proc.stdout.on("data", onData);
      proc.stderr.on("data", onData);
      proc.once("exit", (code) => finish(new Error(`pnpm start exited (${code}) before listening:\n${output}`)));
    });
  } finally {
    await new Promise((r) => setTimeout(r, 500));
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Runs P7. */
export async function startTimes(settings: BenchSettings): Promise<Section> {
  const rounds = settings.quick ? 2 : 5;
  const mockRuns: number[] = [];
  for (let i = 0; i < (settings.quick ? 1 : 3); i++) {
    const started = performance.now();
    const mock = await startMock();
    mockRuns.push((performance.now() - started) / 1000);
    await mock.stop();
  }
  const mockSeconds = median(mockRuns);
  settings.log(`P7 startMock(): ${mockSeconds.toFixed(2)} s`);
  const times = await runChild(rounds);
  settings.log(`P7 server: ${JSON.stringify(times)}`);
  const pnpmStart = settings.quick ? undefined : await firstPnpmStart();
  if (pnpmStart !== undefined) settings.log(`P7 first pnpm start: ${pnpmStart.toFixed(1)} s`);

  const seconds: Partial<Record<Case, number>> = {
    "startServer() memory, first in a process": times.memoryFirst,
    "startServer() memory, after the first": median(times.memoryNext),
    "reset() memory": median(times.memoryReset),
    "startServer() embedded, empty data folder": median(times.embeddedNext),
    "reset() embedded": median(times.embeddedReset),
    "first pnpm start after install": pnpmStart,
  };
  const cases = (Object.keys(seconds) as Case[]).filter((k) => seconds[k] !== undefined);
  const shown = (s: number) => (s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`);
  return {
    title: "P7 test doubles: time until ready, beside startMock()",
    ratioOf: "seconds until ready ÷ seconds of startMock() until ready (target: the budget ÷ startMock()'s time)",
    better: "lower",
    ratios: Object.fromEntries(cases.map((k) => [k, (seconds[k] as number) / mockSeconds])),
    targets: Object.fromEntries(
      cases.map((k) => [k, Number(((budgets[k] ?? mockSeconds) / mockSeconds).toPrecision(3))]),
    ),
    measured: Object.fromEntries(
      cases.map((k) => [
        k,
        `${shown(seconds[k] as number)} vs ${shown(mockSeconds)} startMock()${budgets[k] === undefined ? "" : ` (budget ${shown(budgets[k] as number)})`}`,
      ]),
    ),
    details: {
      startMockSeconds: mockRuns.map(round3),
      seconds: Object.fromEntries(cases.map((k) => [k, round3(seconds[k] as number)])),
      server: {
        importSeconds: round3(times.importSeconds),
        memoryNext: times.memoryNext.map(round3),
        memoryResetMs: times.memoryReset.map((s) => round3(s * 1000)),
        embeddedFirstInProcess: round3(times.embeddedFirst),
        embeddedNext: times.embeddedNext.map(round3),
        embeddedResetMs: times.embeddedReset.map((s) => round3(s * 1000)),
      },
    },
    notes: [
      "startServer() is @refunds-api/testing's (memory store, built-in seed, control on), timed from the call until it " +
        "resolves, in a child process of its own; the first in it follows the imports (not counted here, in details).",
      "The embedded cases each start on a new empty data folder; the first on a machine also creates the migrated " +
        "template in the temp folder (details: embeddedFirstInProcess).",
      "reset() is the control call (POST /__control/reset) from the test process: the store back to the seed.",
      settings.quick
        ? "--quick leaves out the first pnpm start (generate, docs, build, then the server on a new embedded store)."
        : "first pnpm start: `npx pnpm start` (generate, docs, server build) with PORT=0, a new DATA_DIR and a new " +
          "temp folder (so the embedded template is made too), until the line with its URL.",
    ],
  };
}
