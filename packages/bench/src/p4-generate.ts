// P4: wall time of `pnpm generate` (bundle the spec, generate the types) and of its drift check. The root's own
// `generate` / `generate:check` scripts are run directly, as pnpm runs them (a shell at the root, the root's bins on
// PATH), so the package manager's start-up (timed apart) does not hide the scripts' own time.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./load.js";
import { round3 } from "./p1-validation.js";
import type { BenchSettings, Section } from "./section.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** The root package's script `name`, as `pnpm <name>` runs it. */
export function rootScript(name: string): string {
  const command = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts?.[name];
  if (typeof command !== "string") throw new Error(`the root package.json has no ${name} script`);
  return command;
}

/** Runs a root script as `pnpm <script> <args>` does, timed; when it fails, the end of its output. */
function runScript(script: string, args = ""): Promise<{ seconds: number; failure?: string }> {
  const command = `${rootScript(script)}${args}`;
  const path = [join(root, "node_modules", ".bin"), process.env.PATH].join(delimiter);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", command], { cwd: root, env: { ...process.env, PATH: path } });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-2000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.once("error", reject);
    child.once("exit", (code) => {
      const seconds = (performance.now() - started) / 1000;
      resolve(code === 0 ? { seconds } : { seconds, failure: `${script}: ${output.trim()}` });
    });
  });
}

async function timePnpmStartup(): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn("npx", ["-y", "pnpm@10.34.9", "--version"], { cwd: root, stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", () => resolve());
  });
  return (performance.now() - started) / 1000;
}

/** Runs P4. */
export async function generateTimes(settings: BenchSettings): Promise<Section> {
  const notes = [`Root scripts run directly with sh, as \`pnpm generate\` runs them: \`${rootScript("generate")}\`.`];
  if (/\bpnpm\b/.test(rootScript("generate") + rootScript("generate:check"))) {
    notes.push("The scripts start pnpm themselves: its start-up is in these times.");
  }
  // Full runs (`--no-record`: what a spec change or a clean clone costs) give the targets; runs answered from the
  // record of the last run (nothing changed since) are shown beside them.
  const runs = {
    generate: [] as number[],
    check: [] as number[],
    generateUnchanged: [] as number[],
    checkUnchanged: [] as number[],
  };
  let staleness: string | undefined;
  for (let i = 0; i < settings.scriptRuns; i++) {
    const c = await runScript("generate:check", " --no-record");
    runs.check.push(c.seconds);
    staleness ??= c.failure;
    // On a tree in sync `generate` rewrites nothing; on one that is not, it would overwrite work in progress, so
    // its time is then taken in check mode, which does the same work without writing.
    const generate = staleness ? "generate:check" : "generate";
    const g = await runScript(generate, " --no-record");
    runs.generate.push(g.seconds);
    runs.checkUnchanged.push((await runScript("generate:check")).seconds);
    runs.generateUnchanged.push((await runScript(generate)).seconds);
    settings.log(
      `P4 run ${i + 1}/${settings.scriptRuns}: full check ${c.seconds.toFixed(2)} s, full generate ${g.seconds.toFixed(2)} s; unchanged: check ${(runs.checkUnchanged.at(-1) as number).toFixed(2)} s, generate ${(runs.generateUnchanged.at(-1) as number).toFixed(2)} s`,
    );
  }
  const seconds = {
    generate: median(runs.generate),
    check: median(runs.check),
    "generate, nothing changed": median(runs.generateUnchanged),
    "check, nothing changed": median(runs.checkUnchanged),
  };
  const budgets: Record<keyof typeof seconds, number> = {
    generate: 3,
    check: 2,
    "generate, nothing changed": 3,
    "check, nothing changed": 2,
  };
  const details: Record<string, unknown> = {
    seconds: Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, round3(v)])),
    runs: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map(round3)])),
  };
  notes.push(
    "`generate` and `check` are full runs (`--no-record`), as after a spec change or on a clean clone; the " +
      "`nothing changed` runs are answered from the record of the last full run (see the root README).",
  );
  if (staleness) {
    notes.push("The generated files were out of date: generate was timed in check mode (nothing written).");
    details.checkOutput = staleness;
  }
  if (settings.pnpmStartup) {
    const startup = await timePnpmStartup();
    details.pnpmStartupSeconds = round3(startup);
    notes.push(
      `\`npx -y pnpm@10.34.9\` itself takes ${startup.toFixed(1)} s to start on this machine; \`pnpm generate\` adds that once.`,
    );
  }
  const cases = Object.keys(seconds) as (keyof typeof seconds)[];
  return {
    title: "P4 `pnpm generate` and the drift check, wall time",
    ratioOf: "wall time ÷ its budget (generate 3 s, check 2 s)",
    better: "lower",
    ratios: Object.fromEntries(cases.map((k) => [k, seconds[k] / budgets[k]])),
    targets: Object.fromEntries(cases.map((k) => [k, 1])),
    measured: Object.fromEntries(cases.map((k) => [k, `${seconds[k].toFixed(2)} s (budget ${budgets[k]} s)`])),
    details,
    notes,
  };
}
