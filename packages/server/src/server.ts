// Listening, and stopping gracefully: no new connections, in-flight requests finish, idle keep-alives close.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Directory, Store } from "@refunds-api/core";
import { createMemoryStore } from "@refunds-api/core";
import type { Express } from "express";
import { type Logger, pino } from "pino";
import { createApp } from "./app.js";
import { TokenAuthority } from "./auth.js";
import { devCredentials, type ServerConfig } from "./config.js";
import { type ControlSurface, createControl } from "./control/index.js";
import { checkSeed, defaultSeed, loadSeed, readSeedFile, resetToSeed, type SeedData } from "./seed.js";
import { createStore, type StoreOptions } from "./store/create.js";

/** A listening server. */
export interface RunningServer {
  /** `http://host:port`, without a trailing slash. */
  url: string;
  server: Server;
  /** Stops accepting connections, lets in-flight requests finish, then resolves; safe to call twice. */
  stop(): Promise<void>;
}

/** Options of `listen`. */
export interface ListenOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** After this long, connections still open at close are cut; 10 s by default. */
  shutdownTimeoutMs?: number;
}

/** Serves `app` on host:port (127.0.0.1 and a free port by default). */
export async function listen(app: Express, options: ListenOptions = {}): Promise<RunningServer> {
  const server = createServer(app);
  // Slow clients may not hold a connection forever.
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  const stop = () => {
    closing ??= new Promise<void>((resolve, reject) => {
      // Requests already being handled finish; each connection closes as soon as it falls idle.
      server.on("request", (_req, res) => res.setHeader("Connection", "close"));
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const force = setTimeout(() => server.closeAllConnections(), options.shutdownTimeoutMs ?? 10_000);
      sweep.unref();
      force.unref();
      server.close((err) => {
        clearInterval(sweep);
        clearTimeout(force);
        if (err) reject(err);
        else resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
  return { url: `http://${host}:${address.port}`, server, stop };
}

/** A whole server from its configuration, as `pnpm start` runs it. */
export interface StartOptions extends Partial<ServerConfig> {
  /** Where the server logs; a pino logger at `logLevel` (silent by default) on stdout otherwise. */
  logger?: Logger;
  /** Seed data given directly (instead of `seedFile` or the default seed); checked against the spec first. */
  seed?: SeedData;
  /**
   * Serve the `/__control/` endpoints (reset to the seed, the request journal, injected faults); off by default,
   * and then they answer 404 like any unknown URL.
   */
  control?: boolean;
  store?: Store;
  /** Where refunds live when no `store` is given (see `createStore`): opened here, closed with the server. */
  storage?: StoreOptions;
  /** Milliseconds since the epoch, for tests that move time. */
  now?: () => number;
  /** Aborting stops the start-up (a seed being loaded stops between two batches) and rejects. */
  signal?: AbortSignal;
}

/** A started server with what it was built from. */
export interface StartedServer extends RunningServer {
  app: Express;
  auth: TokenAuthority;
  store: Store;
  /** The control surface, when `control` was asked for. */
  control?: ControlSurface;
}

/** Builds the store, seed, auth and app from `options`, and listens. */
export async function startServer(options: StartOptions = {}): Promise<StartedServer> {
  const logger = options.logger ?? pino({ level: options.logLevel ?? "silent" });
  // A bad seed is refused before a store is opened, every failing field named.
  const seed =
    options.seed === undefined
      ? options.seedFile
        ? readSeedFile(options.seedFile)
        : defaultSeed
      : options.seed === defaultSeed
        ? defaultSeed
        : checkSeed(options.seed);
  const store = options.store ?? (options.storage ? await createStore(options.storage, logger) : createMemoryStore());
  try {
    const directory = await loadSeed(store, seed, { signal: options.signal, onProgress: seedProgress(logger) });
    options.signal?.throwIfAborted();
    const control = options.control ? createControl({ reset: () => resetToSeed(store, directory, seed) }) : undefined;
    return await serve(options, logger, store, directory, control);
  } catch (error) {
    // A store opened here must not stay open (and its data folder locked) when the server cannot start.
    if (!options.store) await store.close().catch(() => {});
    throw error;
  }
}

async function serve(
  options: StartOptions,
  logger: Logger,
  store: Store,
  directory: Directory,
  control: ControlSurface | undefined,
): Promise<StartedServer> {
  const auth = new TokenAuthority({
    clientId: options.clientId ?? devCredentials.clientId,
    clientSecret: options.clientSecret ?? devCredentials.clientSecret,
    signingKey: options.signingKey,
    previousSigningKey: options.previousSigningKey,
    staticTokens: options.staticTokens ?? [],
    tokenTtlSeconds: options.tokenTtlSeconds,
    now: options.now,
  });
  if (auth.ephemeralKey) {
    logger.info(
      "AUTH_SIGNING_KEY is not set: access tokens are signed with a random key of this process, so they stop working when it restarts and other instances refuse them. Set AUTH_SIGNING_KEY (the same on every instance) to keep them.",
    );
  }
  const app = createApp({
    auth,
    store,
    directory,
    logger,
    validateResponses: options.validateResponses ?? true,
    runtime: options.now ? { now: options.now } : undefined,
    control,
    cors: options.corsOrigins ? { origins: options.corsOrigins } : undefined,
  });
  const running = await listen(app, { host: options.host, port: options.port });
  return {
    ...running,
    app,
    auth,
    store,
    control,
    stop: async () => {
      await running.stop();
      await store.close();
    },
  };
}

/** Logs a long seed load's progress: once it has taken a second, then every few seconds, and at the end. */
function seedProgress(logger: Logger): (stored: number, total: number) => void {
  const started = Date.now();
  let logged = started;
  return (stored, total) => {
    const now = Date.now();
    if (stored < total && now - logged < (logged === started ? 1000 : 5000)) return;
    logged = now;
    logger.info(
      { seeded: stored, total },
      `Seeding: ${stored.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} refunds stored (${((now - started) / 1000).toFixed(1)} s)`,
    );
  };
}
