// The machine a run happened on, printed with its results.
import { cpus, loadavg, totalmem } from "node:os";

/** Cores, memory, Node version and date of a run. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  date: string;
  /** Load average over the last minute when the run started: other work competing for the cores. */
  loadAverage: number;
}

/** Describes this machine, now. */
export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
