// P1: the reference server, fully validated (security, request and response validation, store), against bare
// Express 5 running the same handlers without any of it, and against the same handlers behind the validator's stock
// setup (what its documentation builds, without the server's response row cache).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compared, type Measured, measureThroughput } from "./compare.js";
import { type CpuProfile, cpuByPackage, cpuTable } from "./cpu-profile.js";
import { createBody, knownRefundId, updateBody } from "./data.js";
import type { Workload } from "./load.js";
import type { BenchSettings, Section } from "./section.js";
import { startServe, stopAll, type Target } from "./servers.js";

const collection = "/api/patient-refunds/v1";

/** The calls P1 and P2 send: pages of 10 and 100, a get, an update and a create of patient refunds. */
export const crudWorkloads: Workload[] = [
  { name: "list 10", method: "GET", path: `${collection}?limit=10` },
  { name: "list 100", method: "GET", path: `${collection}?limit=100` },
  { name: "get", method: "GET", path: `${collection}/${knownRefundId}` },
  { name: "update", method: "PATCH", path: `${collection}/${knownRefundId}`, body: updateBody },
  // Last: every create adds a refund, which the lists of later rounds then show on top, on both servers alike.
  { name: "create", method: "POST", path: collection, body: createBody },
];

/** Refunds stored in the throughput comparisons. */
export const throughputRows = 1_000;

/** P1's targets: the validated server against bare Express, and against the validator's stock setup. */
export const p1Targets = { bare: 0.8, stock: 1.4 };

/** Runs P1. */
export async function validationOverhead(settings: BenchSettings): Promise<Section> {
  let targets: Target[] = [];
  try {
    targets = await Promise.all([
      startServe("validated", { app: "validated", store: { kind: "memory" }, rows: throughputRows }),
      startServe("bare", { app: "bare", store: { kind: "memory" }, rows: throughputRows }),
      startServe("stock", { app: "stock", store: { kind: "memory" }, rows: throughputRows }),
    ]);
    const pace = { ...settings.pace, profileDir: settings.cpuProfileDir };
    const measured = await measureThroughput("P1", targets, crudWorkloads, pace, settings.log);
    const section: Section = {
      title: "P1 validated server vs bare Express (same handlers, no validation) and vs the validator's stock setup",
      ratioOf:
        "requests/s of the validated server ÷ requests/s of bare Express (÷ bare), and ÷ requests/s of the same " +
        "handlers behind express-openapi-validator's stock middleware() with request and response validation (÷ stock)",
      better: "higher",
      ratios: {},
      targets: {},
      measured: {},
      details: {},
      notes: [
        `All three servers in their own process on the memory store with ${throughputRows} stored refunds plus the seed; ${settings.pace.connections} connections.`,
        "Validated: the server as `pnpm start` builds it: express-openapi-validator's middleware() for security and requests, the response check with its row cache, logging silent.",
        "Stock (src/stock.ts): middleware() with validateRequests and validateResponses, the handlers as Express routes, no row cache.",
      ],
    };
    for (const [name, m] of Object.entries(measured)) {
      for (const [against, index] of [
        ["bare", 1],
        ["stock", 2],
      ] as const) {
        const c = compared(m, 0, index);
        const key = `${name} ÷ ${against}`;
        section.ratios[key] = c.ratio;
        section.targets[key] = p1Targets[against];
        section.measured[key] = `${Math.round(c.rps.a)} vs ${Math.round(c.rps.b)} req/s`;
        section.details[key] = {
          validatedRps: Math.round(c.rps.a),
          [`${against}Rps`]: Math.round(c.rps.b),
          roundRatios: c.roundRatios.map(round3),
        };
      }
    }
    if (settings.cpuProfileDir) {
      const file = join(settings.cpuProfileDir, "P1-cpu.md");
      const report = cpuReport(measured);
      writeFileSync(file, report);
      section.notes.push(`CPU per request by package, from a profiled run of each server per case: ${file}`);
      settings.log(report);
    }
    return section;
  } finally {
    await stopAll(targets);
  }
}

/** Each case's profiled runs as a table of CPU per request by package. */
function cpuReport(measured: Record<string, Measured>): string {
  const parts = ["# P1: where each server's CPU went", ""];
  for (const [name, m] of Object.entries(measured)) {
    const runs = (m.profiles ?? []).map((p) => ({
      target: p.target,
      byPackage: cpuByPackage(JSON.parse(readFileSync(p.file, "utf8")) as CpuProfile, p.requests),
    }));
    parts.push(`## ${name}`, "", cpuTable(runs), "");
  }
  return parts.join("\n");
}

/** Rounds to three decimals, for the report. */
export const round3 = (n: number) => Math.round(n * 1000) / 1000;
