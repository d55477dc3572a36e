// Side-by-side comparisons: both targets take the same workload in turn, round after round (the order flips every
// round), so noise from the rest of the machine lands on both; each round gives a ratio, and the median wins.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { median, run, type Workload } from "./load.js";
import type { Target } from "./servers.js";

/** How long and how hard to run. */
export interface Pace {
  rounds: number;
  durationSec: number;
  warmupSec: number;
  connections: number;
  /** Profile the CPU of the first target during the last round of each workload, into this directory. */
  profileDir?: string;
}

/** One workload compared: medians of both targets and the median of the per-round ratios a / b. */
export interface Compared {
  rps: { a: number; b: number };
  ratio: number;
  roundRatios: number[];
}

/** Writes one progress line. */
export type Log = (line: string) => void;

/** Compares throughput of `a` against `b` on each workload; the ratio is a / b. */
export async function compareThroughput(
  label: string,
  a: Target,
  b: Target,
  workloads: readonly Workload[],
  pace: Pace,
  log: Log,
): Promise<Record<string, Compared>> {
  if (pace.warmupSec > 0) {
    for (const workload of workloads) {
      for (const target of [a, b]) {
        await run(target.url, workload, { durationSec: pace.warmupSec, connections: pace.connections });
      }
    }
    log(`${label}: warmed up`);
  }
  const samples = new Map(workloads.map((w) => [w.name, { a: [] as number[], b: [] as number[] }]));
  for (let round = 0; round < pace.rounds; round++) {
    for (const workload of workloads) {
      const order: ("a" | "b")[] = round % 2 === 0 ? ["a", "b"] : ["b", "a"];
      const got: Record<string, number> = {};
      for (const side of order) {
        const target = side === "a" ? a : b;
        const measure = () =>
          run(target.url, workload, { durationSec: pace.durationSec, connections: pace.connections });
        const profiled = pace.profileDir && side === "a" && round === pace.rounds - 1 && target.profile;
        const file =
          pace.profileDir && join(pace.profileDir, `${label}-${workload.name.replace(/\W+/g, "-")}.cpuprofile`);
        if (profiled && pace.profileDir) mkdirSync(pace.profileDir, { recursive: true });
        const { rps } = profiled && file && target.profile ? await target.profile(file, measure) : await measure();
        samples.get(workload.name)?.[side].push(rps);
        got[side] = rps;
      }
      log(
        `${label} round ${round + 1}/${pace.rounds} ${workload.name}: ${a.name} ${fmt(got.a)} req/s, ${b.name} ${fmt(got.b)} req/s, ratio ${((got.a ?? 0) / (got.b ?? 1)).toFixed(2)}`,
      );
    }
  }
  const out: Record<string, Compared> = {};
  for (const [name, s] of samples) {
    const roundRatios = s.a.map((v, i) => v / (s.b[i] as number));
    out[name] = { rps: { a: median(s.a), b: median(s.b) }, ratio: median(roundRatios), roundRatios };
  }
  return out;
}

const fmt = (n: number | undefined) => Math.round(n ?? 0).toString();
