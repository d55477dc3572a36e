// How many cases run and from which seed (set by `pnpm fuzz`, or the environment), and the failure report that
// says how to replay a case.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";

/** Settings of a fuzz run, from FUZZ_RUNS, FUZZ_SEED and FUZZ_PATH. */
export const fuzzSettings = {
  /** Cases per operation (and per stateful property); 200 by default, as CI runs them. */
  runs: positive(process.env.FUZZ_RUNS) ?? 200,
  seed: process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED),
  path: process.env.FUZZ_PATH || undefined,
};

function positive(text: string | undefined): number | undefined {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** A test timeout that grows with the number of runs (about 15 ms a case, and never under 60 s). */
export function timeoutFor(runs: number, msPerRun = 15): number {
  return Math.max(60_000, runs * msPerRun * 4);
}

/**
 * Runs `property` `runs` times; on failure throws fast-check's report (seed, path, the shrunk counterexample and
 * its error, which carries the curl commands) and the command that replays exactly that case.
 */
export async function fuzz<T>(name: string, property: fc.IAsyncProperty<T>, runs: number): Promise<void> {
  const details = await fc.check(property, {
    // A path replays one case (and its shrinks), not a whole run.
    numRuns: fuzzSettings.path ? 1 : runs,
    seed: fuzzSettings.seed,
    path: fuzzSettings.path,
  });
  if (!details.failed) return;
  const replay = `pnpm fuzz --seed ${details.seed} --path ${details.counterexamplePath} -t ${JSON.stringify(name)}`;
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(`${name}\n${fc.defaultReportMessage(details)}\n\n${error}\n\nReplay this case: ${replay}`);
}

/** Counts of cases by operation and kind, written to test-artifacts/fuzz/ at the end of a file. */
export class CaseCounter {
  private readonly counts = new Map<string, Map<string, number>>();

  add(operationId: string, kind: string): void {
    const byKind = this.counts.get(operationId) ?? new Map<string, number>();
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    this.counts.set(operationId, byKind);
  }

  /** `{operationId: {total, valid, wrong-type, ...}}`. */
  summary(): Record<string, Record<string, number>> {
    return Object.fromEntries(
      [...this.counts].map(([op, byKind]) => [
        op,
        { total: [...byKind.values()].reduce((a, b) => a + b, 0), ...Object.fromEntries([...byKind].sort()) },
      ]),
    );
  }

  /** Writes the summary as JSON under test-artifacts/fuzz/ and returns its path. */
  write(name: string): string {
    const file = fileURLToPath(new URL(`../../test-artifacts/fuzz/${name}.json`, import.meta.url));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ settings: fuzzSettings, cases: this.summary() }, null, 2)}\n`);
    return file;
  }
}
