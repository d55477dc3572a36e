// The client's scenario suite against the Prism mock (shapes and status codes) and against the reference server
// behind Prism's validation proxy (behaviour), in memory and on PostgreSQL, and against the MSW handlers (the same
// rules in process), then the operation coverage of all runs together.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ApiError } from "@refunds-api/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledSpec } from "../support/spec.js";
import { coverage, declaredAnswers, formatCoverage, missing } from "./coverage.js";
import { type Exchange, indexSpec } from "./recorder.js";
import { type Scenario, scenarios } from "./scenarios.js";
import { mockTarget, mswTarget, postgresBacking, serverTarget, type Target, type TargetSpec } from "./targets.js";

const spec = bundledSpec();
const index = indexSpec(spec);
const artifacts = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));

const targets: TargetSpec[] = [
  mockTarget,
  serverTarget("server (memory)"),
  serverTarget("server (PostgreSQL)", postgresBacking),
  mswTarget,
];

/** Every exchange of every run, by target name, for the coverage table. */
const runs: Record<string, Exchange[]> = {};

async function play(target: Target, scenario: Scenario): Promise<void> {
  const t = target.context(scenario.route ?? "proxy", target.stateful ? undefined : scenario.prefer);
  const from = target.recorder.exchanges.length;
  let result: unknown;
  let error: unknown;
  try {
    result = await scenario.act(t);
  } catch (thrown) {
    error = thrown;
  }
  const exchanges = target.recorder.exchanges.slice(from);
  // Nothing on the wire may break the spec, whatever the client made of it.
  expect(
    exchanges.flatMap((e) => e.problems.map((p) => `${e.method} ${e.path} (${e.via}) → ${e.status}: ${p}`)),
  ).toEqual([]);
  const last = exchanges.at(-1);
  expect({ operationId: last?.operationId, status: last?.status, errorName: last?.errorName }).toEqual({
    errorName: undefined,
    ...scenario.want,
  });
  const state = t.state as Parameters<NonNullable<Scenario["keep"]>>[1];
  if (scenario.want.status < 400) {
    if (error) throw error;
    scenario.keep?.(result, state);
    if (target.stateful) scenario.behaves?.(result, state);
    return;
  }
  expect(error).toBeInstanceOf(ApiError);
  const apiError = error as ApiError<never, Record<string, unknown>>;
  expect({ status: apiError.status, errorName: apiError.errorName }).toEqual({
    status: scenario.want.status,
    errorName: scenario.want.errorName,
  });
  if (target.stateful) scenario.errorContent?.(apiError.content, state);
}

describe.each(targets)("the client against the $name", (targetSpec) => {
  let target: Target;
  // On a fresh machine the PostgreSQL run first installs Debian's package, which can take minutes.
  beforeAll(async () => {
    target = await targetSpec.start(index);
    runs[targetSpec.name] = target.recorder.exchanges;
  }, 10 * 60_000);
  afterAll(() => target?.stop());

  const steps = scenarios.filter((s) => targetSpec.stateful || !s.serversOnly);
  it.each(steps)("$name", (scenario) => play(target, scenario));
});

describe("operation coverage", () => {
  const declared = declaredAnswers(index.operations, spec.components.schemas as never);

  it("lists every status of every operation in the spec", () => {
    expect(declared.length).toBeGreaterThanOrEqual(index.operations.length * 2);
    expect(new Set(declared.map((d) => d.operationId))).toEqual(new Set(index.operations.map((o) => o.operationId)));
  });

  it("every declared operation × status (× error) was answered in some run", () => {
    const names = targets.map((t) => t.name);
    const rows = coverage(declared, runs);
    const table = formatCoverage(rows, names);
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, "contract-coverage.txt"), `${table}\n`);
    process.stdout.write(`\nOperation coverage of the contract runs (exchanges per run)\n${table}\n\n`);
    expect(Object.keys(runs).sort()).toEqual([...names].sort());
    expect(missing(rows)).toEqual([]);
  });
});
