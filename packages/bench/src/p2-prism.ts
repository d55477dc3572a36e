// P2: the reference server (memory store) against the Prism mock on the same requests.
import { startMock } from "@refunds-api/testing";
import { compareThroughput } from "./compare.js";
import { crudWorkloads, round3, throughputRows } from "./p1-validation.js";
import type { BenchSettings, Section } from "./section.js";
import { startServe, stopAll, type Target } from "./servers.js";

/** Runs P2. */
export async function againstPrism(settings: BenchSettings): Promise<Section> {
  let ours: Target | undefined;
  let prism: Target | undefined;
  try {
    // Prism as it is: the wire front of `startMock()` is a proxy of our own, which would only slow Prism down.
    const [server, mock] = await Promise.allSettled([
      startServe("server", { app: "validated", store: { kind: "memory" }, rows: throughputRows }),
      startMock({ wire: false }),
    ]);
    if (server.status === "fulfilled") ours = server.value;
    if (mock.status === "fulfilled") prism = { name: "prism", url: mock.value.url, stop: mock.value.stop };
    if (!ours || !prism) {
      throw (server.status === "rejected" ? server.reason : (mock as PromiseRejectedResult).reason) as Error;
    }
    const compared = await compareThroughput("P2", ours, prism, crudWorkloads, settings.pace, settings.log);
    return {
      title: "P2 reference server (memory store) vs Prism mock",
      ratioOf: "requests/s of the reference server ÷ requests/s of Prism",
      better: "higher",
      ratios: Object.fromEntries(Object.entries(compared).map(([k, v]) => [k, v.ratio])),
      targets: Object.fromEntries(crudWorkloads.map((w) => [w.name, 5])),
      measured: Object.fromEntries(
        Object.entries(compared).map(([k, v]) => [k, `${Math.round(v.rps.a)} vs ${Math.round(v.rps.b)} req/s`]),
      ),
      details: Object.fromEntries(
        Object.entries(compared).map(([k, v]) => [
          k,
          { serverRps: Math.round(v.rps.a), prismRps: Math.round(v.rps.b), roundRatios: v.roundRatios.map(round3) },
        ]),
      ),
      notes: [
        "Prism is compared directly (`startMock({ wire: false })`): the wire front `startMock()` puts before it by default adds a proxy hop.",
        "Prism answers the spec's examples (a page of one or two refunds for either list); the server answers real pages from its store, fully validated.",
      ],
    };
  } finally {
    await stopAll([ours, prism]);
  }
}
