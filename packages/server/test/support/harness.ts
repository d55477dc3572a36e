// A server on a free loopback port with a fake clock, a static token and captured logs, for tests over HTTP.
import { Writable } from "node:stream";
import { pino } from "pino";
import { type SeedData, type StartOptions, startServer } from "../../src/index.js";

/** The static bearer token every harness accepts. */
export const testToken = "test-token";

/** A clock that moves only when told. */
export class FakeClock {
  constructor(public ms = Date.parse("2025-01-15T12:00:00.000Z")) {}
  now = () => this.ms;
  advance(seconds: number) {
    this.ms += seconds * 1000;
  }
  iso() {
    return new Date(this.ms).toISOString();
  }
}

/** What a request answered. */
export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, the text otherwise ("" when empty). */
  // biome-ignore lint/suspicious/noExplicitAny: tests read reply bodies loosely and assert on them.
  body: any;
  text: string;
}

/** Options of one request. */
export interface Call {
  body?: unknown;
  /** Sent as is instead of `body`. */
  raw?: string;
  headers?: Record<string, string>;
  /** A bearer token; `null` sends none. The harness's static token by default. */
  token?: string | null;
}

export interface Harness {
  url: string;
  clock: FakeClock;
  /** Every log line so far, as written. */
  logs: string[];
  request(method: string, path: string, call?: Call): Promise<Reply>;
  close(): Promise<void>;
}

/** Starts a server (empty seed unless given) and returns a client for it. */
export async function startHarness(
  options: Omit<StartOptions, "logger" | "now"> & { seed?: SeedData } = {},
): Promise<Harness> {
  const clock = new FakeClock();
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const server = await startServer({
    seed: {},
    staticTokens: [testToken],
    ...options,
    logger: pino({ level: "info" }, stream),
    now: clock.now,
  });
  return {
    url: server.url,
    clock,
    logs,
    close: () => server.stop(),
    async request(method, path, call = {}) {
      const headers: Record<string, string> = { ...call.headers };
      const token = call.token === undefined ? testToken : call.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined = call.raw;
      if (body === undefined && call.body !== undefined) body = JSON.stringify(call.body);
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
        headers["content-type"] = "application/json";
      }
      const res = await fetch(server.url + path, { method, headers, body });
      const text = await res.text();
      const json = res.headers.get("content-type")?.startsWith("application/json") && text !== "";
      return { status: res.status, headers: res.headers, text, body: json ? JSON.parse(text) : text };
    },
  };
}

/** A query string from a record; arrays become repeated keys. */
export function query(params: Record<string, string | number | boolean | readonly string[] | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, String(v));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
