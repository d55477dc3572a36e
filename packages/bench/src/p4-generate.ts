// P4: wall time of `pnpm generate` (bundle the spec, generate the types) and of its drift check. The packages'
// own `generate` / `generate:check` scripts are run directly, in dependency order as `pnpm -r` runs them, so the
// package manager's start-up (timed apart) does not hide the scripts' own time.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./load.js";
import { round3 } from "./p1-validation.js";
import type { BenchSettings, Section } from "./section.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

interface ScriptPackage {
  name: string;
  dir: string;
  scripts: Record<string, string>;
  dependsOn: string[];
}

/** Workspace packages with a `generate` script, dependencies first. */
export function generatingPackages(): ScriptPackage[] {
  const packagesDir = join(root, "packages");
  const all: ScriptPackage[] = readdirSync(packagesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => {
      const dir = join(packagesDir, d.name);
      try {
        const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
        const deps = { ...manifest.dependencies, ...manifest.devDependencies };
        return [{ name: manifest.name, dir, scripts: manifest.scripts ?? {}, dependsOn: Object.keys(deps) }];
      } catch {
        return [];
      }
    });
  const generating = all.filter((p) => p.scripts.generate);
  const ordered: ScriptPackage[] = [];
  const visit = (p: ScriptPackage, path: string[]) => {
    if (ordered.includes(p) || path.includes(p.name)) return;
    for (const dep of p.dependsOn) {
      const d = generating.find((g) => g.name === dep);
      if (d) visit(d, [...path, p.name]);
    }
    ordered.push(p);
  };
  for (const p of generating) visit(p, []);
  return ordered;
}

/** Runs a package script the way pnpm does (a shell in the package, its and the root's bins on PATH), timed. */
function runScript(pkg: ScriptPackage, script: string): Promise<{ seconds: number; code: number; output: string }> {
  const command = pkg.scripts[script];
  if (!command) throw new Error(`${pkg.name} has no ${script} script`);
  const path = [join(pkg.dir, "node_modules", ".bin"), join(root, "node_modules", ".bin"), process.env.PATH].join(
    delimiter,
  );
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", command], { cwd: pkg.dir, env: { ...process.env, PATH: path } });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-2000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.once("error", reject);
    child.once("exit", (code) => resolve({ seconds: (performance.now() - started) / 1000, code: code ?? 1, output }));
  });
}

/** Runs `script` of every generating package in order; the total wall time and whether all passed. */
async function runAll(packages: readonly ScriptPackage[], script: string) {
  let seconds = 0;
  const failures: string[] = [];
  for (const pkg of packages) {
    const r = await runScript(pkg, script);
    seconds += r.seconds;
    if (r.code !== 0) failures.push(`${pkg.name} ${script}: ${r.output.trim()}`);
  }
  return { seconds, failures };
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
  const packages = generatingPackages();
  const names = packages.map((p) => p.name).join(" → ");
  const notes = [`Scripts run directly with node, in order ${names}, as \`pnpm -r generate\` runs them.`];
  const check: number[] = [];
  const generate: number[] = [];
  let inSync = true;
  for (let i = 0; i < settings.scriptRuns; i++) {
    const c = await runAll(packages, "generate:check");
    check.push(c.seconds);
    if (c.failures.length > 0) inSync = false;
    settings.log(`P4 run ${i + 1}/${settings.scriptRuns}: drift check ${c.seconds.toFixed(2)} s`);
    // On a tree in sync `generate` rewrites nothing; on one that is not, it would overwrite work in progress, so
    // its time is then taken in check mode, which does the same work without writing.
    const g = await runAll(packages, inSync ? "generate" : "generate:check");
    generate.push(g.seconds);
    settings.log(`P4 run ${i + 1}/${settings.scriptRuns}: generate ${g.seconds.toFixed(2)} s`);
  }
  if (!inSync) notes.push("The generated files were out of date: generate was timed in check mode (nothing written).");
  const seconds = { generate: median(generate), check: median(check) };
  const details: Record<string, unknown> = {
    seconds: { generate: round3(seconds.generate), check: round3(seconds.check) },
    runs: { generate: generate.map(round3), check: check.map(round3) },
  };
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
