// P6: the authoring loop. `pnpm dev` runs in a copy of the repository (so this tree's spec is never edited); each
// round saves a change to a named example of the spec and times how long until the server's /openapi.json and the
// mock's answer carry it. Rounds start once the previous save's types and docs are rewritten, as on a quiet
// machine where an author saves, looks, and saves again.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { median } from "./load.js";
import { round3 } from "./p1-validation.js";
import type { BenchSettings, Section } from "./section.js";

const budgetSeconds = 2;
const refundId = "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function text(url: string): Promise<string> {
  try {
    const answer = await fetch(url, { headers: { authorization: "Bearer dev-token" } });
    return await answer.text();
  } catch {
    return "";
  }
}

/** Runs P6. */
export async function devLoop(settings: BenchSettings): Promise<Section> {
  const { copyRepository } = (await import(new URL("../../spec/scripts/repo-copy.js", import.meta.url).href)) as {
    copyRepository: (options?: { prefix?: string }) => string;
  };
  const dir = copyRepository({ prefix: "refunds-api-bench-dev-" });
  const [port, mockPort] = [await freePort(), await freePort()];
  const server = `http://127.0.0.1:${port}`;
  const mock = `http://127.0.0.1:${mockPort}`;
  let output = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [join(dir, "packages/spec/scripts/dev.js"), "--port", String(port), "--mock-port", String(mockPort)],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  const keep = (chunk: Buffer) => {
    output += chunk.toString("utf8");
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const rounds = settings.quick ? 3 : 7;
  const runs = { server: [] as number[], mock: [] as number[], reported: [] as number[] };
  try {
    const started = performance.now();
    while (!output.includes("dev: watching")) {
      if (child.exitCode !== null) throw new Error(`pnpm dev exited:\n${output}`);
      if (performance.now() - started > 120_000) throw new Error(`pnpm dev did not start:\n${output}`);
      await sleep(50);
    }
    const settle = async () => {
      // The types and docs of the last save (and at start the warm-up) finish before the next save.
      const from = output.length;
      const until = performance.now() + 20_000;
      while (performance.now() < until && !/docs rewritten|docs:/.test(output.slice(from))) await sleep(100);
      await sleep(500);
    };
    await sleep(3000);
    const example = join(dir, "openapi/components/examples/PatientRefund.yaml");
    const original = readFileSync(example, "utf8");
    for (let i = 0; i < rounds; i++) {
      const marker = `Bench-note-${i}-${Date.now()}`;
      const from = output.length;
      const saved = performance.now();
      writeFileSync(example, original.replace(/refund_note: .*/, `refund_note: ${marker}`));
      let onServer: number | undefined;
      let onMock: number | undefined;
      while ((onServer === undefined || onMock === undefined) && performance.now() - saved < 30_000) {
        const [s, m] = await Promise.all([
          onServer === undefined ? text(`${server}/openapi.json`) : "",
          onMock === undefined ? text(`${mock}/api/patient-refunds/v1/${refundId}`) : "",
        ]);
        const now = performance.now();
        if (onServer === undefined && s.includes(marker)) onServer = now - saved;
        if (onMock === undefined && m.includes(marker)) onMock = now - saved;
        await sleep(5);
      }
      if (onServer === undefined || onMock === undefined)
        throw new Error(`round ${i + 1}: not served in 30 s:\n${output}`);
      runs.server.push(onServer / 1000);
      runs.mock.push(onMock / 1000);
      const reported = /served in (\d+) ms/.exec(output.slice(from));
      if (reported) runs.reported.push(Number(reported[1]) / 1000);
      settings.log(
        `P6 round ${i + 1}/${rounds}: server ${(onServer / 1000).toFixed(2)} s, mock ${(onMock / 1000).toFixed(2)} s`,
      );
      await settle();
    }
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once("exit", resolve)));
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = { server: median(runs.server), mock: median(runs.mock) };
  const cases = Object.keys(seconds) as (keyof typeof seconds)[];
  return {
    title: "P6 `pnpm dev`: a saved spec edit served, wall time",
    ratioOf: `median seconds from the save until served ÷ ${budgetSeconds} s`,
    better: "lower",
    ratios: Object.fromEntries(cases.map((k) => [k, seconds[k] / budgetSeconds])),
    targets: Object.fromEntries(cases.map((k) => [k, 1])),
    measured: Object.fromEntries(cases.map((k) => [k, `${seconds[k].toFixed(2)} s (budget ${budgetSeconds} s)`])),
    details: {
      seconds: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map(round3)])),
    },
    notes: [
      "Each round saves a new value into openapi/components/examples/PatientRefund.yaml of a copy of the repository " +
        "and polls the server's /openapi.json and the mock's GET /api/patient-refunds/v1/{id} until they carry it; " +
        "the save-to-served path lints and rebundles in process and swaps the bundle into the running server and mock. " +
        "Types and docs are regenerated after that; each round starts once they are.",
    ],
  };
}
