// The SQL store: one implementation of `Store` for PostgreSQL and PGlite. A refund is a JSON document plus a
// column for every filter and sort (see migrations/0001_refunds.sql); lists are keyset pages over sort indexes.
import { createHash } from "node:crypto";
import type {
  BalanceCharge,
  Cursor,
  InsertOptions,
  NonInsurancePayerRefund,
  NonInsurancePayerRefundFilter,
  NonInsurancePayerRefundSortField,
  PageQuery,
  PageResult,
  PatientRefund,
  PatientRefundFilter,
  PatientRefundSortField,
  RefundTable,
  SortValue,
  Store,
} from "@refunds-api/core";
import { sortKey, sortValueOf } from "@refunds-api/core";
import type { Queryable, SqlDb } from "./db.js";

const unpairedSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text as PostgreSQL can store it, in the same code point order and with the same equalities: text cannot hold
 * U+0000, so U+0001 becomes U+0001 U+0002 and U+0000 becomes U+0001 U+0001 (a prefix-free code that keeps order).
 * UTF-8 has no unpaired surrogates: each becomes U+FFFD here, as the lists order it, rather than reach the driver
 * (PGlite fails the query on some, such as U+FFFD then an unpaired low surrogate).
 */
export function sqlText(text: string): string {
  const wellFormed = text.replace(unpairedSurrogate, "\ufffd");
  if (!wellFormed.includes("\u0000") && !wellFormed.includes("\u0001")) return wellFormed;
  return wellFormed.replaceAll("\u0001", "\u0001\u0002").replaceAll("\u0000", "\u0001\u0001");
}

type ColumnValue = string | number | boolean | null;

/** How one sort field is stored and indexed. */
interface SortColumn {
  column: string;
  type: "text" | "number";
  /** The column can be NULL: its index starts with `(column IS NULL)`. */
  nullable: boolean;
  /** The index holds only this many leading characters (long free text). */
  prefix?: number;
}

/** Collects statement parameters and names them `$1`, `$2`... */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

interface TableDef<T, F, S extends string> {
  table: string;
  id(row: T): string;
  /** Every extracted column of a row and its SQL type. */
  columns: Record<string, { type: string; of(row: T): ColumnValue }>;
  sorts: Record<S, SortColumn>;
  /** WHERE conditions of a filter. */
  where(filter: F, params: Params): string[];
  /** Rows of the side table of allocation targets, when the table has one. */
  targets?: { table: string; of(row: T): [kind: string, value: string][] };
}

const uniqueViolation = "23505";

/**
 * On a database that runs statements on this thread (`SqlDb.inProcess`, PGlite), a document at least this long (its
 * JSON, in UTF-16 units) is stored by statements that each do one large part of the work, in a transaction: the row,
 * then each column holding a text this long (written empty with the row, then set by an UPDATE of its own), then
 * the allocation targets, a few dozen at a time. PostgreSQL compresses every large value it stores, about 5 ms per
 * MB in WebAssembly, and checks each target's foreign key: one statement doing all of it would hold the event loop
 * for the sum.
 */
const largeDocument = 64 * 1024;

/** Allocation targets stored by one statement when a large document's targets are stored apart (see above). */
const targetsPerStatement = 50;

class SqlTable<T, F, S extends string> implements RefundTable<T, F, S> {
  private readonly columnNames: string[];
  private readonly insertSql: string;
  /** The row alone, without its allocation targets. */
  private readonly insertRowSql: string;
  private readonly updateSql: string;
  private readonly insertManySql: string;
  /** Allocation target rows, as three arrays: kinds, values and refund ids. */
  private readonly insertTargetsSql: string;

  constructor(
    private readonly db: SqlDb,
    private readonly def: TableDef<T, F, S>,
  ) {
    this.columnNames = Object.keys(def.columns);
    const columns = ["id", "body", "charges", ...this.columnNames];
    const n = columns.length;
    const insertRow = `INSERT INTO ${def.table} (${columns.join(", ")})
      VALUES (${columns.map((c, i) => `$${i + 1}::${this.typeOf(c)}`).join(", ")})`;
    this.insertRowSql = insertRow;
    // The row and its allocation targets in one statement, so an insert without charges needs no transaction.
    this.insertSql = def.targets
      ? `WITH inserted AS (${insertRow} RETURNING id)
         INSERT INTO ${def.targets.table} (kind, value, refund_id)
         SELECT t.kind, t.value, inserted.id FROM inserted, unnest($${n + 1}::text[], $${n + 2}::text[]) AS t (kind, value)`
      : insertRow;
    // Rows as one array per column: a single statement of fixed text whatever the number of rows.
    const arrays = columns.map((c, i) => `$${i + 1}::${c === "body" || c === "charges" ? "text" : this.typeOf(c)}[]`);
    const casts = columns.map((c) => (c === "body" || c === "charges" ? `${c}::json` : c));
    this.insertManySql = `INSERT INTO ${def.table} (${columns.join(", ")})
      SELECT ${casts.join(", ")} FROM unnest(${arrays.join(", ")}) AS r (${columns.join(", ")})`;
    this.insertTargetsSql = def.targets
      ? `INSERT INTO ${def.targets.table} (kind, value, refund_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`
      : "";
    const set = this.columnNames.map((c, i) => `${c} = $${i + 3}::${this.typeOf(c)}`);
    this.updateSql = `UPDATE ${def.table} SET body = $2::json, ${set.join(", ")} WHERE id = $1::text`;
  }

  private typeOf(column: string): string {
    if (column === "id") return "text";
    if (column === "body" || column === "charges") return "json";
    return (this.def.columns[column] as { type: string }).type;
  }

  private columnValues(row: T): ColumnValue[] {
    return this.columnNames.map((c) => {
      const value = (this.def.columns[c] as { of(row: T): ColumnValue }).of(row);
      return typeof value === "string" ? sqlText(value) : value;
    });
  }

  private targetsOf(row: T): [string[], string[]] {
    const pairs = this.def.targets?.of(row) ?? [];
    const unique = new Map(pairs.map(([kind, value]) => [`${kind}\n${value}`, [kind, sqlText(value)] as const]));
    return [[...unique.values()].map((t) => t[0]), [...unique.values()].map((t) => t[1])];
  }

  /**
   * The column values of `row` for one statement, and, for a large document on this thread (see `largeDocument`),
   * the columns to set by statements of their own, written empty by the first.
   */
  private splitColumns(row: T, body: string): { values: ColumnValue[]; late: [column: string, value: string][] } {
    const values = this.columnValues(row);
    const late: [string, string][] = [];
    if (!this.db.inProcess || body.length < largeDocument) return { values, late };
    for (const [i, value] of values.entries()) {
      if (typeof value !== "string" || value.length < largeDocument) continue;
      late.push([this.columnNames[i] as string, value]);
      values[i] = "";
    }
    return { values, late };
  }

  /** Sets the `late` columns of `splitColumns`, one statement each. */
  private async setLate(q: Queryable, id: string, late: readonly [string, string][]): Promise<void> {
    for (const [column, value] of late) {
      await q.query(`UPDATE ${this.def.table} SET ${column} = $2::${this.typeOf(column)} WHERE id = $1::text`, [
        id,
        value,
      ]);
    }
  }

  async insert(row: T, options: InsertOptions = {}): Promise<void> {
    const id = sqlText(this.def.id(row));
    const charges = options.charges ?? [];
    const body = JSON.stringify(row);
    const { values, late } = this.splitColumns(row, body);
    const rowParams = [id, body, charges.length > 0 ? JSON.stringify(charges) : null, ...values];
    const targets = this.def.targets ? this.targetsOf(row) : undefined;
    const duplicate = `A row with id ${this.def.id(row)} exists already.`;
    // A large document on this thread: the row by itself (the planner of the statement with its targets would copy
    // the document's parameters), its large columns, then its targets if it has any.
    const apart = this.db.inProcess && body.length >= largeDocument;
    const targetRows = apart && targets !== undefined && targets[0].length > 0 ? targets : undefined;
    const insert = async (q: Queryable) => {
      if (!apart) {
        await refusingDuplicates(q.query(this.insertSql, targets ? [...rowParams, ...targets] : rowParams), duplicate);
        return;
      }
      await refusingDuplicates(q.query(this.insertRowSql, rowParams), duplicate);
      await this.setLate(q, id, late);
      const [kinds, targetValues] = targetRows ?? [[], []];
      for (let from = 0; from < kinds.length; from += targetsPerStatement) {
        const part = kinds.slice(from, from + targetsPerStatement);
        const partValues = targetValues.slice(from, from + targetsPerStatement);
        await q.query(this.insertTargetsSql, [part, partValues, part.map(() => id)]);
      }
    };
    // One statement is atomic by itself; charges need the balances locked between reading and writing them.
    const uncharged = charges.length === 0 && !options.guard;
    if (uncharged && !targetRows && late.length === 0) return insert(this.db);
    await this.db.transaction(async (tx) => {
      await insert(tx);
      if (uncharged) return;
      const totals = totalsOf(charges);
      const charged = await lockBalances(tx, this.def.table, [...totals.keys()], true);
      options.guard?.(new Map(charges.map((c) => [c.key, charged.get(c.key) ?? 0])));
      await addToBalances(tx, this.def.table, totals, 1);
    });
  }

  async insertMany(rows: readonly T[], charges?: readonly (readonly BalanceCharge[] | undefined)[]): Promise<void> {
    if (rows.length === 0) return;
    const columns: ColumnValue[][] = [[], [], [], ...this.columnNames.map(() => [])];
    const targets: [string[], string[], string[]] = [[], [], []];
    const allCharges: BalanceCharge[] = [];
    for (const [index, row] of rows.entries()) {
      const id = sqlText(this.def.id(row));
      const own = charges?.[index] ?? [];
      allCharges.push(...own);
      const values = [id, JSON.stringify(row), own.length > 0 ? JSON.stringify(own) : null, ...this.columnValues(row)];
      for (let i = 0; i < values.length; i++) (columns[i] as ColumnValue[]).push(values[i] as ColumnValue);
      if (!this.def.targets) continue;
      const [kinds, targetValues] = this.targetsOf(row);
      targets[0].push(...kinds);
      targets[1].push(...targetValues);
      for (const _ of kinds) targets[2].push(id);
    }
    await this.db.transaction(async (tx) => {
      await refusingDuplicates(
        tx.query(this.insertManySql, columns),
        "A row of the batch exists already, or the batch holds an id twice.",
      );
      if (targets[0].length > 0) await tx.query(this.insertTargetsSql, targets);
      const totals = totalsOf(allCharges);
      if (totals.size > 0) {
        await lockBalances(tx, this.def.table, [...totals.keys()], true);
        await addToBalances(tx, this.def.table, totals, 1);
      }
    });
  }

  async get(id: string): Promise<T | undefined> {
    const rows = await this.db.query<{ body: T }>(`SELECT body FROM ${this.def.table} WHERE id = $1::text`, [
      sqlText(id),
    ]);
    return rows[0]?.body;
  }

  async update(id: string, apply: (current: T) => T): Promise<T | undefined> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ body: T }>(`SELECT body FROM ${this.def.table} WHERE id = $1::text FOR UPDATE`, [
        sqlText(id),
      ]);
      const current = rows[0]?.body;
      if (current === undefined) return undefined;
      const value = apply(current);
      if (this.def.id(value) !== id) throw new Error("An update must keep the row's id.");
      const body = JSON.stringify(value);
      const { values, late } = this.splitColumns(value, body);
      await tx.query(this.updateSql, [sqlText(id), body, ...values]);
      await this.setLate(tx, sqlText(id), late);
      const targets = this.def.targets;
      if (targets) {
        const [before, after] = [this.targetsOf(current), this.targetsOf(value)];
        if (JSON.stringify(before) !== JSON.stringify(after)) {
          await tx.query(`DELETE FROM ${targets.table} WHERE refund_id = $1::text`, [sqlText(id)]);
          await tx.query(this.insertTargetsSql, [...after, after[0].map(() => sqlText(id))]);
        }
      }
      return value;
    });
  }

  async delete(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ charges: BalanceCharge[] | null }>(
        `DELETE FROM ${this.def.table} WHERE id = $1::text RETURNING charges`,
        [sqlText(id)],
      );
      if (rows.length === 0) return false;
      const totals = totalsOf(rows[0]?.charges ?? []);
      if (totals.size > 0) {
        await lockBalances(tx, this.def.table, [...totals.keys()], false);
        await addToBalances(tx, this.def.table, totals, -1);
      }
      return true;
    });
  }

  async list(query: PageQuery<F, S>): Promise<PageResult<T>> {
    const { text, params } = this.listQuery(query);
    const rows = await this.db.query<{ body: T }>(text, params);
    const more = rows.length > query.limit;
    if (more) rows.pop();
    return { items: rows.map((r) => r.body), more };
  }

  /** The statement of one page: rows matching the filter after the cursor, in (sort key, id) order, limit + 1. */
  listQuery(query: PageQuery<F, S>): { text: string; params: unknown[] } {
    const p = new Params();
    const where = this.def.where(query.filter, p);
    const sort = this.def.sorts[query.sort];
    const keys = orderKeys(sort);
    if (query.after) where.push(keysetCondition(sort, keys, query.order, query.after, query.sort, p));
    const direction = query.order === "asc" ? "ASC" : "DESC";
    const text = [
      `SELECT body FROM ${this.def.table}`,
      where.length > 0 ? `WHERE ${where.join(" AND ")}` : "",
      `ORDER BY ${keys.map((k) => `${k} ${direction}`).join(", ")}`,
      `LIMIT ${p.add(query.limit + 1, "integer")}`,
    ]
      .filter(Boolean)
      .join(" ");
    return { text, params: p.values };
  }
}

/** The ORDER BY keys of a sort, matching its index: (is null), (prefix), value, id. */
function orderKeys(sort: SortColumn): string[] {
  const keys: string[] = [];
  if (sort.nullable) keys.push(`(${sort.column} IS NULL)`);
  if (sort.prefix) keys.push(`left(${sort.column}, ${sort.prefix})`);
  keys.push(sort.column, "id");
  return keys;
}

/** Rows strictly after `after` in scan order. */
function keysetCondition(
  sort: SortColumn,
  keys: string[],
  order: "asc" | "desc",
  after: Cursor,
  field: string,
  p: Params,
): string {
  const value = cursorValue(sort, field, after.value);
  // A parameter the query never uses has no type PostgreSQL can infer, so the id is added only where it is used.
  if (value === null) {
    // After a row without a value: ascending, only the rest of those; descending, those and every valued row.
    if (!sort.nullable) return order === "asc" ? "false" : "true";
    const id = p.add(sqlText(after.id), "text");
    return order === "asc" ? `(${sort.column} IS NULL AND id > ${id})` : `(${sort.column} IS NOT NULL OR id < ${id})`;
  }
  const id = p.add(sqlText(after.id), "text");
  const v = p.add(value, sort.type === "text" ? "text" : "double precision");
  const values: string[] = [];
  if (sort.nullable) values.push("false");
  if (sort.prefix) values.push(`left(${v}, ${sort.prefix})`);
  values.push(v, id);
  return `(${keys.join(", ")}) ${order === "asc" ? ">" : "<"} (${values.join(", ")})`;
}

/** The cursor's value as the column stores it (a page token is opaque, but may have been tampered with). */
function cursorValue(sort: SortColumn, field: string, value: SortValue): string | number | null {
  if (value === null) return null;
  const key = sortKey(field, value);
  if (sort.type === "text") return sqlText(String(key));
  const n = Number(key);
  return Number.isFinite(n) ? n : null;
}

/** Settles as `query` does, but a unique violation becomes an error saying `message`. */
async function refusingDuplicates(query: Promise<unknown>, message: string): Promise<void> {
  try {
    await query;
  } catch (error) {
    if ((error as { code?: string }).code === uniqueViolation) throw new Error(message, { cause: error });
    throw error;
  }
}

/** Cents per key, duplicates added up. */
function totalsOf(charges: readonly BalanceCharge[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const { key, cents } of charges) totals.set(key, (totals.get(key) ?? 0) + cents);
  return totals;
}

const hashOf = (key: string) => createHash("sha256").update(key).digest("hex");

/**
 * Locks the balance rows of `keys` in hash order (creating missing ones first when `create`) and returns what
 * each has been charged so far.
 */
async function lockBalances(
  tx: Queryable,
  table: string,
  keys: readonly string[],
  create: boolean,
): Promise<Map<string, number>> {
  const byHash = new Map(keys.map((k) => [hashOf(k), k]));
  const hashes = [...byHash.keys()].sort();
  if (create) {
    await tx.query(
      `INSERT INTO refund_balances (refund_table, key_hash, key)
       SELECT $1::text, h, k FROM unnest($2::text[], $3::text[]) AS t (h, k) ORDER BY h
       ON CONFLICT DO NOTHING`,
      [table, hashes, hashes.map((h) => sqlText(byHash.get(h) as string))],
    );
  }
  const rows = await tx.query<{ key_hash: string; charged_cents: string | number }>(
    `SELECT key_hash, charged_cents FROM refund_balances
     WHERE refund_table = $1::text AND key_hash = ANY($2::text[]) ORDER BY key_hash FOR UPDATE`,
    [table, hashes],
  );
  return new Map(rows.map((r) => [byHash.get(r.key_hash) as string, Number(r.charged_cents)]));
}

async function addToBalances(tx: Queryable, table: string, totals: Map<string, number>, sign: 1 | -1) {
  const entries = [...totals].map(([key, cents]) => [hashOf(key), sign * cents] as const);
  await tx.query(
    `UPDATE refund_balances b SET charged_cents = b.charged_cents + t.cents
     FROM unnest($2::text[], $3::numeric[]) AS t (h, cents)
     WHERE b.refund_table = $1::text AND b.key_hash = t.h`,
    [table, entries.map((e) => e[0]), entries.map((e) => e[1])],
  );
}

const sortKeyOf = (row: object, field: string) => sortKey(field, sortValueOf(row, field));
const textOrNull = (value: unknown) => (typeof value === "string" ? value : null);

const patientRefundsDef: TableDef<PatientRefund, PatientRefundFilter, PatientRefundSortField> = {
  table: "patient_refunds",
  id: (r) => r.patient_refund_id,
  columns: {
    patient_external_id: { type: "text", of: (r) => r.patient_external_id },
    invoice: { type: "text", of: (r) => textOrNull(r.invoice) },
    unattributed: { type: "boolean", of: (r) => r.allocations.some((a) => a.target.type === "unattributed") },
    refund_source: { type: "text", of: (r) => sortKeyOf(r, "refund_source") },
    amount_cents: { type: "double precision", of: (r) => sortKeyOf(r, "amount_cents") },
    refund_timestamp: { type: "double precision", of: (r) => sortKeyOf(r, "refund_timestamp") },
    refund_reason: { type: "text", of: (r) => sortKeyOf(r, "refund_reason") },
    refund_note: { type: "text", of: (r) => sortKeyOf(r, "refund_note") },
  },
  sorts: {
    refund_source: { column: "refund_source", type: "text", nullable: false },
    amount_cents: { column: "amount_cents", type: "number", nullable: false },
    refund_timestamp: { column: "refund_timestamp", type: "number", nullable: true },
    refund_reason: { column: "refund_reason", type: "text", nullable: true },
    refund_note: { column: "refund_note", type: "text", nullable: true, prefix: 100 },
  },
  where(f, p) {
    const where: string[] = [];
    const target = (kind: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(
        `id IN (SELECT refund_id FROM patient_refund_targets WHERE kind = '${kind}' AND value = ${p.add(sqlText(value), "text")})`,
      );
    };
    if (f.patient_external_id !== undefined) {
      where.push(`patient_external_id = ${p.add(sqlText(f.patient_external_id), "text")}`);
    }
    if (f.invoice_id !== undefined) where.push(`invoice = ${p.add(sqlText(f.invoice_id), "text")}`);
    if (f.sources !== undefined) where.push(`refund_source = ANY(${p.add(f.sources.map(sqlText), "text[]")})`);
    if (f.unattributed !== undefined) where.push(f.unattributed ? "unattributed" : "NOT unattributed");
    target("claim", f.claim_id);
    target("service_line", f.service_line_id);
    target("billing_provider", f.billing_provider_id);
    return where;
  },
  targets: {
    table: "patient_refund_targets",
    of: (r) =>
      r.allocations.flatMap(({ target }) => {
        const rows: [string, string][] = [];
        if ("claim_id" in target) rows.push(["claim", target.claim_id]);
        if ("service_line_id" in target) rows.push(["service_line", target.service_line_id]);
        if ("billing_provider_id" in target) rows.push(["billing_provider", target.billing_provider_id]);
        return rows;
      }),
  },
};

const nonInsurancePayerRefundsDef: TableDef<
  NonInsurancePayerRefund,
  NonInsurancePayerRefundFilter,
  NonInsurancePayerRefundSortField
> = {
  table: "non_insurance_payer_refunds",
  id: (r) => r.non_insurance_payer_refund_id,
  columns: {
    non_insurance_payer_id: { type: "text", of: (r) => r.non_insurance_payer.non_insurance_payer_id },
    check_number: { type: "text", of: (r) => textOrNull(r.check_number) },
    invoice_id: { type: "text", of: (r) => textOrNull(r.invoice_id) },
    amount_cents: { type: "double precision", of: (r) => sortKeyOf(r, "amount_cents") },
    refund_timestamp: { type: "double precision", of: (r) => sortKeyOf(r, "refund_timestamp") },
  },
  sorts: {
    amount_cents: { column: "amount_cents", type: "number", nullable: false },
    refund_timestamp: { column: "refund_timestamp", type: "number", nullable: true },
  },
  where(f, p) {
    const where: string[] = [];
    if (f.non_insurance_payer_id !== undefined) {
      where.push(`non_insurance_payer_id = ${p.add(sqlText(f.non_insurance_payer_id), "text")}`);
    }
    if (f.check_number !== undefined) {
      where.push(`check_number = ANY(${p.add(f.check_number.map(sqlText), "text[]")})`);
    }
    if (f.invoice_id !== undefined) where.push(`invoice_id = ${p.add(sqlText(f.invoice_id), "text")}`);
    return where;
  },
};

/** A store on a migrated database. `seedOnce` loads the seed only into a database that never had it. */
export function createSqlStore(db: SqlDb): Store {
  return {
    patientRefunds: new SqlTable(db, patientRefundsDef),
    nonInsurancePayerRefunds: new SqlTable(db, nonInsurancePayerRefundsDef),
    seedOnce: (load) =>
      db.transaction(async (tx) => {
        const rows = await tx.query(
          "INSERT INTO store_steps (name) VALUES ('seed') ON CONFLICT DO NOTHING RETURNING name",
        );
        if (rows.length === 0) return false;
        await load();
        return true;
      }),
    reset: (load) =>
      db.transaction(async (tx) => {
        await tx.exec("TRUNCATE patient_refunds, patient_refund_targets, non_insurance_payer_refunds, refund_balances");
        await load?.();
      }),
    analyze: () => db.exec("VACUUM ANALYZE"),
    close: () => db.close(),
  };
}
