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
  /**
   * After the measured rounds, one more run of each workload on every target that can be profiled, with its CPU
   * profiled into this directory (not counted: the profiler slows the server it watches).
   */
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
  /** The profiled runs, when asked for: each target's profile and the requests it served meanwhile. */
  profiles?: { target: string; file: string; requests: number }[];
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
 * every round, so no target always goes first. With `pace.profileDir`, a profiled run of each follows.
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
  const timed = { durationSec: pace.durationSec, connections: pace.connections };
  const samples = new Map(workloads.map((w) => [w.name, targets.map(() => [] as number[])]));
  for (let round = 0; round < pace.rounds; round++) {
    for (const workload of workloads) {
      const order = targets.map((_, i) => (i + round) % targets.length);
      if (targets.length === 2 && round % 2 === 1) order.reverse();
      const got: number[] = [];
      for (const index of order) {
        const target = targets[index] as Target;
        const { rps } = await run(target.url, workload, timed);
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
  const profiles = new Map<string, Measured["profiles"]>();
  if (pace.profileDir) {
    mkdirSync(pace.profileDir, { recursive: true });
    for (const workload of workloads) {
      const runs: NonNullable<Measured["profiles"]> = [];
      for (const target of targets) {
        if (!target.profile) continue;
        const file = join(pace.profileDir, `${label}-${workload.name.replace(/\W+/g, "-")}-${target.name}.cpuprofile`);
        const { rps } = await target.profile(file, () => run(target.url, workload, timed));
        runs.push({ target: target.name, file, requests: rps * pace.durationSec });
      }
      profiles.set(workload.name, runs);
    }
    log(`${label}: profiled every target once more per case, into ${pace.profileDir}`);
  }
  return Object.fromEntries(
    [...samples].map(([name, rounds]) => [
      name,
      profiles.has(name) ? { rounds, profiles: profiles.get(name) } : { rounds },
    ]),
  );
}

const fmt = (n: number | undefined) => Math.round(n ?? 0).toString();
