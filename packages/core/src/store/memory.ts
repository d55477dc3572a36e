// The in-memory store: one B+ tree per sort field holds the rows in (sort key, id) order, so a page seeks to its
// cursor in O(log n) and reads O(page size) rows; equality filters also keep posting sets, used instead of the
// tree when they are small enough to beat a filtered scan.
import sortedBtree from "sorted-btree";
import type {
  NonInsurancePayerRefund,
  NonInsurancePayerRefundSortField,
  PatientRefund,
  PatientRefundSortField,
  SortDirection,
} from "../types.js";
import { compareKeys, compareStrings, type SortKey, sortKey, sortValueOf } from "./order.js";
import {
  type BalanceCharge,
  type InsertOptions,
  type NonInsurancePayerRefundFilter,
  nonInsurancePayerRefundSortFields,
  type PageQuery,
  type PageResult,
  type PatientRefundFilter,
  patientRefundSortFields,
  type RefundTable,
  type Store,
} from "./types.js";

// sorted-btree is CommonJS: Node hands its `exports` to a default import, some bundlers its `default` export.
const BTree = ((sortedBtree as { default?: unknown }).default ?? sortedBtree) as typeof sortedBtree.default;
type Tree<K> = InstanceType<typeof BTree<K, undefined>>;

interface Row<T, S extends string> {
  id: string;
  value: T;
  keys: Record<S, SortKey>;
  postings: Map<string, readonly string[]>;
  charges: readonly BalanceCharge[];
}

/** What a filter asks of a table: posting lookups that narrow the candidates, and a test each row must pass. */
interface FilterPlan<T> {
  lookups: { index: string; values: readonly string[] }[];
  test(row: T): boolean;
}

interface TableShape<T, F, S extends string> {
  id(row: T): string;
  sorts: readonly S[];
  /** Index name → the values of a row under that index. */
  indexes: Record<string, (row: T) => readonly string[]>;
  plan(filter: F): FilterPlan<T>;
}

class MemoryTable<T, F, S extends string> implements RefundTable<T, F, S> {
  private readonly rows = new Map<string, Row<T, S>>();
  private readonly trees = new Map<S, Tree<Row<T, S>>>();
  private readonly comparators = new Map<S, (a: Row<T, S>, b: Row<T, S>) => number>();
  private readonly postings = new Map<string, Map<string, Set<Row<T, S>>>>();
  private readonly charged = new Map<string, number>();

  constructor(private readonly shape: TableShape<T, F, S>) {
    for (const sort of shape.sorts) {
      const compare = (a: Row<T, S>, b: Row<T, S>) =>
        compareKeys(a.keys[sort], b.keys[sort]) || compareStrings(a.id, b.id);
      this.comparators.set(sort, compare);
      this.trees.set(sort, new BTree<Row<T, S>, undefined>(undefined, compare));
    }
    for (const index of Object.keys(shape.indexes)) this.postings.set(index, new Map());
  }

  async insert(value: T, options: InsertOptions = {}): Promise<void> {
    const id = this.shape.id(value);
    if (this.rows.has(id)) throw new Error(`A row with id ${id} exists already.`);
    const charges = options.charges ?? [];
    options.guard?.(new Map(charges.map((c) => [c.key, this.charged.get(c.key) ?? 0])));
    this.add(id, value, charges);
  }

  async insertMany(values: readonly T[], charges?: readonly (readonly BalanceCharge[] | undefined)[]): Promise<void> {
    const ids = new Set<string>();
    for (const value of values) {
      const id = this.shape.id(value);
      if (this.rows.has(id) || ids.has(id)) throw new Error(`A row with id ${id} exists already.`);
      ids.add(id);
    }
    // No await between the check and the last row: nothing else can run in between.
    values.forEach((value, i) => {
      this.add(this.shape.id(value), value, charges?.[i] ?? []);
    });
  }

  async get(id: string): Promise<T | undefined> {
    return this.rows.get(id)?.value;
  }

  /** Removes every row and every charge. */
  clear(): void {
    this.rows.clear();
    for (const tree of this.trees.values()) tree.clear();
    for (const posting of this.postings.values()) posting.clear();
    this.charged.clear();
  }

  async update(id: string, apply: (current: T) => T): Promise<T | undefined> {
    const row = this.rows.get(id);
    if (!row) return undefined;
    const value = apply(row.value);
    if (this.shape.id(value) !== id) throw new Error("An update must keep the row's id.");
    const keys = this.keysOf(value);
    for (const sort of this.shape.sorts) {
      if (keys[sort] === row.keys[sort]) continue;
      // The tree finds a row by its current keys, so it leaves under the old keys and comes back under the new.
      const tree = this.trees.get(sort) as Tree<Row<T, S>>;
      tree.delete(row);
      row.keys[sort] = keys[sort];
      tree.set(row, undefined);
    }
    const postings = this.postingsOf(value);
    // Only the indexes whose values changed: most updates leave every posting where it was.
    this.post(row, changed(row.postings, postings), -1);
    this.post(row, changed(postings, row.postings), 1);
    row.postings = postings;
    row.value = value;
    return value;
  }

  async delete(id: string): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row) return false;
    this.rows.delete(id);
    for (const tree of this.trees.values()) tree.delete(row);
    this.post(row, row.postings, -1);
    this.charge(row.charges, -1);
    return true;
  }

  async list(query: PageQuery<F, S>): Promise<PageResult<T>> {
    const { sort, order, limit, after } = query;
    const plan = this.shape.plan(query.filter);
    const tree = this.trees.get(sort) as Tree<Row<T, S>>;
    const compare = this.comparators.get(sort) as (a: Row<T, S>, b: Row<T, S>) => number;
    const probe = after && ({ id: after.id, keys: { [sort]: sortKey(sort, after.value) } } as Row<T, S>);
    const want = limit + 1;

    const candidates = this.smallestPosting(plan);
    const scanEstimate = candidates ? (want * this.rows.size) / Math.max(candidates.size, 1) : Number.POSITIVE_INFINITY;
    let rows: Row<T, S>[];
    if (candidates && candidates.size * Math.log2(candidates.size + 2) < scanEstimate) {
      const sign = order === "asc" ? 1 : -1;
      const cmp = (a: Row<T, S>, b: Row<T, S>) => sign * compare(a, b);
      rows = [...candidates].filter((row) => (!probe || cmp(row, probe) > 0) && plan.test(row.value));
      rows.sort(cmp);
      rows.length = Math.min(rows.length, want);
    } else {
      rows = [];
      for (const [row] of this.scan(tree, order, probe)) {
        if (probe && compare(row, probe) === 0) continue;
        if (!plan.test(row.value)) continue;
        if (rows.push(row) === want) break;
      }
    }
    const more = rows.length > limit;
    if (more) rows.pop();
    return { items: rows.map((r) => r.value), more };
  }

  private scan(tree: Tree<Row<T, S>>, order: SortDirection, probe: Row<T, S> | undefined) {
    return order === "asc" ? tree.entries(probe) : tree.entriesReversed(probe, undefined, true);
  }

  /** The union of the posting sets of the most selective lookup, or undefined when the filter has none. */
  private smallestPosting(plan: FilterPlan<T>): Set<Row<T, S>> | undefined {
    let best: Set<Row<T, S>>[] | undefined;
    let bestSize = Number.POSITIVE_INFINITY;
    for (const { index, values } of plan.lookups) {
      const postings = this.postings.get(index) as Map<string, Set<Row<T, S>>>;
      const sets = values.flatMap((v) => postings.get(v) ?? []);
      const size = sets.reduce((n, s) => n + s.size, 0);
      if (size < bestSize) {
        best = sets;
        bestSize = size;
      }
    }
    if (!best) return undefined;
    return best.length === 1 ? best[0] : new Set(best.flatMap((s) => [...s]));
  }

  private add(id: string, value: T, charges: readonly BalanceCharge[]) {
    const row: Row<T, S> = { id, value, keys: this.keysOf(value), postings: this.postingsOf(value), charges };
    this.rows.set(id, row);
    for (const tree of this.trees.values()) tree.set(row, undefined);
    this.post(row, row.postings, 1);
    this.charge(charges, 1);
  }

  private keysOf(value: T): Record<S, SortKey> {
    const keys = {} as Record<S, SortKey>;
    for (const sort of this.shape.sorts) keys[sort] = sortKey(sort, sortValueOf(value as object, sort));
    return keys;
  }

  private postingsOf(value: T): Map<string, readonly string[]> {
    return new Map(Object.entries(this.shape.indexes).map(([index, valuesOf]) => [index, valuesOf(value)]));
  }

  private post(row: Row<T, S>, postings: Map<string, readonly string[]>, sign: 1 | -1) {
    for (const [index, values] of postings) {
      const byValue = this.postings.get(index) as Map<string, Set<Row<T, S>>>;
      for (const value of values) {
        let set = byValue.get(value);
        if (sign > 0) {
          if (!set) {
            set = new Set();
            byValue.set(value, set);
          }
          set.add(row);
        } else if (set) {
          set.delete(row);
          if (set.size === 0) byValue.delete(value);
        }
      }
    }
  }

  private charge(charges: readonly BalanceCharge[], sign: 1 | -1) {
    for (const { key, cents } of charges) this.charged.set(key, (this.charged.get(key) ?? 0) + sign * cents);
  }
}

const sameValues = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((value, i) => value === b[i]);

/** The postings of `from` whose values differ in `to`. */
const changed = (from: Map<string, readonly string[]>, to: Map<string, readonly string[]>) =>
  new Map([...from].filter(([index, values]) => !sameValues(values, to.get(index) ?? [])));

const defined = (...values: (string | undefined)[]) => values.filter((v): v is string => v !== undefined);

const patientRefundShape: TableShape<PatientRefund, PatientRefundFilter, PatientRefundSortField> = {
  id: (r) => r.patient_refund_id,
  sorts: patientRefundSortFields,
  indexes: {
    patient: (r) => [r.patient_external_id],
    invoice: (r) => defined(r.invoice),
    source: (r) => [r.refund_source],
    claim: (r) => r.allocations.flatMap((a) => ("claim_id" in a.target ? [a.target.claim_id] : [])),
    service_line: (r) =>
      r.allocations.flatMap((a) => ("service_line_id" in a.target ? [a.target.service_line_id] : [])),
    billing_provider: (r) =>
      r.allocations.flatMap((a) => ("billing_provider_id" in a.target ? [a.target.billing_provider_id] : [])),
    unattributed: (r) => (r.allocations.some((a) => a.target.type === "unattributed") ? ["true"] : []),
  },
  plan(f) {
    const lookups: FilterPlan<PatientRefund>["lookups"] = [];
    const tests: ((r: PatientRefund) => boolean)[] = [];
    const byTarget = (index: string, value: string | undefined, match: (r: PatientRefund) => boolean) => {
      if (value === undefined) return;
      lookups.push({ index, values: [value] });
      tests.push(match);
    };
    byTarget("patient", f.patient_external_id, (r) => r.patient_external_id === f.patient_external_id);
    byTarget("invoice", f.invoice_id, (r) => r.invoice === f.invoice_id);
    byTarget("claim", f.claim_id, (r) =>
      r.allocations.some((a) => "claim_id" in a.target && a.target.claim_id === f.claim_id),
    );
    byTarget("service_line", f.service_line_id, (r) =>
      r.allocations.some((a) => "service_line_id" in a.target && a.target.service_line_id === f.service_line_id),
    );
    byTarget("billing_provider", f.billing_provider_id, (r) =>
      r.allocations.some(
        (a) => "billing_provider_id" in a.target && a.target.billing_provider_id === f.billing_provider_id,
      ),
    );
    if (f.sources !== undefined) {
      const sources = new Set<string>(f.sources);
      lookups.push({ index: "source", values: [...sources] });
      tests.push((r) => sources.has(r.refund_source));
    }
    if (f.unattributed !== undefined) {
      const want = f.unattributed;
      if (want) lookups.push({ index: "unattributed", values: ["true"] });
      tests.push((r) => r.allocations.some((a) => a.target.type === "unattributed") === want);
    }
    return { lookups, test: (r) => tests.every((t) => t(r)) };
  },
};

const nonInsurancePayerRefundShape: TableShape<
  NonInsurancePayerRefund,
  NonInsurancePayerRefundFilter,
  NonInsurancePayerRefundSortField
> = {
  id: (r) => r.non_insurance_payer_refund_id,
  sorts: nonInsurancePayerRefundSortFields,
  indexes: {
    payer: (r) => [r.non_insurance_payer.non_insurance_payer_id],
    invoice: (r) => defined(r.invoice_id),
    check: (r) => defined(r.check_number),
  },
  plan(f) {
    const lookups: FilterPlan<NonInsurancePayerRefund>["lookups"] = [];
    const tests: ((r: NonInsurancePayerRefund) => boolean)[] = [];
    if (f.non_insurance_payer_id !== undefined) {
      lookups.push({ index: "payer", values: [f.non_insurance_payer_id] });
      tests.push((r) => r.non_insurance_payer.non_insurance_payer_id === f.non_insurance_payer_id);
    }
    if (f.invoice_id !== undefined) {
      lookups.push({ index: "invoice", values: [f.invoice_id] });
      tests.push((r) => r.invoice_id === f.invoice_id);
    }
    if (f.check_number !== undefined) {
      const checks = new Set(f.check_number);
      lookups.push({ index: "check", values: [...checks] });
      tests.push((r) => r.check_number !== undefined && checks.has(r.check_number));
    }
    return { lookups, test: (r) => tests.every((t) => t(r)) };
  },
};

/** A store that keeps everything in this process; it forgets everything when the process ends. */
export function createMemoryStore(): Store {
  const patientRefunds = new MemoryTable(patientRefundShape);
  const nonInsurancePayerRefunds = new MemoryTable(nonInsurancePayerRefundShape);
  return {
    patientRefunds,
    nonInsurancePayerRefunds,
    reset: async (load) => {
      patientRefunds.clear();
      nonInsurancePayerRefunds.clear();
      await load?.();
    },
    close: async () => {},
  };
}
