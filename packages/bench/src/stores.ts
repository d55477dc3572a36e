// The stores a benchmarked server runs on, and bulk seeding of generated refunds into them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Store, StoreOptions } from "@refunds-api/server";
// The throwaway cluster the repository's tests use too (a private workspace package, not another package's tests).
import { startPostgres } from "@refunds-api/test-support";
import pg from "pg";
import { patientRefundRow } from "./data.js";

/** The kinds of store the benchmark measures. */
export const storeKinds = ["memory", "embedded", "postgres"] as const;
export type StoreKind = (typeof storeKinds)[number];

/** Reports seeding progress: rows stored so far of the total. */
export type Progress = (done: number, total: number) => void;

/** Rows per insert: large enough that a round trip costs little per row, small enough for steady progress. */
const batchSize = 2_000;

/**
 * Stores `count` generated patient refunds through the store's bulk insert, two batches in flight so that making
 * the next batch overlaps storing the last. They charge no balance: the benchmark never asks for the overdraft
 * check.
 */
export async function seedRows(store: Store, count: number, progress: Progress): Promise<void> {
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const from = next;
      next = Math.min(count, next + batchSize);
      const rows = [];
      for (let i = from; i < next; i++) rows.push(patientRefundRow(i));
      await store.patientRefunds.insertMany(rows);
      done += rows.length;
      progress(done, count);
    }
  };
  await Promise.all([worker(), worker()]);
}

/** Places for the stores of one benchmark run; `close()` removes them all. */
export class StorePlaces {
  private readonly dirs: string[] = [];
  private cluster?: Promise<{ url: string; stop(): Promise<void> }>;
  private databases = 0;
  private readonly created: string[] = [];

  /** Options of a new, empty store of `kind`. */
  async place(kind: StoreKind): Promise<StoreOptions> {
    switch (kind) {
      case "memory":
        return { kind };
      case "embedded": {
        const dir = mkdtempSync(join(tmpdir(), "refunds-bench-"));
        this.dirs.push(dir);
        return { kind, dataDir: dir };
      }
      case "postgres":
        return { kind, databaseUrl: await this.newDatabase() };
    }
  }

  /** A new database on BENCH_DATABASE_URL's server, or on a throwaway cluster started for the run. */
  private async newDatabase(): Promise<string> {
    const given = process.env.BENCH_DATABASE_URL;
    this.cluster ??= given ? Promise.resolve({ url: given, stop: async () => {} }) : startPostgres();
    const { url } = await this.cluster;
    const name = `refunds_bench_${process.pid}_${++this.databases}`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    const database = new URL(url);
    database.pathname = `/${name}`;
    this.created.push(name);
    return database.toString();
  }

  async close(): Promise<void> {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    if (!this.cluster) return;
    const cluster = await this.cluster;
    // A server given by the caller keeps running: only the databases made here go.
    for (const name of this.created.splice(0)) {
      const client = new pg.Client({ connectionString: cluster.url });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => client.end());
    }
    await cluster.stop();
    this.cluster = undefined;
  }
}
