#!/usr/bin/env node
// The entry `pnpm start` runs: reads the environment, serves until SIGTERM or SIGINT, then stops gracefully.
import { pino } from "pino";
import { devCredentials, readConfig, readStoreConfig } from "./config.js";
import { type StartedServer, startServer } from "./server.js";
import { describeStore } from "./store/create.js";

const logger = pino({ level: process.env.LOG_LEVEL || "info" });
let server: StartedServer | undefined;
let stopping: string | undefined;

const exit = (code: number) => {
  logger.flush();
  process.exit(code);
};

function stop(signal: string) {
  stopping ??= signal;
  // A signal during start-up stops the server as soon as it is listening.
  if (!server) return;
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
  const config = readConfig(process.env);
  const storage = readStoreConfig(process.env);
  logger.level = config.logLevel;
  server = await startServer({ ...config, storage, logger });
  const { url } = server;
  logger.info({ url, docs: `${url}/docs` }, `Refunds API listening on ${url}`);
  logger.info({ store: storage.kind }, `Refunds are kept ${describeStore(storage)}`);
  logger.info(`Docs: ${url}/docs, spec: ${url}/openapi.json and ${url}/openapi.yaml`);
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
  logger.fatal({ err: error }, `Could not start: ${(error as Error).message}`);
  exit(1);
}
