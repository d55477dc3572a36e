import {
  createLogger,
  defaultSeed,
  type SeedData,
  type Store,
  type StoreOptions,
  startServer as startReferenceServer,
} from "@refunds-api/server";
import type { Logger } from "pino";
import { controlOf, type DoubleControl } from "./control.js";

/** Options of {@link startServer}. */
export interface ServerOptions {
  /**
   * Payers, claims, balances and refunds to start with; the server's built-in seed (ids in the README) by default.
   * Checked against the spec's wire schemas before the server starts: a bad one is refused, every failing field
   * named (`patient_refunds[0].patient_refund_id: must be a UUID`). `readSeedFile` loads one from a JSON file.
   */
  seed?: SeedData;
  /** Where refunds live; a fresh in-memory store by default. `stop()` closes it. */
  store?: Store;
  /**
   * Instead of `store`: the store to open, such as `{ kind: "postgres", databaseUrl }` or `{ kind: "embedded" }`
   * (see `createStore` of `@refunds-api/server`); SQL stores are migrated first. `stop()` closes it.
   */
  storage?: StoreOptions;
  /** The static bearer token the server accepts; `"test-token"` by default. */
  token?: string;
  /** Milliseconds since the epoch, for tests that move time (token expiry, `allocated_on`). */
  now?: () => number;
  /** Port of the server; a free one by default. */
  port?: number;
  /**
   * Where the server logs (a pino logger). By default errors only, as readable lines on stderr: a 5xx prints its
   * cause (the stack, or what in the response breaks the spec) with its request id, so a failing test shows why.
   */
  logger?: Logger;
  /** Instead of `logger`: the level of the default one (`"info"` prints every request, `"silent"` nothing). */
  logLevel?: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
}

/** A running reference server, with the control calls of both doubles (see {@link DoubleControl}). */
export interface RunningServer extends DoubleControl {
  /** Base URL of the server, such as `http://127.0.0.1:41234`, without a trailing slash. */
  url: string;
  /** A bearer token the server accepts: send `Authorization: Bearer ${token}`. */
  token: string;
  /** Stops the server once the requests in flight are answered, and closes its store; safe to call twice. */
  stop(): Promise<void>;
}

/** The static token {@link startServer} accepts unless told otherwise. */
export const defaultServerToken = "test-token";

/**
 * Starts the reference server in process on a free 127.0.0.1 port: the built-in seed on an in-memory store
 * unless told otherwise, every response checked against the spec (a response that breaks it answers 500), errors
 * logged to stderr, one static bearer token, and the control endpoints on (`reset()`, `requests()`, `inject()`,
 * `clearFaults()`). Client credentials are the server's development ones (`dev-client` / `dev-secret`).
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const token = options.token ?? defaultServerToken;
  const logger =
    options.logger ??
    createLogger({ level: options.logLevel ?? "error", format: "pretty", destination: process.stderr });
  const server = await startReferenceServer({
    host: "127.0.0.1",
    port: options.port ?? 0,
    seed: options.seed ?? defaultSeed,
    store: options.store,
    storage: options.storage,
    staticTokens: [token],
    validateResponses: true,
    logger,
    now: options.now,
    control: true,
  });
  let stopping: Promise<void> | undefined;
  return {
    url: server.url,
    token,
    ...controlOf(server.url),
    stop: () => {
      stopping ??= server.stop();
      return stopping;
    },
  };
}
