// The server under fuzz (in this process, on a free loopback port, the seed and token `pnpm start` has), the
// requests it is sent, and each request as a curl command that replays it against `pnpm start`.
import { Writable } from "node:stream";
import { createStore, type StartedServer, startServer } from "@refunds-api/server";
import { pino } from "pino";
import type { Reply } from "./contract.js";

/** The static token the fuzzed server accepts, as `pnpm start` does by default. */
export const fuzzToken = "dev-token";

/** One HTTP request, as it goes on the wire. */
export interface WireRequest {
  method: string;
  /** The path with its parameters already filled in and encoded. */
  path: string;
  query?: [string, string][];
  /** The body text, sent as is. */
  body?: string;
  headers?: Record<string, string>;
  /** A bearer token; `null` sends none; the fuzz token by default. */
  token?: string | null;
}

/** A running server with its log. */
export interface FuzzServer {
  url: string;
  /** The kind of store behind it. */
  kind: "memory" | "embedded";
  server: StartedServer;
  /** Log lines so far. */
  logs: string[];
  send(request: WireRequest): Promise<Reply>;
  close(): Promise<void>;
}

/** Starts the server with the default seed and the dev token over a store of `kind`; every log line is kept. */
export async function startFuzzServer(
  options: { kind?: FuzzServer["kind"]; validateResponses?: boolean } = {},
): Promise<FuzzServer> {
  const kind = options.kind ?? "memory";
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const server = await startServer({
    store: await createStore({ kind }),
    staticTokens: [fuzzToken],
    logger: pino({ level: "warn" }, stream),
    validateResponses: options.validateResponses ?? true,
  });
  return {
    url: server.url,
    kind,
    server,
    logs,
    send: (request) => send(server.url, request),
    close: () => server.stop(),
  };
}

/** Sends `request` to `base` and reads the whole reply. */
export async function send(base: string, request: WireRequest): Promise<Reply> {
  const res = await fetch(urlOf(base, request), {
    method: request.method,
    headers: headersOf(request),
    body: request.body,
  });
  return { status: res.status, contentType: res.headers.get("content-type"), text: await res.text() };
}

function urlOf(base: string, request: WireRequest): string {
  const query = new URLSearchParams(request.query ?? []).toString();
  return `${base}${request.path}${query ? `?${query}` : ""}`;
}

function headersOf(request: WireRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  const token = request.token === undefined ? fuzzToken : request.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (request.body !== undefined) headers["content-type"] = "application/json";
  return { ...headers, ...request.headers };
}

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** The request as a curl command against `base` (`pnpm start`'s address by default). */
export function curlOf(request: WireRequest, base = process.env.FUZZ_BASE_URL ?? "http://127.0.0.1:3000"): string {
  const parts = ["curl", "-sS", "-i", "-X", request.method, shellQuote(urlOf(base, request))];
  for (const [name, value] of Object.entries(headersOf(request))) parts.push("-H", shellQuote(`${name}: ${value}`));
  if (request.body !== undefined) parts.push("--data-binary", shellQuote(request.body));
  return parts.join(" ");
}
