// Server settings from the environment.
import { resolve } from "node:path";
import { minSigningKeyLength } from "./auth.js";
import { isOrigin } from "./http.js";
import type { StoreOptions } from "./store/create.js";

/** Credentials that work out of the box; override them with AUTH_CLIENT_ID, AUTH_CLIENT_SECRET and AUTH_TOKENS. */
export const devCredentials = { clientId: "dev-client", clientSecret: "dev-secret", staticToken: "dev-token" } as const;

/** Everything `main.ts` needs to start a server. */
export interface ServerConfig {
  host: string;
  port: number;
  clientId: string;
  clientSecret: string;
  /** Bearer tokens accepted without the token exchange. */
  staticTokens: string[];
  tokenTtlSeconds: number;
  /** The key access tokens are signed with (AUTH_SIGNING_KEY); a random one per process when unset. */
  signingKey?: string;
  /** The key before it (AUTH_PREVIOUS_SIGNING_KEY): its tokens are accepted for one token lifetime more. */
  previousSigningKey?: string;
  /** Browser origins allowed to call the server (CORS_ORIGINS); none when unset. */
  corsOrigins?: string[] | "*";
  /** A JSON file of seed data in the API's wire format; the built-in seed when absent. */
  seedFile?: string;
  logLevel: string;
  /** `auto` (readable lines on a terminal, JSON otherwise), `pretty` or `json`. */
  logFormat: "auto" | "pretty" | "json";
  validateResponses: boolean;
  /** Serve the `/__control/` endpoints (reset, journal, faults): CONTROL=1. Never on by default. */
  control: boolean;
}

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/**
 * Reads HOST, PORT, AUTH_CLIENT_ID, AUTH_CLIENT_SECRET, AUTH_TOKENS, AUTH_TOKEN_TTL_SECONDS, AUTH_SIGNING_KEY,
 * AUTH_PREVIOUS_SIGNING_KEY, CORS_ORIGINS, SEED_FILE, LOG_LEVEL, LOG_FORMAT, VALIDATE_RESPONSES and CONTROL; throws
 * with the variable's name when a value is unusable (never repeating a key).
 */
export function readConfig(env: Record<string, string | undefined>): ServerConfig {
  const port = integer(env, "PORT", 3000, 0, 65535);
  const logLevel = env.LOG_LEVEL || "info";
  if (!logLevels.includes(logLevel)) throw new Error(`LOG_LEVEL must be one of ${logLevels.join(", ")}`);
  const logFormat = env.LOG_FORMAT || "auto";
  if (logFormat !== "auto" && logFormat !== "pretty" && logFormat !== "json") {
    throw new Error("LOG_FORMAT must be one of auto, pretty, json");
  }
  const control = env.CONTROL ?? "";
  if (!["", "0", "1", "true", "false"].includes(control)) throw new Error("CONTROL must be 1 or 0 (true or false)");
  const validate = env.VALIDATE_RESPONSES;
  if (validate !== undefined && validate !== "" && validate !== "true" && validate !== "false") {
    throw new Error("VALIDATE_RESPONSES must be true or false");
  }
  return {
    host: env.HOST || "127.0.0.1",
    port,
    clientId: env.AUTH_CLIENT_ID || devCredentials.clientId,
    clientSecret: env.AUTH_CLIENT_SECRET || devCredentials.clientSecret,
    staticTokens: (env.AUTH_TOKENS ?? devCredentials.staticToken)
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
    tokenTtlSeconds: integer(env, "AUTH_TOKEN_TTL_SECONDS", 3600, 1, 31_536_000),
    signingKey: signingKey(env, "AUTH_SIGNING_KEY"),
    previousSigningKey: signingKey(env, "AUTH_PREVIOUS_SIGNING_KEY"),
    corsOrigins: corsOrigins(env.CORS_ORIGINS),
    seedFile: env.SEED_FILE || undefined,
    logLevel,
    logFormat,
    control: control === "1" || control === "true",
    // Responses are checked unless turned off, or in production.
    validateResponses: validate ? validate === "true" : env.NODE_ENV !== "production",
  };
}

const storeKinds = ["memory", "embedded", "postgres"];
const urlExample = "postgres://user:password@host:5432/database";

/**
 * Reads STORE (`memory`, `embedded` or `postgres`), DATA_DIR and DATABASE_URL: where refunds are kept. Without
 * STORE, a DATABASE_URL means postgres and none means embedded, under DATA_DIR (`.data`). A relative DATA_DIR
 * is taken from the folder pnpm or npm was started in (INIT_CWD), else the current one. Throws with the
 * variable's name when a value is unusable, never repeating DATABASE_URL (it may hold a password).
 */
export function readStoreConfig(env: Record<string, string | undefined>): StoreOptions {
  const databaseUrl = env.DATABASE_URL || undefined;
  const kind = env.STORE || (databaseUrl ? "postgres" : "embedded");
  switch (kind) {
    case "memory":
      return { kind };
    case "embedded":
      return { kind, dataDir: resolve(env.INIT_CWD || process.cwd(), env.DATA_DIR || ".data") };
    case "postgres": {
      if (!databaseUrl) throw new Error(`STORE=postgres needs DATABASE_URL, such as ${urlExample}`);
      let protocol: string | undefined;
      try {
        protocol = new URL(databaseUrl).protocol;
      } catch {
        protocol = undefined;
      }
      if (protocol !== "postgres:" && protocol !== "postgresql:") {
        throw new Error(`DATABASE_URL must be a PostgreSQL connection URL such as ${urlExample}`);
      }
      return { kind, databaseUrl };
    }
    default:
      throw new Error(`STORE must be one of ${storeKinds.join(", ")}, not "${kind}"`);
  }
}

function integer(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number) {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, not "${text}"`);
  }
  return value;
}

function signingKey(env: Record<string, string | undefined>, name: string): string | undefined {
  const key = env[name];
  if (key === undefined || key === "") return undefined;
  if (key.length < minSigningKeyLength) {
    throw new Error(
      `${name} must be at least ${minSigningKeyLength} characters long (for example \`openssl rand -base64 32\`)`,
    );
  }
  return key;
}

/** CORS_ORIGINS: `*`, or a comma-separated list of origins such as `https://app.example.com`. */
function corsOrigins(text: string | undefined): string[] | "*" | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  if (text.trim() === "*") return "*";
  const origins = text
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  const bad = origins.filter((o) => !isOrigin(o));
  if (bad.length > 0) {
    throw new Error(
      `CORS_ORIGINS must be * or a comma-separated list of origins such as https://app.example.com (scheme, host and port only), not ${bad.map((o) => `"${o}"`).join(", ")}`,
    );
  }
  return origins;
}
