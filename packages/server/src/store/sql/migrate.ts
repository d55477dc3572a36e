// Schema migrations: plain `.sql` files applied in the order of their numbers, each recorded once in
// `schema_migrations` with a checksum. All pending files run in one transaction under an advisory lock, so two
// servers starting at once against one database apply each file exactly once, and a failing file leaves no trace.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { SqlDb } from "./db.js";

/** The migrations of the refund store, shipped with the package (`packages/server/migrations`). */
export const migrationsDir = fileURLToPath(new URL("../../../migrations/", import.meta.url));

/** One migration file. */
export interface Migration {
  /** The file name without `.sql`, such as `0001_refunds`; migrations run in the order of their numbers. */
  name: string;
  sql: string;
  checksum: string;
}

const fileName = /^\d+_[\w-]+\.sql$/;
// Any constant works; it names "the migration lock" of this application among other users of advisory locks.
const migrationLock = 7_351_204_211;

/** The migrations in `dir` (files named `<number>_<name>.sql`), in the order of their numbers. */
export function readMigrations(dir: string = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((f) => fileName.test(f))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || (a < b ? -1 : 1))
    .map((f) => {
      const sql = readFileSync(`${dir}/${f}`, "utf8");
      return { name: f.slice(0, -4), sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/**
 * Applies the migrations `db` has not recorded yet and returns their names. Refuses to start when a recorded
 * migration's file has changed since it ran, or when the database has migrations this code does not know.
 */
export async function migrate(db: SqlDb, migrations: readonly Migration[] = readMigrations()): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [migrationLock]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text COLLATE "C" PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const rows = await tx.query<{ name: string; checksum: string }>("SELECT name, checksum FROM schema_migrations");
    const applied = new Map(rows.map((r) => [r.name, r.checksum]));
    const known = new Set(migrations.map((m) => m.name));
    const unknown = [...applied.keys()].filter((name) => !known.has(name)).sort();
    if (unknown.length > 0) {
      throw new Error(
        `The database has migrations this server does not know (${unknown.join(", ")}): it was written by a newer version`,
      );
    }
    const ran: string[] = [];
    for (const migration of migrations) {
      const checksum = applied.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new Error(
            `Migration ${migration.name} changed after it was applied; add a new migration instead of editing it`,
          );
        }
        continue;
      }
      try {
        await tx.exec(migration.sql);
      } catch (error) {
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      await tx.query("INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", [
        migration.name,
        migration.checksum,
      ]);
      ran.push(migration.name);
    }
    return ran;
  });
}
