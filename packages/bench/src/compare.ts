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
  const measured = await measureThroughput(label, [a, b], workloads, pace, log);
  return Object.fromEntries(Object.entries(measured).map(([name, m]) => [name, compared(m, 0, 1)]));
}

/** One workload measured on several targets: requests per second of each target in each round. */
export interface Measured {
  /** `rounds[target][round]`, targets in the order given. */
  rounds: number[][];
}

/** The comparison of target `i` against target `j` in `measured`: medians, and the median of per-round ratios. */
export function compared(measured: Measured, i: number, j: number): Compared {
  const a = measured.rounds[i] ?? [];
  const b = measured.rounds[j] ?? [];
  const roundRatios = a.map((v, k) => v / (b[k] as number));
  return { rps: { a: median(a), b: median(b) }, ratio: median(roundRatios), roundRatios };
}

/**
 * Measures each target on each workload, round after round, all targets in turn within a round; the order rotates
 * every round, so no target always goes first. The first target is profiled in the last round when asked.
 */
export async function measureThroughput(
  label: string,
  targets: readonly Target[],
  workloads: readonly Workload[],
  pace: Pace,
  log: Log,
): Promise<Record<string, Measured>> {
  if (pace.warmupSec > 0) {
    for (const workload of workloads) {
      for (const target of targets) {
        await run(target.url, workload, { durationSec: pace.warmupSec, connections: pace.connections });
      }
    }
    log(`${label}: warmed up`);
  }
  const samples = new Map(workloads.map((w) => [w.name, targets.map(() => [] as number[])]));
  for (let round = 0; round < pace.rounds; round++) {
    for (const workload of workloads) {
      const order = targets.map((_, i) => (i + round) % targets.length);
      if (targets.length === 2 && round % 2 === 1) order.reverse();
      const got: number[] = [];
      for (const index of order) {
        const target = targets[index] as Target;
        const measure = () =>
          run(target.url, workload, { durationSec: pace.durationSec, connections: pace.connections });
        const profiled = pace.profileDir && index === 0 && round === pace.rounds - 1 && target.profile;
        const file =
          pace.profileDir && join(pace.profileDir, `${label}-${workload.name.replace(/\W+/g, "-")}.cpuprofile`);
        if (profiled && pace.profileDir) mkdirSync(pace.profileDir, { recursive: true });
        const { rps } = profiled && file && target.profile ? await target.profile(file, measure) : await measure();
        samples.get(workload.name)?.[index]?.push(rps);
        got[index] = rps;
      }
      const first = got[0] ?? 0;
      log(
        `${label} round ${round + 1}/${pace.rounds} ${workload.name}: ${targets.map((t, i) => `${t.name} ${fmt(got[i])}`).join(", ")} req/s` +
          targets
            .slice(1)
            .map((t, i) => `, ${targets[0]?.name} ÷ ${t.name} ${(first / (got[i + 1] ?? 1)).toFixed(2)}`)
            .join(""),
      );
    }
  }
  return Object.fromEntries([...samples].map(([name, rounds]) => [name, { rounds }]));
}

const fmt = (n: number | undefined) => Math.round(n ?? 0).toString();
