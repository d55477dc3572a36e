// Opening a store by kind: in memory, embedded PostgreSQL (PGlite) in a local folder, or a PostgreSQL server.
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Store } from "@refunds-api/core";
import { createMemoryStore } from "@refunds-api/core";
import { type Logger, pino } from "pino";
import { ensureDir, lockDataDir, pgliteDb, poolDb, type SqlDb } from "./sql/db.js";
import { migrate } from "./sql/migrate.js";
import { createSqlStore } from "./sql/store.js";
import { copyEmbeddedTemplate, embeddedFromTemplate } from "./sql/template.js";

/** Which store to open, and where its data lives. */
export type StoreOptions =
  /** Everything in this process, gone when it ends. */
  | { kind: "memory" }
  /**
   * PostgreSQL compiled to WebAssembly (PGlite), in this process. With `dataDir` the data lives in that folder
   * (created when missing, one server at a time) and survives restarts; without it, it lives in memory.
   */
  | { kind: "embedded"; dataDir?: string }
  /** A PostgreSQL server (12 or newer), through a pool of at most `maxConnections` connections (10). */
  | { kind: "postgres"; databaseUrl: string; maxConnections?: number };

/** The kinds of store. */
export type StoreKind = StoreOptions["kind"];

/**
 * Opens a store: SQL stores are migrated to the current schema first. Close it with `store.close()`.
 *
 * ```ts
 * const store = await createStore({ kind: "postgres", databaseUrl: "postgres://localhost/refunds" });
 * const server = await startServer({ store }); // server.close() closes the store too
 * ```
 */
export async function createStore(options: StoreOptions, logger: Logger = pino({ level: "silent" })): Promise<Store> {
  if (options.kind === "memory") return createMemoryStore();
  const db =
    options.kind === "embedded" ? await openEmbedded(options.dataDir, logger) : await openPostgres(options, logger);
  try {
    const applied = await migrate(db);
    if (applied.length > 0) logger.info({ migrations: applied }, `Applied ${applied.length} schema migration(s)`);
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  return createSqlStore(db);
}

/** Where a store keeps its data, in words for the log; never a password. */
export function describeStore(options: StoreOptions): string {
  switch (options.kind) {
    case "memory":
      return "in memory (a restart starts over)";
    case "embedded":
      return options.dataDir
        ? `in embedded PostgreSQL (PGlite) under ${options.dataDir}`
        : "in embedded PostgreSQL (PGlite) in memory (a restart starts over)";
    case "postgres":
      return `in PostgreSQL at ${safeUrl(options.databaseUrl)}`;
  }
}

/** host:port/database of a connection string, without user or password. */
function safeUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.host || "localhost"}${url.pathname}`;
  } catch {
    return "(unreadable DATABASE_URL)";
  }
}

async function openEmbedded(dataDir: string | undefined, logger: Logger): Promise<SqlDb> {
  // Loaded on demand: the WebAssembly build is large, and memory or PostgreSQL stores never need it.
  const { PGlite } = await import("@electric-sql/pglite");
  // A new database starts as a copy of a migrated template (see sql/template.ts), not from initdb.
  if (dataDir === undefined) return pgliteDb(await embeddedFromTemplate(PGlite));
  ensureDir(dataDir);
  const release = lockDataDir(dataDir);
  const path = join(dataDir, "pglite");
  try {
    if (!existsSync(join(path, "PG_VERSION"))) {
      logger.info({ dataDir }, "Creating the embedded database (the first start on this machine takes a few seconds)");
      rmSync(path, { recursive: true, force: true });
      await copyEmbeddedTemplate(PGlite, path);
    }
    return pgliteDb(await PGlite.create(path), release);
  } catch (error) {
    release();
    throw new Error(`Could not open the embedded database under ${dataDir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function openPostgres(options: Extract<StoreOptions, { kind: "postgres" }>, logger: Logger): Promise<SqlDb> {
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.maxConnections ?? 10,
    application_name: "refunds-api",
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection that breaks (the server restarted) is dropped by the pool; without a listener it would
  // crash the process.
  pool.on("error", (error) => logger.warn({ err: error }, "PostgreSQL connection lost"));
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    await pool.end().catch(() => {});
    throw new Error(`Could not connect to PostgreSQL at ${safeUrl(options.databaseUrl)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return poolDb(pool);
}
