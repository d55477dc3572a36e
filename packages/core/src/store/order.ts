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

/**
 * Compares strings by Unicode code point (UTF-8 byte order, as PostgreSQL's "C" collation does). An unpaired
 * surrogate counts as U+FFFD, the character UTF-8 (and so a SQL store) keeps in its place.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // Code unit order is code point order up to the first difference, and at it too unless a surrogate is there.
  const n = Math.min(a.length, b.length);
  let k = 0;
  while (k < n && a.charCodeAt(k) === b.charCodeAt(k)) k++;
  if (k === n) return a.length - b.length;
  const x = a.charCodeAt(k);
  const y = b.charCodeAt(k);
  if ((x < 0xd800 || x > 0xdfff) && (y < 0xd800 || y > 0xdfff)) return x - y;
  return compareCodePoints(a, b);
}

function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = codePointAt(a, i);
    const y = codePointAt(b, j);
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return (i < a.length ? 1 : 0) - (j < b.length ? 1 : 0);
}

// The code point that starts at `i` (UTF-16 puts those above U+FFFF, as surrogate pairs, before U+E000..U+FFFF;
// code point order does not), or U+FFFD for an unpaired surrogate.
function codePointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0xd800 || c > 0xdfff) return c;
  const low = s.charCodeAt(i + 1);
  return c <= 0xdbff && low >= 0xdc00 && low <= 0xdfff ? 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00) : 0xfffd;
}

/** Ascending order of sort keys; null is greater than any value. */
export function compareKeys(a: SortKey, b: SortKey): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return compareStrings(String(a), String(b));
}
