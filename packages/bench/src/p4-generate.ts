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
  const check: number[] = [];
  const generate: number[] = [];
  const fullCheck: number[] = [];
  let staleness: string | undefined;
  for (let i = 0; i < settings.scriptRuns; i++) {
    const c = await runScript("generate:check");
    check.push(c.seconds);
    staleness ??= c.failure;
    settings.log(`P4 run ${i + 1}/${settings.scriptRuns}: drift check ${c.seconds.toFixed(2)} s`);
    // On a tree in sync `generate` rewrites nothing; on one that is not, it would overwrite work in progress, so
    // its time is then taken in check mode, which does the same work without writing.
    const g = await runScript(staleness ? "generate:check" : "generate");
    generate.push(g.seconds);
    settings.log(`P4 run ${i + 1}/${settings.scriptRuns}: generate ${g.seconds.toFixed(2)} s`);
    // The time after a spec change: the same check without the record of the last run.
    const f = await runScript("generate:check", " --no-record");
    fullCheck.push(f.seconds);
    settings.log(`P4 run ${i + 1}/${settings.scriptRuns}: drift check in full ${f.seconds.toFixed(2)} s`);
  }
  const seconds = { generate: median(generate), check: median(check) };
  const details: Record<string, unknown> = {
    seconds: { generate: round3(seconds.generate), check: round3(seconds.check) },
    runs: { generate: generate.map(round3), check: check.map(round3) },
    fullCheckSeconds: round3(median(fullCheck)),
    fullCheckRuns: fullCheck.map(round3),
  };
  notes.push(
    "Unchanged inputs are answered from the record of the last run; a full run (after a spec change, or " +
      `\`pnpm generate:check --no-record\`) takes ${median(fullCheck).toFixed(2)} s.`,
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
  const targets = { generate: 3, check: 2 };
  return {
    title: "P4 `pnpm generate` and the drift check, wall time",
    ratioOf: "wall time ÷ its budget (generate 3 s, check 2 s)",
    better: "lower",
    ratios: { generate: seconds.generate / targets.generate, check: seconds.check / targets.check },
    targets: { generate: 1, check: 1 },
    measured: {
      generate: `${seconds.generate.toFixed(2)} s (budget 3 s)`,
      check: `${seconds.check.toFixed(2)} s (budget 2 s)`,
    },
    details,
    notes,
  };
}
