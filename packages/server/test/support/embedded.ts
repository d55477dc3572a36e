// Data folders holding a migrated embedded database, for tests. Creating a PGlite database runs initdb in
// WebAssembly (seconds); copying a folder takes milliseconds. So the first call on a machine creates a template
// through `createStore` (the path `pnpm start` takes) and keeps it in the temp folder, under a name that changes
// with the PGlite version and the migrations; every call copies it.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createStore } from "../../src/index.js";
import { readMigrations } from "../../src/store/sql/migrate.js";

let template: Promise<string> | undefined;

function templatePath(): string {
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  const pglite = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")).version as string;
  const key = createHash("sha256")
    .update(pglite)
    .update(
      readMigrations()
        .map((m) => m.checksum)
        .join(),
    )
    .digest("hex");
  return join(tmpdir(), `refunds-api-embedded-template-${key.slice(0, 16)}`);
}

async function makeTemplate(): Promise<string> {
  const path = templatePath();
  if (existsSync(join(path, "pglite", "PG_VERSION"))) return path;
  const fresh = mkdtempSync(join(tmpdir(), "refunds-embedded-new-"));
  await (await createStore({ kind: "embedded", dataDir: fresh })).close();
  try {
    renameSync(fresh, path);
  } catch {
    // Another test process made it first.
    rmSync(fresh, { recursive: true, force: true });
  }
  return path;
}

/** A new temporary data folder with a migrated, empty embedded database; the caller removes it. */
export async function embeddedDataDir(): Promise<string> {
  template ??= makeTemplate();
  const dir = mkdtempSync(join(tmpdir(), "refunds-embedded-"));
  cpSync(await template, dir, { recursive: true });
  return dir;
}
