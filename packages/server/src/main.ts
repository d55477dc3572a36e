#!/usr/bin/env node
// The entry `pnpm start` runs: reads the environment (and `--control`), serves until SIGTERM or SIGINT, then stops
// gracefully. Logs are readable lines on a terminal and JSON otherwise (LOG_FORMAT); the line with the URL is
// printed at every LOG_LEVEL, so a server on PORT=0 always says where it listens.
import { parseArgs } from "node:util";
import type { Logger } from "pino";
import { devCredentials, readConfig, readStoreConfig } from "./config.js";
import { createLogger } from "./logging.js";
import { type StartedServer, startServer } from "./server.js";
import { describeStore } from "./store/create.js";

let logger: Logger = initialLogger();

let server: StartedServer | undefined;
let stopping: string | undefined;
// A signal during start-up stops it between two steps (a long seed load between two batches).
const starting = new AbortController();

// Until the configuration is read (a bad LOG_LEVEL is reported by readConfig, at info).
function initialLogger(): Logger {
  try {
    return createLogger({ level: process.env.LOG_LEVEL || "info" });
  } catch {
    return createLogger({ level: "info" });
  }
}

const exit = (code: number) => {
  logger.flush();
  process.exit(code);
};

function stop(signal: string) {
  stopping ??= signal;
  if (!server) {
    logger.info({ signal }, "Stopping the start-up");
    starting.abort(new Error(`Start-up stopped by ${signal}`));
    return;
  }
  logger.info({ signal }, "Shutting down: finishing in-flight requests");
  server.stop().then(
    () => {
      logger.info("Stopped");
      exit(0);
    },
    (error: unknown) => {
      logger.error({ err: error }, "Shutdown failed");
      exit(1);
    },
  );
}
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

try {
  const { values: flags } = parseArgs({ options: { control: { type: "boolean", default: false } } });
  const config = readConfig(process.env);
  const storage = readStoreConfig(process.env);
  logger = createLogger({ level: config.logLevel, format: config.logFormat });
  const control = config.control || flags.control === true;
  server = await startServer({ ...config, control, storage, logger, signal: starting.signal });
  const { url } = server;
  // At every level: the address is what a person (or a script with PORT=0) needs from the start-up.
  const announce = logger.isLevelEnabled("info") ? logger : createLogger({ level: "info", format: config.logFormat });
  announce.info({ url, docs: `${url}/docs` }, `Refunds API listening on ${url}`);
  logger.info({ store: storage.kind }, `Refunds are kept ${describeStore(storage)}`);
  logger.info(`Docs: ${url}/docs, spec: ${url}/openapi.json and ${url}/openapi.yaml`);
  if (control) {
    logger.warn(
      `Control endpoints on (for tests only): POST ${url}/__control/reset, GET ${url}/__control/requests, POST and DELETE ${url}/__control/faults`,
    );
  }
  // Only the built-in development credentials are printed; configured secrets never are.
  if (config.clientId === devCredentials.clientId && config.clientSecret === devCredentials.clientSecret) {
    logger.info(
      `Dev credentials: POST ${url}/api/auth/v2/token with {"client_id": "${config.clientId}", "client_secret": "${config.clientSecret}"}`,
    );
  }
  if (config.staticTokens.length === 1 && config.staticTokens[0] === devCredentials.staticToken) {
    logger.info(`Dev static token: send "Authorization: Bearer ${devCredentials.staticToken}"`);
  }
  if (stopping) stop(stopping);
} catch (error) {
  if (starting.signal.aborted) {
    logger.info("Stopped before it started serving");
    exit(0);
  }
  logger.fatal({ err: error }, `Could not start: ${(error as Error).message}`);
  exit(1);
}
