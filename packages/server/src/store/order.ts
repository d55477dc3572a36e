// The total order of list pages (see `SortValue`), shared by the stores that sort in JavaScript.

import type { SortValue } from "./types.js";

/** The wire value a row is sorted by for `sort`: sort fields are named like the row's fields. */
export function sortValueOf(row: object, sort: string): SortValue {
  const value = (row as Record<string, unknown>)[sort];
  return typeof value === "string" || typeof value === "number" ? value : null;
}

/** A normalized sort key: numbers for amounts and instants, strings, or null for a missing value. */
export type SortKey = string | number | null;

// The validator's date-time format also lets through "+hhmm" and "+hh" offsets, so minutes are optional here.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)$/;

/**
 * Milliseconds since the epoch of an RFC 3339 date-time, to the millisecond (finer digits are dropped). Unlike
 * `Date.parse` it accepts a leap second and any offset, and it never yields NaN for a string the validator let
 * through (an unreadable one sorts as 0).
 */
export function instantOf(timestamp: string): number {
  const m = RFC3339.exec(timestamp);
  if (!m) return 0;
  const [, y, mo, d, h, mi, s, frac = "", sign, oh = "0", om = "0"] = m;
  const ms = Number(`${frac}000`.slice(0, 3));
  // Not Date.UTC, which reads the years 0 to 99 as 1900 to 1999.
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  const utc = date.setUTCHours(Number(h), Number(mi), Number(s), ms);
  const offset = (Number(oh) * 60 + Number(om)) * 60_000;
  return sign === "-" ? utc + offset : sign === "+" ? utc - offset : utc;
}

/** The key a sort value is ordered by: timestamps order by instant, every other value by itself. */
export function sortKey(sort: string, value: SortValue): SortKey {
  return sort === "refund_timestamp" && typeof value === "string" ? instantOf(value) : value;
}

/** Compares strings by Unicode code point (UTF-8 byte order, as PostgreSQL's "C" collation does). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // UTF-16 puts surrogates (code points above U+FFFF) before U+E000..U+FFFF; code point order does not.
      if (x >= 0xd800 && x <= 0xdfff && y >= 0xe000) return 1;
      if (y >= 0xd800 && y <= 0xdfff && x >= 0xe000) return -1;
      return x - y;
    }
  }
  return a.length - b.length;
}

/** Ascending order of sort keys; null is greater than any value. */
export function compareKeys(a: SortKey, b: SortKey): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return compareStrings(String(a), String(b));
}
