// P3: list latency (p50, p99) for a page of 100 with few and with many stored refunds, per store.
import type { Log } from "./compare.js";
import { median, percentile, run, type Workload } from "./load.js";
import { round3 } from "./p1-validation.js";
import type { BenchSettings, Section } from "./section.js";
import { startServe, stopAll, type Target } from "./servers.js";
import { type StoreKind, StorePlaces } from "./stores.js";

const collection = "/api/patient-refunds/v1";

/** The pages P3 reads: the default first page, and a filtered page sorted by another field. */
const pages: Workload[] = [
  { name: "page", method: "GET", path: `${collection}?limit=100` },
  {
    name: "filtered",
    method: "GET",
    path: `${collection}?limit=100&sort=amount_cents&sort_direction=asc&sources=STRIPE`,
  },
];

interface Latency {
  p50: number;
  p99: number;
}

/** Runs P3 for every store in `settings.stores`. */
export async function listScaling(settings: BenchSettings): Promise<Section> {
  const [small, large] = settings.sizes;
  const ratios: Record<string, number> = {};
  const measured: Record<string, string> = {};
  const details: Record<string, unknown> = {};
  const notes = [
    `Latency of one client sending page requests one after the other (limit=100); ${small.toLocaleString("en")} vs ${large.toLocaleString("en")} stored patient refunds.`,
    "`page`: the default first page (newest first); `filtered`: sources=STRIPE (a fifth of the rows) sorted by amount.",
    `Stores measured: ${settings.stores.join(", ")}. Seeded through the store's bulk insert (\`insertMany\`), then analyzed (SQL stores: VACUUM ANALYZE, as autovacuum would soon after).`,
  ];
  if (settings.stores.includes("embedded")) {
    notes.push("`embedded`: PGlite in the server's process, its data folder in a temporary directory.");
  }
  if (settings.stores.includes("postgres")) {
    notes.push(
      process.env.BENCH_DATABASE_URL
        ? "`postgres`: new databases on the server BENCH_DATABASE_URL names."
        : "`postgres`: a throwaway local PostgreSQL cluster (default settings, but fsync off: the measured calls only read), reached over loopback TCP through the server's pool.",
    );
  }
  for (const store of settings.stores) {
    const scaled = await scalingOf(store, small, large, settings);
    for (const [page, m] of Object.entries(scaled)) {
      for (const p of ["p50", "p99"] as const) {
        ratios[`${store} ${page} ${p}`] = m.ratio[p];
        measured[`${store} ${page} ${p}`] = `${m.small[p].toFixed(2)} → ${m.large[p].toFixed(2)} ms`;
      }
      details[`${store} ${page}`] = {
        smallMs: { p50: round3(m.small.p50), p99: round3(m.small.p99) },
        largeMs: { p50: round3(m.large.p50), p99: round3(m.large.p99) },
        seedSeconds: round3(m.seedSeconds),
      };
    }
  }
  return {
    title: `P3 list latency, ${large.toLocaleString("en")} vs ${small.toLocaleString("en")} stored refunds`,
    ratioOf: `latency with ${large.toLocaleString("en")} refunds ÷ latency with ${small.toLocaleString("en")}`,
    better: "lower",
    ratios,
    targets: Object.fromEntries(Object.keys(ratios).map((k) => [k, 1.5])),
    measured,
    details,
    notes,
  };
}

interface Scaled {
  small: Latency;
  large: Latency;
  ratio: Latency;
  seedSeconds: number;
}

async function scalingOf(
  store: StoreKind,
  small: number,
  large: number,
  settings: BenchSettings,
): Promise<Record<string, Scaled>> {
  const { log } = settings;
  let few: Target | undefined;
  let many: Target | undefined;
  const places = new StorePlaces();
  try {
    const seeding = performance.now();
    const started = await Promise.allSettled([
      startServe(`${store} ${small}`, { app: "validated", store: await places.place(store), rows: small }),
      startServe(
        `${store} ${large}`,
        { app: "validated", store: await places.place(store), rows: large },
        { onProgress: seedProgress(`P3 seeding ${store}`, log), maxOldSpaceMb: 8192, startTimeoutMs: 1_800_000 },
      ),
    ]);
    const seedSeconds = (performance.now() - seeding) / 1000;
    [few, many] = started.map((s) => (s.status === "fulfilled" ? s.value : undefined));
    const failed = started.find((s) => s.status === "rejected");
    if (failed || !few || !many) throw (failed as PromiseRejectedResult | undefined)?.reason ?? new Error("no server");
    log(`P3 ${store}: ${large.toLocaleString("en")} refunds stored in ${seedSeconds.toFixed(1)} s`);
    const out: Record<string, Scaled> = {};
    for (const page of pages) out[page.name] = await compareLatency(store, page, few, many, settings);
    for (const value of Object.values(out)) value.seedSeconds = seedSeconds;
    return out;
  } finally {
    await stopAll([few, many]);
    await places.close();
  }
}

async function compareLatency(
  store: string,
  page: Workload,
  few: Target,
  many: Target,
  settings: BenchSettings,
): Promise<Scaled> {
  const pace = settings.latencyPace;
  const options = { durationSec: pace.durationSec, connections: pace.connections, latencies: true };
  if (pace.warmupSec > 0) {
    for (const target of [few, many]) await run(target.url, page, { ...options, durationSec: pace.warmupSec });
  }
  const all = { few: [] as number[], many: [] as number[] };
  const roundRatios = { p50: [] as number[], p99: [] as number[] };
  for (let round = 0; round < pace.rounds; round++) {
    const got: Record<string, Latency> = {};
    for (const side of round % 2 === 0 ? (["few", "many"] as const) : (["many", "few"] as const)) {
      const { latencies } = await run((side === "few" ? few : many).url, page, options);
      all[side].push(...latencies);
      got[side] = { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
    }
    const f = got.few as Latency;
    const m = got.many as Latency;
    roundRatios.p50.push(m.p50 / f.p50);
    roundRatios.p99.push(m.p99 / f.p99);
    settings.log(
      `P3 ${store} ${page.name} round ${round + 1}/${pace.rounds}: p50 ${f.p50.toFixed(2)} → ${m.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} → ${m.p99.toFixed(2)} ms`,
    );
  }
  return {
    small: { p50: percentile(all.few, 50), p99: percentile(all.few, 99) },
    large: { p50: percentile(all.many, 50), p99: percentile(all.many, 99) },
    ratio: { p50: median(roundRatios.p50), p99: median(roundRatios.p99) },
    seedSeconds: 0,
  };
}

/** Logs seeding progress at most every two seconds. */
function seedProgress(label: string, log: Log) {
  const started = performance.now();
  let last = 0;
  return (done: number, total: number) => {
    const now = performance.now();
    if (done < total && now - last < 2_000) return;
    last = now;
    const seconds = (now - started) / 1000;
    const eta = done > 0 ? (seconds * (total - done)) / done : 0;
    log(
      `${label}: ${done.toLocaleString("en")}/${total.toLocaleString("en")} (${Math.round((100 * done) / total)}%, ${seconds.toFixed(0)} s, ~${eta.toFixed(0)} s left)`,
    );
  };
}
