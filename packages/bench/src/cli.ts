// `pnpm bench`: runs P1–P7 and prints each ratio beside its target. Progress goes to stderr; the table (or, with
// --json, one JSON object) to stdout.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Pace } from "./compare.js";
import { describeMachine } from "./machine.js";
import { validationOverhead } from "./p1-validation.js";
import { againstPrism } from "./p2-prism.js";
import { listScaling } from "./p3-scaling.js";
import { generateTimes } from "./p4-generate.js";
import { clientOverhead } from "./p5-client.js";
import { devLoop } from "./p6-dev.js";
import { startTimes } from "./p7-start.js";
import { jsonReport, markdownReport, type Results, textReport } from "./report.js";
import type { BenchSettings, Section } from "./section.js";
import { type StoreKind, storeKinds } from "./stores.js";

const usage = `Usage: pnpm bench [options]

  --quick              short rounds and a smaller P3 (under a minute)
  --json               print one JSON object { p1, …, p7 } instead of the table
  --only p1,p3         run only these parts
  --rounds N           rounds of every comparison
  --duration S         seconds of each timed run
  --warmup S           seconds of warm-up per target and case (0: none)
  --connections N      concurrent connections of the throughput comparisons (P1, P2)
  --sizes A,B          P3: stored refunds compared (default 1000,1000000; --quick 1000,10000)
  --stores a,b         P3: stores to measure: memory, embedded, postgres (default: all three)
  --profile DIR        P1: profile each server once more per case, into DIR, with a table of CPU per request by package (DIR/P1-cpu.md)
  --out FILE           also write the results as Markdown to FILE
  --help               this text
`;

const sections: Record<string, (settings: BenchSettings) => Promise<Section>> = {
  p1: validationOverhead,
  p2: againstPrism,
  p3: listScaling,
  p4: generateTimes,
  p5: clientOverhead,
  p6: devLoop,
  p7: startTimes,
};

function settingsFrom(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      only: { type: "string" },
      rounds: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string" },
      sizes: { type: "string" },
      stores: { type: "string" },
      profile: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  const quick = values.quick;
  const num = (text: string | undefined, name: string): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, not "${text}"`);
    return n;
  };
  const override = (pace: Pace): Pace => ({
    rounds: num(values.rounds, "rounds") ?? pace.rounds,
    durationSec: num(values.duration, "duration") ?? pace.durationSec,
    warmupSec: num(values.warmup, "warmup") ?? pace.warmupSec,
    connections: pace.connections,
  });
  const sizes = (values.sizes ?? (quick ? "1000,10000" : "1000,1000000")).split(",").map((s) => num(s, "sizes"));
  if (sizes.length !== 2 || sizes.some((s) => !s))
    throw new Error("--sizes takes two positive counts, such as 1000,1000000");
  const only = (values.only ?? Object.keys(sections).join(",")).split(",").map((s) => s.trim().toLowerCase());
  for (const key of only) if (!sections[key]) throw new Error(`--only: unknown part ${key}`);
  const connections = num(values.connections, "connections") ?? 10;
  const settings: BenchSettings = {
    quick,
    pace: override(
      quick
        ? { rounds: 2, durationSec: 0.4, warmupSec: 0.2, connections }
        : { rounds: 5, durationSec: 2, warmupSec: 1, connections },
    ),
    latencyPace: override(
      quick
        ? { rounds: 2, durationSec: 0.4, warmupSec: 0.2, connections: 1 }
        : { rounds: 5, durationSec: 2, warmupSec: 1, connections: 1 },
    ),
    clientPace: override(
      quick
        ? { rounds: 2, durationSec: 0.4, warmupSec: 0.2, connections: 1 }
        : { rounds: 5, durationSec: 2, warmupSec: 0.5, connections: 1 },
    ),
    sizes: sizes as [number, number],
    stores: values.stores ? storesFrom(values.stores) : [...storeKinds],
    scriptRuns: num(values.rounds, "rounds") ?? (quick ? 1 : 3),
    pnpmStartup: !quick,
    cpuProfileDir: values.profile && resolve(values.profile),
    log: (line) => process.stderr.write(`${line}\n`),
  };
  return { settings, only, json: values.json, out: values.out, help: values.help };
}

function storesFrom(text: string): StoreKind[] {
  const stores = text.split(",").map((s) => s.trim());
  for (const store of stores) {
    if (!(storeKinds as readonly string[]).includes(store)) {
      throw new Error(`--stores: unknown store ${store} (known: ${storeKinds.join(", ")})`);
    }
  }
  return stores as StoreKind[];
}

async function main(argv: string[]) {
  const { settings, only, json, out, help } = settingsFrom(argv);
  if (help) {
    process.stdout.write(usage);
    return;
  }
  const machine = describeMachine();
  const results: Results = {};
  const started = performance.now();
  for (const key of only) {
    settings.log(`${key.toUpperCase()}: starting (${((performance.now() - started) / 1000).toFixed(0)} s so far)`);
    results[key] = await (sections[key] as (s: BenchSettings) => Promise<Section>)(settings);
  }
  settings.log(`Done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (out) {
    const file = resolve(process.env.INIT_CWD ?? process.cwd(), out);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, markdownReport(results, machine, `pnpm bench ${argv.filter((a) => a !== "--json").join(" ")}`));
  }
  process.stdout.write(`${json ? jsonReport(results, machine) : textReport(results, machine)}\n`);
}

main(process.argv.slice(2)).then(
  // Prism and the servers are child processes; exit even if one of them keeps a handle open.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
