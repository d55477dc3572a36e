// What only the SQL store has: migrations, an index for every filter and sort, the text escape for U+0000, the
// data folder lock and connection errors.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PatientRefundSortField } from "@refunds-api/core";
import { compareStrings } from "@refunds-api/core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createStore, type PatientRefundFilter, type Store } from "../../src/index.js";
import { lockDataDir, poolDb, type SqlDb } from "../../src/store/sql/db.js";
import { type Migration, migrate, readMigrations } from "../../src/store/sql/migrate.js";
import { createSqlStore, sqlText } from "../../src/store/sql/store.js";
import { patientRefunds, pools } from "../support/refunds.js";
import { TestStores } from "./stores.js";

const stores = new TestStores();
afterAll(() => stores.close());

/** A new, empty database on the shared cluster, and a pool on it; closed by afterAll. */
const opened: SqlDb[] = [];
/** A pool whose idle connections may be cut when the file's databases are dropped, without an uncaught error. */
function testPool(connectionString: string, max: number): SqlDb {
  const pool = new pg.Pool({ connectionString, max });
  pool.on("error", () => {});
  return poolDb(pool);
}
let databases = 0;
async function freshDatabase(): Promise<{ url: string; db: SqlDb }> {
  const { db: admin, url } = await stores.shared("postgres");
  const name = `fresh_${++databases}`;
  await admin.exec(`CREATE DATABASE ${name}`);
  const fresh = new URL(url as string);
  fresh.pathname = `/${name}`;
  const db = testPool(fresh.href, 4);
  opened.push(db);
  return { url: fresh.href, db };
}
afterAll(async () => {
  for (const db of opened) await db.close();
});

const migration = (name: string, sql: string): Migration => ({ name, sql, checksum: `sum of ${sql}` });
const tablesOf = async (db: SqlDb) =>
  (
    await db.query<{ t: string }>(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    )
  ).map((r) => r.t);
const recorded = async (db: SqlDb) =>
  (await db.query<{ name: string }>("SELECT name FROM schema_migrations ORDER BY name")).map((r) => r.name);

describe("migrations", () => {
  it("reads .sql files in the order of their numbers and skips other files", () => {
    const dir = mkdtempSync(join(tmpdir(), "migrations-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    for (const [file, sql] of [
      ["10_later.sql", "SELECT 10"],
      ["0002_second.sql", "SELECT 2"],
      ["1_first.sql", "SELECT 1"],
      ["README.md", "not a migration"],
      ["0003_draft.sql.bak", "SELECT 3"],
    ]) {
      writeFileSync(join(dir, file as string), sql as string);
    }
    expect(readMigrations(dir).map((m) => m.name)).toEqual(["1_first", "0002_second", "10_later"]);
  });

  it("ships the schema as numbered files", () => {
    expect(readMigrations().map((m) => m.name)).toEqual(["0001_refunds"]);
  });

  it("applies each migration once, in order, and records it; a second run applies nothing", async () => {
    const { db } = await freshDatabase();
    const list = [migration("0001_a", "CREATE TABLE a (x int)"), migration("0002_b", "ALTER TABLE a ADD y int")];
    expect(await migrate(db, list)).toEqual(["0001_a", "0002_b"]);
    expect(await migrate(db, list)).toEqual([]);
    expect(await recorded(db)).toEqual(["0001_a", "0002_b"]);
    expect(await migrate(db, [...list, migration("0003_c", "CREATE TABLE c (x int)")])).toEqual(["0003_c"]);
  });

  it("applies each migration exactly once when several servers start at the same time", async () => {
    const { db, url } = await freshDatabase();
    const others = Array.from({ length: 4 }, () => testPool(url, 2));
    opened.push(...others);
    const list = [
      migration("0001_slow", "SELECT pg_sleep(0.3); CREATE TABLE counted (n int); INSERT INTO counted VALUES (1)"),
    ];
    const runs = await Promise.all([db, ...others].map((d) => migrate(d, list)));
    expect(runs.flat()).toEqual(["0001_slow"]);
    expect(await db.query("SELECT n FROM counted")).toEqual([{ n: 1 }]);
  });

  it("starts the real schema from several stores at once", async () => {
    const { url } = await freshDatabase();
    const started = await Promise.all(
      Array.from({ length: 3 }, () => createStore({ kind: "postgres", databaseUrl: url })),
    );
    for (const store of started) await store.close();
    const check = testPool(url, 1);
    opened.push(check);
    expect(await recorded(check)).toEqual(["0001_refunds"]);
  });

  it.each([
    {
      name: "a failing migration leaves nothing behind, not even the ones before it in the same run",
      first: [] as Migration[],
      next: [migration("0001_ok", "CREATE TABLE ok (x int)"), migration("0002_bad", "CREATE TABLE broken (")],
      error: /Migration 0002_bad failed: syntax error/,
      tables: ["schema_migrations"],
    },
    {
      name: "an applied migration whose file changed is refused",
      first: [migration("0001_a", "CREATE TABLE a (x int)")],
      next: [migration("0001_a", "CREATE TABLE a (x bigint)")],
      error: /Migration 0001_a changed after it was applied/,
      tables: ["a", "schema_migrations"],
    },
    {
      name: "a database migrated by a newer version is refused",
      first: [migration("0001_a", "CREATE TABLE a (x int)"), migration("0002_b", "CREATE TABLE b (x int)")],
      next: [migration("0001_a", "CREATE TABLE a (x int)")],
      error: /migrations this server does not know \(0002_b\)/,
      tables: ["a", "b", "schema_migrations"],
    },
  ])("$name", async ({ first, next, error, tables }) => {
    const { db } = await freshDatabase();
    await migrate(db, first);
    await expect(migrate(db, next)).rejects.toThrow(error);
    expect(await tablesOf(db)).toEqual(tables);
  });
});

describe("indexes", () => {
  let store: Store;
  let db: SqlDb;
  beforeAll(async () => {
    db = (await stores.shared("postgres")).db;
    store = await stores.empty("postgres");
    await Promise.all(patientRefunds(2000, 91).map((r) => store.patientRefunds.insert(r)));
    await db.exec("ANALYZE");
  });

  const sorts: PatientRefundSortField[] = [
    "refund_source",
    "amount_cents",
    "refund_timestamp",
    "refund_reason",
    "refund_note",
  ];
  // Each filter with the index that serves it.
  const filters: { name: string; filter: PatientRefundFilter; index: string }[] = [
    { name: "patient", filter: { patient_external_id: "PAT-1" }, index: "patient_refunds_patient" },
    { name: "claim", filter: { claim_id: pools.claims[0] }, index: "patient_refund_targets_pkey" },
    { name: "service line", filter: { service_line_id: pools.serviceLines[0] }, index: "patient_refund_targets_pkey" },
    {
      name: "billing provider",
      filter: { billing_provider_id: pools.providers[0] },
      index: "patient_refund_targets_pkey",
    },
    { name: "unattributed", filter: { unattributed: true }, index: "patient_refunds_unattributed" },
    { name: "invoice", filter: { invoice_id: pools.invoices[0] }, index: "patient_refunds_invoice" },
    { name: "sources", filter: { sources: ["LOCKBOX", "SQUARE"] }, index: "patient_refunds_by_source" },
  ];

  /** The node types and indexes of the plan PostgreSQL picks for a page with the given planner methods off. */
  async function planOf(
    query: Parameters<Store["patientRefunds"]["list"]>[0],
    off: string[],
  ): Promise<{ nodes: string[]; indexes: string[] }> {
    const table = store.patientRefunds as unknown as {
      listQuery(q: typeof query): { text: string; params: unknown[] };
    };
    const { text, params } = table.listQuery(query);
    return db.transaction(async (tx) => {
      for (const setting of off) await tx.exec(`SET LOCAL ${setting} = off`);
      type Node = { "Node Type": string; "Index Name"?: string; Plans?: Node[] };
      const rows = await tx.query<{ "QUERY PLAN": [{ Plan: Node }] }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
      const plan = { nodes: [] as string[], indexes: [] as string[] };
      const walk = (node: Node) => {
        plan.nodes.push(node["Node Type"]);
        if (node["Index Name"]) plan.indexes.push(node["Index Name"]);
        for (const child of node.Plans ?? []) walk(child);
      };
      for (const row of rows) walk(row["QUERY PLAN"][0].Plan);
      return plan;
    });
  }

  // With sorting and whole-table scans priced out, a plan exists only if an index yields the order.
  const cursors = { asc: ["A", -1, "2000-01-01T00:00:00Z"], desc: ["\uffff", 1e9, "2100-01-01T00:00:00Z"] } as const;
  it.each(sorts.flatMap((sort) => (["asc", "desc"] as const).map((order) => ({ sort, order }))))(
    "a page by $sort $order after a cursor reads its index in order",
    async ({ sort, order }) => {
      const [text, amount, instant] = cursors[order];
      const value = sort === "amount_cents" ? amount : sort === "refund_timestamp" ? instant : text;
      const plan = await planOf({ filter: {}, sort, order, limit: 100, after: { value, id: "5" } }, [
        "enable_seqscan",
        "enable_sort",
      ]);
      expect(plan.nodes).not.toContain("Seq Scan");
      expect(plan.nodes).not.toContain("Sort");
      expect(plan.indexes).toEqual([`patient_refunds_by_${sort.replace(/^refund_|_cents$/g, "")}`]);
    },
  );

  // With plain index scans off too, the sort indexes cannot serve a filter: only the filter's own index can.
  it.each(filters)("the $name filter is served by $index", async ({ filter, index }) => {
    const plan = await planOf({ filter, sort: "refund_timestamp", order: "desc", limit: 100 }, [
      "enable_seqscan",
      "enable_indexscan",
    ]);
    expect(plan.nodes).not.toContain("Seq Scan");
    expect(plan.indexes).toContain(index);
  });
});

describe("after a bulk load", () => {
  it.each(["embedded", "postgres"] as const)("analyze counts the rows %s holds, for the planner", async (kind) => {
    const { db } = await stores.shared(kind);
    const store = await stores.empty(kind);
    const reltuples = async () =>
      Number(
        (await db.query<{ n: number }>("SELECT reltuples AS n FROM pg_class WHERE relname = 'patient_refunds'"))[0]?.n,
      );
    await store.patientRefunds.insertMany(patientRefunds(700, 93));
    expect(await reltuples()).not.toBe(700);
    await store.analyze?.();
    expect(await reltuples()).toBe(700);
  });
});

describe("text PostgreSQL can store", () => {
  // Every string of up to three characters from an alphabet of the escaped characters and their neighbours.
  const alphabet = ["\u0000", "\u0001", "\u0002", "a"];
  const strings = [""];
  for (let length = 1; length <= 3; length++) {
    for (const s of strings.filter((x) => x.length === length - 1)) strings.push(...alphabet.map((c) => s + c));
  }

  it("keeps code point order and equality for every pair", () => {
    for (const a of strings) {
      for (const b of strings) {
        expect(Math.sign(compareStrings(sqlText(a), sqlText(b)))).toBe(Math.sign(compareStrings(a, b)));
      }
    }
  });

  it.each(["embedded", "postgres"] as const)("sorts in %s as the memory store does", async (kind) => {
    const { db } = await stores.shared(kind);
    const rows = await db.query<{ s: string }>(`SELECT s FROM unnest($1::text[]) AS t (s) ORDER BY s COLLATE "C"`, [
      strings.map(sqlText),
    ]);
    const byMemory = [...strings].sort(compareStrings).map(sqlText);
    expect(rows.map((r) => r.s)).toEqual(byMemory);
  });
});

describe("data folder lock", () => {
  it("refuses a folder another process holds the lock of, naming it, and a folder already open in this process", async () => {
    const dir = stores.tempDir();
    const lock = join(dir, "refunds-api.lock");
    writeFileSync(lock, "process 4242 on host elsewhere");
    // Another process takes the kernel lock (flock) and holds it until killed.
    const holder = spawn("flock", ["--exclusive", lock, "-c", "echo held; exec sleep 60"]);
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once("data", () => resolve());
        holder.once("error", reject);
      });
      await expect(createStore({ kind: "embedded", dataDir: dir })).rejects.toThrow(
        /DATA_DIR .* is in use by another server \(process 4242 on host elsewhere\)/,
      );
    } finally {
      holder.kill("SIGKILL");
    }
    const other = join(dir, "other");
    mkdirSync(other);
    const release = lockDataDir(other);
    expect(() => lockDataDir(other)).toThrow(/already open in this process/);
    release();
    lockDataDir(other)();
  });

  it.each([
    { name: "a dead process's PID", content: "2147483646" },
    { name: "this process's own PID (a container's PID 1 before a restart)", content: String(process.pid) },
  ])("takes a folder whose lock file names $name but whose lock nobody holds", ({ content }) => {
    const dir = stores.tempDir();
    writeFileSync(join(dir, "refunds-api.lock"), content);
    const release = lockDataDir(dir);
    release();
  });
});

describe("connecting", () => {
  it.each([
    {
      name: "nothing listens",
      url: "postgres://admin:s3cret-pw@127.0.0.1:1/refunds",
      want: /Could not connect to PostgreSQL at 127\.0\.0\.1:1\/refunds/,
    },
  ])("explains when $name, without the password", async ({ url, want }) => {
    const error = await createStore({ kind: "postgres", databaseUrl: url }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(want);
    expect(error?.message).not.toContain("s3cret-pw");
  });

  it("closes cleanly and keeps nothing open", async () => {
    const { url } = await freshDatabase();
    const store = await createStore({ kind: "postgres", databaseUrl: url });
    await store.patientRefunds.insert(patientRefunds(1, 3)[0] as never);
    await store.close();
    await expect(store.patientRefunds.get("x")).rejects.toThrow();
  });

  it("builds a store over any migrated database", async () => {
    const { db } = await freshDatabase();
    await migrate(db);
    const store = createSqlStore(db);
    const [row] = patientRefunds(1, 4);
    await store.patientRefunds.insert(row as never);
    expect(await store.patientRefunds.get((row as { patient_refund_id: string }).patient_refund_id)).toEqual(row);
  });
});
