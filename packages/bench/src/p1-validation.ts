// P1: the reference server, fully validated (security, request and response validation, store), against bare
// Express 5 running the same handlers without any of it.
import { compareThroughput } from "./compare.js";
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

/** Runs P1. */
export async function validationOverhead(settings: BenchSettings): Promise<Section> {
  let validated: Target | undefined;
  let bare: Target | undefined;
  try {
    [validated, bare] = await Promise.all([
      startServe("validated", { app: "validated", store: { kind: "memory" }, rows: throughputRows }),
      startServe("bare", { app: "bare", store: { kind: "memory" }, rows: throughputRows }),
    ]);
    const pace = { ...settings.pace, profileDir: settings.cpuProfileDir };
    const compared = await compareThroughput("P1", validated, bare, crudWorkloads, pace, settings.log);
    return {
      title: "P1 validated server vs bare Express (same handlers, no validation)",
      ratioOf: "requests/s of the validated server ÷ requests/s of bare Express",
      better: "higher",
      ratios: Object.fromEntries(Object.entries(compared).map(([k, v]) => [k, v.ratio])),
      targets: Object.fromEntries(crudWorkloads.map((w) => [w.name, 0.85])),
      measured: Object.fromEntries(
        Object.entries(compared).map(([k, v]) => [k, `${Math.round(v.rps.a)} vs ${Math.round(v.rps.b)} req/s`]),
      ),
      details: Object.fromEntries(
        Object.entries(compared).map(([k, v]) => [
          k,
          { validatedRps: Math.round(v.rps.a), bareRps: Math.round(v.rps.b), roundRatios: v.roundRatios.map(round3) },
        ]),
      ),
      notes: [
        `Both servers in their own process on the memory store with ${throughputRows} stored refunds plus the seed; ${settings.pace.connections} connections.`,
        "Validated: security, request validation and response validation (express-openapi-validator), logging silent.",
      ],
    };
  } finally {
    await stopAll([validated, bare]);
  }
}

/** Rounds to three decimals, for the report. */
export const round3 = (n: number) => Math.round(n * 1000) / 1000;
