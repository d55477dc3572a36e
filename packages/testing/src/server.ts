import {
  defaultSeed,
  type SeedData,
  type Store,
  type StoreOptions,
  startServer as startReferenceServer,
} from "@refunds-api/server";
import { pino } from "pino";

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** Payers, claims, balances and refunds to start with; the server's built-in seed (ids in the README) by default. */
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
}

/** A running reference server. */
export interface RunningServer {
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
 * unless told otherwise, every response checked against the spec (a response that breaks it answers 500), a
 * silent log, and one static bearer token. Client credentials are the server's development ones
 * (`dev-client` / `dev-secret`).
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const token = options.token ?? defaultServerToken;
  const server = await startReferenceServer({
    host: "127.0.0.1",
    port: options.port ?? 0,
    seed: options.seed ?? defaultSeed,
    store: options.store,
    storage: options.storage,
    staticTokens: [token],
    validateResponses: true,
    logger: pino({ level: "silent" }),
    now: options.now,
  });
  let stopping: Promise<void> | undefined;
  return {
    url: server.url,
    token,
    stop: () => {
      stopping ??= server.stop();
      return stopping;
    },
  };
}
