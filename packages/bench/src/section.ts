// What every part of the report returns, and the settings every part reads.
import type { Log, Pace } from "./compare.js";
import type { StoreKind } from "./stores.js";

/** One part of the report (P1–P5): a ratio per measured case, each with its target. */
export interface Section {
  title: string;
  /** What the ratio is, in words. */
  ratioOf: string;
  /** Whether a ratio meets its target by being at least it (`higher`) or at most it (`lower`). */
  better: "higher" | "lower";
  ratios: Record<string, number>;
  targets: Record<string, number>;
  /** What was measured for each ratio, in words (`4210 vs 4890 req/s`). */
  measured: Record<string, string>;
  /** The measurements behind the ratios. */
  details: Record<string, unknown>;
  /** Anything the reader must know to read the numbers right. */
  notes: string[];
}

/** Settings of one benchmark run. */
export interface BenchSettings {
  quick: boolean;
  pace: Pace;
  /** P3: the stored refund counts compared (small, large). */
  sizes: [number, number];
  /** P3: the stores measured. */
  stores: StoreKind[];
  /** P3: rounds and duration of each latency run. */
  latencyPace: Pace;
  /** P4: timed runs of each script. */
  scriptRuns: number;
  /** P4: also time `npx pnpm --version` (the package manager's own start-up). */
  pnpmStartup: boolean;
  /** P5: rounds and duration of each client run. */
  clientPace: Pace;
  /** P1: profile every server in one more run per case, and write the profiles and a CPU table here. */
  cpuProfileDir?: string;
  log: Log;
}

/** Whether `ratio` meets `target`. */
export function meets(section: Pick<Section, "better">, ratio: number, target: number): boolean {
  return section.better === "higher" ? ratio >= target : ratio <= target;
}
