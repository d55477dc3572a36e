// The storage contract. The service holds every refund rule; a store only keeps rows, answers keyset pages and
// keeps per-balance totals. Every method returns a promise, so SQL stores fit behind the same interface.
import type {
  NonInsurancePayerRefund,
  NonInsurancePayerRefundSortField,
  PatientRefund,
  PatientRefundSortField,
  PatientTransactionSource,
  SortDirection,
} from "../types.js";

// Every sort field of each list, checked complete against the generated enums by the Record keys.
const patientRefundSorts: Record<PatientRefundSortField, true> = {
  refund_source: true,
  amount_cents: true,
  refund_timestamp: true,
  refund_reason: true,
  refund_note: true,
};
const nonInsurancePayerRefundSorts: Record<NonInsurancePayerRefundSortField, true> = {
  amount_cents: true,
  refund_timestamp: true,
};
/** The fields patient refunds can be sorted by. */
export const patientRefundSortFields = Object.keys(patientRefundSorts) as PatientRefundSortField[];
/** The fields non-insurance payer refunds can be sorted by. */
export const nonInsurancePayerRefundSortFields = Object.keys(
  nonInsurancePayerRefundSorts,
) as NonInsurancePayerRefundSortField[];

/**
 * A value a list can be sorted by, as it appears on the wire: a string (timestamps in RFC 3339), a number, or
 * `null` when the refund has no value for the field. Stores order timestamps by instant, strings by code point
 * and numbers numerically; `null` sorts after every value in ascending order and before them in descending
 * order (PostgreSQL's default), and ties are broken by id in the same direction.
 */
export type SortValue = string | number | null;

/** A keyset position: the sort value and id of a row. Pages start strictly after it. */
export interface Cursor {
  value: SortValue;
  id: string;
}

/** One page request to a table. */
export interface PageQuery<F, S extends string> {
  filter: F;
  sort: S;
  /** Scan order of this request (the service flips it to read a previous page). */
  order: SortDirection;
  limit: number;
  after?: Cursor;
}

/** Rows in scan order, and whether more rows follow in that order. */
export interface PageResult<T> {
  items: T[];
  more: boolean;
}

/** An amount a row takes from a balance, under an opaque key chosen by the service. */
export interface BalanceCharge {
  key: string;
  cents: number;
}

/** Options of an insert. */
export interface InsertOptions {
  /** Amounts the row takes from balances; released again when the row is deleted. */
  charges?: readonly BalanceCharge[];
  /**
   * Runs atomically before the insert with the cents already charged to each key of `charges` (0 when none);
   * throwing aborts the insert.
   */
  guard?: (charged: ReadonlyMap<string, number>) => void;
}

/** One kind of refund: rows keyed by id, keyset pages by filter and sort. Rows are treated as immutable. */
export interface RefundTable<T, F, S extends string> {
  /** Adds a row; rejects when the id exists or the guard throws. */
  insert(row: T, options?: InsertOptions): Promise<void>;
  /**
   * Adds rows, all or none: rejects, storing none of them, when an id exists already or appears twice among `rows`.
   * `charges[i]`, when given, is what `rows[i]` takes from balances (as `insert`'s `charges`, without a guard).
   * For bulk loads (seeds, imports, benchmarks): one round trip for the lot.
   */
  insertMany(rows: readonly T[], charges?: readonly (readonly BalanceCharge[] | undefined)[]): Promise<void>;
  get(id: string): Promise<T | undefined>;
  /** Replaces a row by `apply(current)` atomically (no update is lost); `undefined` when there is no such row. */
  update(id: string, apply: (current: T) => T): Promise<T | undefined>;
  /** Removes a row and releases its charges; false when there was none. */
  delete(id: string): Promise<boolean>;
  /** Rows matching every filter, ordered by (sort value, id) in `order`, after `after`, at most `limit`. */
  list(query: PageQuery<F, S>): Promise<PageResult<T>>;
}

/** Filters of the patient refund list; each given one must match. */
export interface PatientRefundFilter {
  patient_external_id?: string;
  /** An allocation to this claim or to one of its service lines. */
  claim_id?: string;
  service_line_id?: string;
  billing_provider_id?: string;
  /** true: at least one unattributed allocation; false: none. */
  unattributed?: boolean;
  invoice_id?: string;
  /** One of these sources. */
  sources?: PatientTransactionSource[];
}

/** Filters of the non-insurance payer refund list; each given one must match. */
export interface NonInsurancePayerRefundFilter {
  non_insurance_payer_id?: string;
  /** One of these check numbers. */
  check_number?: string[];
  invoice_id?: string;
}

/** All state of the server. */
export interface Store {
  patientRefunds: RefundTable<PatientRefund, PatientRefundFilter, PatientRefundSortField>;
  nonInsurancePayerRefunds: RefundTable<
    NonInsurancePayerRefund,
    NonInsurancePayerRefundFilter,
    NonInsurancePayerRefundSortField
  >;
  /**
   * Durable stores: runs `load` (storing the seed's refunds) only when this store never ran it before, atomically
   * with recording that it did, and resolves whether it ran. Without it the seed is loaded on every start.
   */
  seedOnce?(load: () => Promise<void>): Promise<boolean>;
  /**
   * Brings what the store knows of its rows up to date after a bulk load, so that lists plan and read as they
   * will in steady state (SQL stores: VACUUM ANALYZE, which autovacuum would otherwise run while the store is
   * in use). Stores without such upkeep leave it out.
   */
  analyze?(): Promise<void>;
  /**
   * Removes every refund and releases every charge, then runs `load` (such as storing a seed's refunds): on SQL
   * stores in one transaction, so no request sees the store half reset. What `seedOnce` recorded stays. Stores
   * that cannot be reset leave it out (the control surface's reset then fails).
   */
  reset?(load?: () => Promise<void>): Promise<void>;
  /** Releases connections and files; the store is unusable afterwards. */
  close(): Promise<void>;
}
