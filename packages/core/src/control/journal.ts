// The request journal: what the code under test sent, and what it got, oldest first. Framework-free.
import type { Fault } from "./faults.js";

/** One request as the journal holds it. */
export interface JournalEntry {
  /** The operation the request was routed to (spec operationId); `null` for a URL that is no operation. */
  operationId: string | null;
  /** `GET`, `POST`... */
  method: string;
  /** The URL's path, without the query. */
  path: string;
  /** The query, decoded: a repeated key (`?sources=A&sources=B`) holds its values in order. */
  query: Record<string, string | string[]>;
  /** The request headers, names in lower case. */
  headers: Record<string, string>;
  /** The parsed JSON body; `null` when the request had none (or it was not JSON). */
  body: unknown;
  /** The status answered; `null` while the request is in flight, or when no answer was sent (`drop`). */
  status: number | null;
  /** The `errorName` of an error answer. */
  errorName?: string;
  /** The request's `X-Request-Id`, as the response carries it. */
  requestId: string;
  /** The fault that answered the request, when one did. */
  fault?: Omit<Fault, "times">;
  /** When the request arrived, RFC 3339. */
  time: string;
  /** Milliseconds from arrival to the end of the answer; `null` while in flight or when dropped. */
  durationMs: number | null;
}

/** The journal keeps this many requests; the oldest go first. */
export const journalLimit = 10_000;

/** Requests in the order they arrived, at most {@link journalLimit}. */
export class Journal {
  private entries: JournalEntry[] = [];

  /** Records a request as it arrives; the caller fills in the answer on the returned entry. */
  add(entry: JournalEntry): JournalEntry {
    this.entries.push(entry);
    if (this.entries.length > journalLimit) this.entries.splice(0, this.entries.length - journalLimit);
    return entry;
  }

  /** Copies of the entries, oldest first. */
  list(): JournalEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries = [];
  }
}

/** The query of a URL as a journal entry holds it. */
export function queryOf(search: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of search) {
    const seen = query[key];
    query[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return query;
}

/** Headers as a journal entry holds them: lower-case names, repeated ones joined with ", ". */
export function headersOf(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}
