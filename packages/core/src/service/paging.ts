// Keyset pages with opaque tokens. A token carries the query it belongs to (filters, sort, direction) and the
// (sort value, id) of the row it continues from, so a page never repeats or skips a row when others are created
// or deleted between requests. When a token is given it decides the query; only `limit` may change.

import { sortValueOf } from "../store/order.js";
import type { Cursor, PageQuery, PageResult, RefundTable, SortValue } from "../store/types.js";
import type { SortDirection } from "../types.js";
import { InvalidPageTokenError } from "./errors.js";

/** The kind of each filter field, to check a decoded token. */
export type FilterKinds<F> = { [K in keyof Required<F>]: "string" | "boolean" | "strings" };

/** How one resource pages. */
export interface PageShape<T, F, S extends string> {
  /** Tells tokens of different lists apart. */
  resource: string;
  sorts: readonly S[];
  filters: FilterKinds<F>;
  id(row: T): string;
}

/** A list request after validation. */
export interface ListParams<F, S extends string> {
  filter: F;
  sort: S;
  direction: SortDirection;
  limit: number;
  pageToken?: string;
  /** The most bytes of JSON the page's items may take; {@link maxPageBytes} by default. */
  maxBytes?: number;
}

/**
 * The most bytes of JSON the items of one page take: a page stops short of `limit` (with a `next_page_token`) rather
 * than go over. A page always holds at least one item, however large (each is bounded by the largest request body
 * and the allocation cap).
 */
export const maxPageBytes = 1_000_000;

/** Rows read by the first query of a page, before their size is known; later queries are sized by it. */
const firstChunkRows = 10;

const sizes = new WeakMap<object, number>();

/** The length of a row's JSON, remembered per row object (the memory store hands out the same ones). */
function jsonSize(row: object): number {
  let size = sizes.get(row);
  if (size === undefined) {
    size = JSON.stringify(row).length;
    sizes.set(row, size);
  }
  return size;
}

/**
 * A page of at most `query.limit` rows whose JSON stays within `maxBytes`, read in chunks: the first of a few rows,
 * the next ones sized by what the rows read so far weigh. No single read fetches (or parses) much more than the
 * page will hold, however many rows `limit` allows, so a page of large refunds costs what a page of its size does.
 */
async function listWithin<T extends object, F, S extends string>(
  table: RefundTable<T, F, S>,
  shape: PageShape<T, F, S>,
  query: PageQuery<F, S>,
  maxBytes: number,
): Promise<PageResult<T>> {
  const items: T[] = [];
  let bytes = 0;
  let after: Cursor | undefined = query.after;
  let chunk = Math.min(query.limit, firstChunkRows);
  for (;;) {
    const result = await table.list({ ...query, limit: chunk, after });
    for (let i = 0; i < result.items.length; i++) {
      const row = result.items[i] as T;
      const size = jsonSize(row);
      if (items.length > 0 && bytes + size > maxBytes) return { items, more: true };
      items.push(row);
      bytes += size;
      if (items.length === query.limit) return { items, more: i < result.items.length - 1 || result.more };
    }
    const last = items[items.length - 1];
    if (!result.more || last === undefined) return { items, more: false };
    after = { value: sortValueOf(last, query.sort), id: shape.id(last) };
    const average = bytes / items.length;
    chunk = Math.max(1, Math.min(query.limit - items.length, Math.floor((maxBytes - bytes) / average) + 1));
  }
}

/** One page on the wire. */
export interface Page<T> {
  items: T[];
  prev_page_token?: string;
  next_page_token?: string;
}

interface Token<F, S> {
  v: 1;
  r: string;
  s: S;
  o: SortDirection;
  f: F;
  /** Sort value and id of the row the page continues from. */
  k: SortValue;
  i: string;
  /** 1 when the token reads backwards (a previous page). */
  b: 0 | 1;
}

const flip = (d: SortDirection): SortDirection => (d === "asc" ? "desc" : "asc");

/** Reads one page of `table` for `params`. */
export async function readPage<T extends object, F extends object, S extends string>(
  table: RefundTable<T, F, S>,
  shape: PageShape<T, F, S>,
  params: ListParams<F, S>,
): Promise<Page<T>> {
  const token = params.pageToken === undefined ? undefined : decode(shape, params.pageToken);
  const query = token ? { filter: token.f, sort: token.s, direction: token.o } : params;
  const after = token && { value: token.k, id: token.i };
  const backwards = token?.b === 1;
  const result = await listWithin(
    table,
    shape,
    {
      filter: query.filter,
      sort: query.sort,
      order: backwards ? flip(query.direction) : query.direction,
      limit: params.limit,
      after,
    },
    params.maxBytes ?? maxPageBytes,
  );
  const items = backwards ? result.items.reverse() : result.items;
  const first = items[0];
  const last = items[items.length - 1];
  const tokenAt = (row: T | undefined, b: 0 | 1) => {
    const at = row ? { value: sortValueOf(row, query.sort), id: shape.id(row) } : after;
    if (!at) return undefined;
    return encode<F, S>({
      v: 1,
      r: shape.resource,
      s: query.sort,
      o: query.direction,
      f: query.filter,
      k: at.value,
      i: at.id,
      b,
    });
  };
  const page: Page<T> = { items };
  // Reading forwards, a previous page exists once a token was followed; reading backwards, so does a next one.
  const prev = backwards ? (result.more ? tokenAt(first, 1) : undefined) : token ? tokenAt(first, 1) : undefined;
  const next = backwards ? tokenAt(last, 0) : result.more ? tokenAt(last, 0) : undefined;
  if (prev !== undefined) page.prev_page_token = prev;
  if (next !== undefined) page.next_page_token = next;
  return page;
}

function encode<F, S>(token: Token<F, S>): string {
  return encodeBase64url(JSON.stringify(token));
}

function decode<T, F extends object, S extends string>(shape: PageShape<T, F, S>, text: string): Token<F, S> {
  let token: unknown;
  try {
    token = JSON.parse(decodeBase64url(text));
  } catch {
    token = undefined;
  }
  if (!isToken(shape, token)) {
    throw new InvalidPageTokenError(text);
  }
  return token;
}

function isToken<T, F extends object, S extends string>(
  shape: PageShape<T, F, S>,
  value: unknown,
): value is Token<F, S> {
  if (typeof value !== "object" || value === null) return false;
  const t = value as Record<string, unknown>;
  return (
    t.v === 1 &&
    t.r === shape.resource &&
    (shape.sorts as readonly unknown[]).includes(t.s) &&
    (t.o === "asc" || t.o === "desc") &&
    (t.k === null || typeof t.k === "string" || (typeof t.k === "number" && Number.isFinite(t.k))) &&
    typeof t.i === "string" &&
    (t.b === 0 || t.b === 1) &&
    isFilter(shape.filters, t.f)
  );
}

function isFilter<F>(kinds: FilterKinds<F>, value: unknown): value is F {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.entries(value).every(([key, v]) => {
    const kind = (kinds as Record<string, string>)[key];
    if (kind === "string") return typeof v === "string";
    if (kind === "boolean") return typeof v === "boolean";
    if (kind === "strings") return Array.isArray(v) && v.every((s) => typeof s === "string");
    return false;
  });
}

/** `text`'s UTF-8 bytes in unpadded base64url (RFC 4648 section 5), with the Web's encoders so it runs anywhere. */
function encodeBase64url(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The text of unpadded base64url; throws on anything else, or on bytes that are not UTF-8. */
function decodeBase64url(encoded: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(encoded)) throw new Error("not base64url");
  const binary = atob(encoded.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}
