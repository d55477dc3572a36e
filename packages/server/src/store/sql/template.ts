// A migrated, empty embedded database kept in the temp folder, copied into each new data folder. Creating a PGlite
// database runs initdb in WebAssembly and then the migrations (seconds); copying a folder takes a fraction of that.
// One template per PGlite version and set of migrations: its name changes with either, so a stale one is never used.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { pgliteDb } from "./db.js";
import { migrate, readMigrations } from "./migrate.js";

type PGliteClass = typeof PGlite;

/** Where the template for this PGlite and these migrations lives (it may not exist yet). */
export function embeddedTemplatePath(): string {
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  const manifest = join(dirname(entry), "..", "package.json");
  const version = (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
  const key = createHash("sha256")
    .update(version)
    .update(
      readMigrations()
        .map((m) => `${m.name}:${m.checksum}`)
        .join(),
    )
    .digest("hex")
    .slice(0, 16);
  return join(tmpdir(), `refunds-api-embedded-template-${key}`);
}

let making: Promise<string> | undefined;

/** The template folder (`<path>/pglite` holds the database), created on first use on this machine. */
export function embeddedTemplate(PGliteClass: PGliteClass): Promise<string> {
  making ??= makeTemplate(PGliteClass).catch((error: unknown) => {
    making = undefined;
    throw error;
  });
  return making;
}

async function makeTemplate(PGliteClass: PGliteClass): Promise<string> {
  const path = embeddedTemplatePath();
  if (existsSync(join(path, "complete"))) return path;
  const fresh = mkdtempSync(join(tmpdir(), "refunds-api-embedded-template-new-"));
  try {
    const db = pgliteDb(await PGliteClass.create(join(fresh, "pglite")));
    try {
      await migrate(db);
    } finally {
      await db.close();
    }
    // The dump loads an in-memory database without initdb.
    const pglite = await PGliteClass.create(join(fresh, "pglite"));
    try {
      const dump = await pglite.dumpDataDir("none");
      writeFileSync(join(fresh, "pglite.tar"), Buffer.from(await dump.arrayBuffer()));
    } finally {
      await pglite.close();
    }
    writeFileSync(join(fresh, "complete"), "");
    rmSync(path, { recursive: true, force: true });
    renameSync(fresh, path);
  } catch (error) {
    rmSync(fresh, { recursive: true, force: true });
    // Another process made it first.
    if (existsSync(join(path, "complete"))) return path;
    throw error;
  }
  return path;
}

/** Copies the template's database into `target` (a folder that does not exist yet). */
export async function copyEmbeddedTemplate(PGliteClass: PGliteClass, target: string): Promise<void> {
  const template = await embeddedTemplate(PGliteClass);
  cpSync(join(template, "pglite"), target, { recursive: true });
}

/** An in-memory PGlite loaded from the template's dump. */
export async function embeddedFromTemplate(PGliteClass: PGliteClass): Promise<PGlite> {
  const template = await embeddedTemplate(PGliteClass);
  return PGliteClass.create({ loadDataDir: new Blob([readFileSync(join(template, "pglite.tar"))]) });
}
