// What the fault tests share: a server with its log captured, the stores to run against, and raw HTTP/1.1 requests
// for what fetch will not send (bad lengths, bytes a string cannot hold, slow or cut-off bodies).
import { request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { Writable } from "node:stream";
import { createStore, type SeedData, type StartedServer, type Store, startServer } from "@refunds-api/server";
import { pino } from "pino";

/** The bearer token every fault server accepts. */
export const faultToken = "fault-token-8c41b2e07d";

/** A started server and its captured log lines. */
export interface FaultServer extends StartedServer {
  logs: string[];
}

/** The store kinds the store-dependent fault tests run against: in memory, and embedded PostgreSQL (PGlite). */
export const storeKinds = ["memory", "embedded"] as const;

/** Starts a server on a free loopback port over a store of `kind`, logging at `level` into `logs`. */
export async function startFaultServer(
  options: { kind?: (typeof storeKinds)[number]; level?: string; seed?: SeedData; store?: Store } = {},
): Promise<FaultServer> {
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const kind = options.kind ?? "memory";
  const store = options.store ?? (await createStore({ kind }));
  const started = await startServer({
    staticTokens: [faultToken],
    logger: pino({ level: options.level ?? "info" }, stream),
    ...(options.seed ? { seed: options.seed } : {}),
    ...(store ? { store } : {}),
  });
  return Object.assign(started, { logs });
}

/** A reply read whole. */
export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed when the body is JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: replies are asserted on loosely.
  json?: any;
}

/** One request with node:http, body sent as given (a Buffer keeps bytes a string cannot). */
export function rawRequest(
  url: string,
  options: {
    method?: string;
    path: string;
    /** Headers to send; `null` leaves one out. */
    headers?: Record<string, string | number | null>;
    body?: string | Buffer;
  },
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const all: Record<string, string | number | null> = { authorization: `Bearer ${faultToken}`, ...options.headers };
    const headers = Object.entries(all).filter((entry): entry is [string, string | number] => entry[1] !== null);
    const req = httpRequest(`${url}${options.path}`, {
      method: options.method ?? "GET",
      headers: Object.fromEntries(headers),
      agent: false,
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        // A HEAD answer has the headers of its GET, JSON's content type included, and no body.
        if (text !== "" && /^application\/json/.test(String(res.headers["content-type"]))) json = JSON.parse(text);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** A raw TCP connection to the server, for requests that stall or break off mid-way. */
export function openSocket(url: string): Promise<Socket & { received: () => string; gone: Promise<void> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = "";
    socket.on("data", (d) => {
      received += d;
    });
    const gone = new Promise<void>((done) => socket.on("close", () => done()));
    let connected = false;
    // A reset after the connection is up is an answer too (the server cut it): it just closes the socket.
    socket.on("error", (error) => {
      if (!connected) reject(error);
    });
    socket.once("connect", () => {
      connected = true;
      resolve(Object.assign(socket, { received: () => received, gone }));
    });
  });
}

/** JSON with each level of nesting `depth` deep: `{"a":{"a":...1...}}`. */
export function nested(depth: number, open = '{"a":', close = "}"): string {
  return `${open.repeat(depth)}1${close.repeat(depth)}`;
}
