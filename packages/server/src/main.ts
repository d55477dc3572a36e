// The entry `pnpm start` runs: reads the environment, serves until SIGTERM or SIGINT, then stops gracefully.
import { pino } from "pino";
import { devCredentials, readConfig } from "./config.js";
import { startServer } from "./server.js";

const logger = pino({ level: process.env.LOG_LEVEL || "info" });

try {
  const config = readConfig(process.env);
  logger.level = config.logLevel;
  const server = await startServer({ ...config, logger });
  logger.info({ url: server.url, docs: `${server.url}/docs` }, `Refunds API listening on ${server.url}`);
  logger.info(`Docs: ${server.url}/docs, spec: ${server.url}/openapi.json and ${server.url}/openapi.yaml`);
  // Only the built-in development credentials are printed; configured secrets never are.
  if (config.clientId === devCredentials.clientId && config.clientSecret === devCredentials.clientSecret) {
    logger.info(
      `Dev credentials: POST ${server.url}/api/auth/v2/token with {"client_id": "${config.clientId}", "client_secret": "${config.clientSecret}"}`,
    );
  }
  if (config.staticTokens.length === 1 && config.staticTokens[0] === devCredentials.staticToken) {
    logger.info(`Dev static token: send "Authorization: Bearer ${devCredentials.staticToken}"`);
  }

  const stop = (signal: string) => {
    logger.info({ signal }, "Shutting down: finishing in-flight requests");
    server.close().then(
      () => {
        logger.info("Stopped");
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "Shutdown failed");
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
} catch (error) {
  logger.fatal({ err: error }, `Could not start: ${(error as Error).message}`);
  logger.flush();
  process.exitCode = 1;
}
