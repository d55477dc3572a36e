// The stores under test, opened once per test file and emptied between tests: PGlite takes seconds to start, a
// database on the run's PostgreSQL cluster (vitest.config.ts, globalSetup) a moment; emptying tables takes
// milliseconds.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { Database } from "@refunds-api/test-support";
import { testDatabase } from "@refunds-api/test-support/vitest";
import pg from "pg";
import { createMemoryStore, type Store } from "../../src/index.js";
import { pgliteDb, poolDb, type SqlDb } from "../../src/store/sql/db.js";
import { migrate } from "../../src/store/sql/migrate.js";
import { createSqlStore } from "../../src/store/sql/store.js";
import { embeddedDataDir } from "../support/embedded.js";

/** Every kind of store; each contract test runs against all of them. */
export const storeKinds = ["memory", "embedded", "postgres"] as const;
export type StoreKind = (typeof storeKinds)[number];

/** A migrated SQL database of one kind, shared by the tests of a file. */
export interface SharedDb {
  db: SqlDb;
  /** The file's own database on the run's PostgreSQL cluster (postgres only), dropped by `close()`. */
  database?: Database;
  /** A superuser's connection string of that database (postgres only). */
  url?: string;
}

const tables = "patient_refunds, patient_refund_targets, non_insurance_payer_refunds, refund_balances, store_steps";

/** Opens each SQL database on first use and empties it for every test; `close()` in afterAll. */
export class TestStores {
  private readonly opened = new Map<"embedded" | "postgres", Promise<SharedDb>>();
  private readonly dirs: string[] = [];

  /** The shared database of a kind, opened and migrated on first use. */
  shared(kind: "embedded" | "postgres"): Promise<SharedDb> {
    let db = this.opened.get(kind);
    if (!db) {
      db = kind === "embedded" ? this.openEmbedded() : this.openPostgres();
      this.opened.set(kind, db);
    }
    return db;
  }

  /** An empty store of `kind`; closing it leaves the shared database open. */
  async empty(kind: StoreKind): Promise<Store> {
    if (kind === "memory") return createMemoryStore();
    const { db } = await this.shared(kind);
    await db.exec(`TRUNCATE ${tables}`);
    const store = createSqlStore(db);
    return { ...store, close: async () => {} };
  }

  async close(): Promise<void> {
    for (const db of this.opened.values()) {
      const { db: sql, database } = await db;
      await sql.close();
      await database?.drop();
    }
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }

  /** A new temporary folder, removed by `close()`. */
  tempDir(): string {
    return this.track(mkdtempSync(join(tmpdir(), "refunds-store-")));
  }

  /** Removes `dir` on `close()`. */
  track(dir: string): string {
    this.dirs.push(dir);
    return dir;
  }

  private async openEmbedded(): Promise<SharedDb> {
    const dir = this.track(await embeddedDataDir());
    const db = pgliteDb(await PGlite.create(join(dir, "pglite")));
    await migrate(db);
    return { db };
  }

  private async openPostgres(): Promise<SharedDb> {
    const database = await testDatabase("store_test");
    const pool = new pg.Pool({ connectionString: database.url, max: 10 });
    // The run's cluster drops this database (WITH FORCE) when the file ends, which may be before the pool is
    // closed: its idle connections then end with an error that must not be uncaught.
    pool.on("error", () => {});
    const db = poolDb(pool);
    await migrate(db);
    return { db, database, url: database.url };
  }
}
