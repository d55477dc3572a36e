// The Express application: logging → public endpoints → JSON body → validator → spec-bound operations → one error
// handler. It never listens; see `listen` and `main.ts`.
import { isUtf8 } from "node:buffer";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse as parseQuery } from "node:querystring";
import type { Runtime, Store } from "@refunds-api/core";
import {
  ApiError,
  BadRequestError,
  createMemoryStore,
  createServices,
  Directory,
  DomainError,
  defaultOrganizationId,
  fromDomainError,
  InternalServerError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  RouteNotFoundError,
  RouteTable,
  UnsupportedMediaTypeError,
} from "@refunds-api/core";
import { specJsonPath, specYamlPath } from "@refunds-api/spec";
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from "express";
import { type Logger, pino } from "pino";
import { pinoHttp } from "pino-http";
import type { TokenAuthority } from "./auth.js";
import type { ControlSurface } from "./control/index.js";
import { docsRoutes } from "./docs.js";
import {
  allowHeader,
  type CorsOptions,
  cors,
  getOnly,
  type KnownPaths,
  optionsAndHead,
  queryParameterCap,
  sentMethod,
} from "./http.js";
import { afterValidation, arrayCaps, beforeBody, noteEmptyBody, tokenThrottle } from "./inputs.js";
import { mountOperations } from "./routes/index.js";
import { readSpec, specOperations } from "./spec.js";
import { chain, fromValidatorError, isValidatorError, nextTurnForLargeBody, openApiValidator } from "./validation.js";

/** Everything the app is built from. */
export interface AppOptions {
  /** Issues and checks bearer tokens. */
  auth: TokenAuthority;
  /** Where refunds live; a fresh in-memory store by default. */
  store?: Store;
  /** Payers, claims and paid balances; empty by default. */
  directory?: Directory;
  /** Structured log; silent by default. */
  logger?: Logger;
  /** Check every response against the spec (a mismatch becomes a 500); on by default. */
  validateResponses?: boolean;
  /** Clock and id source; the system's by default. */
  runtime?: Partial<Runtime>;
  /** Organization of the refunds created through this server. */
  organizationId?: string;
  /** Largest accepted request body, in body-parser syntax; "1mb" by default. */
  bodyLimit?: string;
  /** The static docs page served at /docs; the spec package's build by default. */
  docsPath?: string;
  /** The `/__control/` endpoints (reset, journal, faults; see `createControl`); none by default. */
  control?: ControlSurface;
  /**
   * Answers every request that passes validation, in place of the service's operations (the mock's wire front
   * forwards them to Prism).
   */
  serve?: RequestHandler;
  /** Browser origins allowed to call the server (CORS); none by default. */
  cors?: CorsOptions;
}

/** Paths served outside the spec, all GET (and HEAD, OPTIONS): any other method there is a 405. */
const fixedGetPaths = ["/healthz", "/openapi.json", "/openapi.yaml", "/docs", "/docs/changelog"];

const defaultDocsPath = join(dirname(specJsonPath), "..", "docs", "index.html");
const requestIdPattern = /^[\w.:-]{1,128}$/;

/** Builds the app. Nothing here listens; all spec work (routes, validators' inputs) happens once, now. */
export function createApp(options: AppOptions): Express {
  const logger = options.logger ?? pino({ level: "silent" });
  const bodyLimit = options.bodyLimit ?? "1mb";
  const docsPath = options.docsPath ?? defaultDocsPath;
  const spec = readSpec();
  const operations = specOperations(spec);
  const operationsById = new Map(operations.map((op) => [op.operationId as string, op]));
  const specJson = readFileSync(specJsonPath, "utf8");
  const specYaml = readFileSync(specYamlPath, "utf8");
  const services = createServices({
    store: options.store ?? createMemoryStore(),
    directory: options.directory ?? new Directory(),
    runtime: { now: options.runtime?.now ?? Date.now, newId: options.runtime?.newId ?? randomUUID },
    organizationId: options.organizationId ?? defaultOrganizationId,
  });

  const routes = new RouteTable(spec);
  const paths: KnownPaths = { routes, fixedGetPaths };

  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  // Node's parser without its silent cut at 1,000 pairs: `queryParameterCap` refuses longer query strings instead.
  app.set("query parser", (query: string) => parseQuery(query, "&", "=", { maxKeys: 0 }));
  // Middleware that every request passes runs in a few chained layers (see `chain`), not a router layer each.
  const front: RequestHandler[] = [
    (req, res, next) => {
      const given = req.headers["x-request-id"];
      req.id = typeof given === "string" && requestIdPattern.test(given) ? given : randomUUID();
      res.setHeader("X-Request-Id", req.id);
      next();
    },
  ];
  // A silent logger would log nothing; skipping pino-http then saves its per-request child loggers.
  if (logger.level !== "silent") {
    front.push(
      pinoHttp({
        logger,
        genReqId: (req) => req.id,
        // Only what identifies the request: no headers (tokens), no bodies (credentials).
        serializers: {
          req: (req: { id: unknown; method: string; url: string }) => ({
            id: req.id,
            method: req.method,
            url: req.url,
          }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
        // The error's name on 4xx and 5xx lines, and each line's message readable on its own.
        customProps: (_req, res) => {
          const errorName = errorNameOf(res);
          return errorName === undefined ? {} : { errorName };
        },
        customSuccessMessage: (req, res, ms) => requestLine(req, res, ms),
        customErrorMessage: (req, res) => `${requestLine(req, res)} (request id ${String(req.id)})`,
        customLogLevel: (_req, res, err) =>
          (res as { locals?: { injectedFault?: boolean } }).locals?.injectedFault
            ? "warn"
            : err || res.statusCode >= 500
              ? "error"
              : res.statusCode >= 400
                ? "warn"
                : "info",
      }),
    );
  }

  front.push(cors(options.cors, paths), optionsAndHead(paths), queryParameterCap());
  app.use(chain(front));

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/openapi.json", (_req, res) => {
    res.type("application/json").send(specJson);
  });
  app.get("/openapi.yaml", (_req, res) => {
    res.type("application/yaml").send(specYaml);
  });
  app.use(docsRoutes({ docsPath }));
  app.all(fixedGetPaths, getOnly());

  const api: RequestHandler[] = [];
  if (options.control) api.push(options.control.journalHook);
  // The token (and the query's integers) before a byte of the body is read or inflated.
  api.push(beforeBody(routes, options.auth, spec));
  // Any JSON value parses, so a body of the wrong type (`"refund"`, `null`) is the operation's 422, not a 400
  // that calls valid JSON malformed.
  api.push(
    express.json({
      limit: bodyLimit,
      strict: false,
      verify: (req, res, body, encoding) => {
        noteEmptyBody(req, body);
        requireUtf8(req, res, body, encoding);
      },
    }),
  );
  // OAuth clients send client credentials form-encoded (RFC 6749 section 4.4); only the token endpoint takes it.
  api.push(
    express.urlencoded({
      extended: false,
      limit: "16kb",
      parameterLimit: 20,
      verify: requireUtf8,
      type: (req) =>
        routes.find(req.method ?? "", (req as Request).path)?.operationId === "getToken" &&
        (req as Request).is("application/x-www-form-urlencoded") !== false,
    }),
  );
  if (options.control) api.push(options.control.controlHook);
  api.push(arrayCaps(routes, spec));
  // A large body is parsed, validated, checked further and served in turns of the event loop of their own.
  api.push(nextTurnForLargeBody());
  api.push(...openApiValidator({ spec, auth: options.auth, validateResponses: options.validateResponses ?? true }));
  api.push(nextTurnForLargeBody());
  api.push(afterValidation(routes, spec));
  if (!options.serve) api.push(tokenThrottle(options.auth));
  app.use(chain(api));
  if (options.serve) app.use(options.serve);
  else mountOperations(app, operations, { ...services, auth: options.auth });
  app.use((req) => {
    throw new RouteNotFoundError(req.method, req.path);
  });

  const toApiError = (err: unknown, req: Request): ApiError => {
    if (err instanceof ApiError) return err;
    if (err instanceof DomainError) return fromDomainError(err);
    if (isValidatorError(err)) {
      const operation = operationsById.get(operationIdOf(req) ?? "");
      const error = fromValidatorError(err, req, spec, operation) ?? new InternalServerError(String(req.id));
      // The validator's `Allow` lists the spec's methods; HEAD and OPTIONS are served wherever GET is.
      const methods = routes.methodsAt(req.path);
      if (error.status === 405 && methods)
        return new MethodNotAllowedError(sentMethod(req), req.path, allowHeader(methods));
      return error;
    }
    const parserError = fromBodyParserError(err, bodyLimit);
    return parserError ?? new InternalServerError(String(req.id));
  };

  const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
    const error = toApiError(err, req);
    res.locals.errorName = error.errorName;
    if (error.status >= 500) {
      // pino-http logs the stack with the request line; the client only gets the request id.
      res.err = err instanceof Error ? err : new Error(String(err));
    }
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    res.status(error.status).set(error.headers);
    const operation = operationsById.get(operationIdOf(req) ?? "");
    if (!operation || operation.statuses.has(error.status)) {
      res.json(error.envelope());
    } else {
      // A status the operation does not declare (403 on the payer operations, 405, 415...): sent as is, past
      // the response check, which would otherwise turn it into a 500.
      res.type("application/json").send(JSON.stringify(error.envelope()));
    }
  };
  app.use(errorHandler);
  return app;
}

/**
 * JSON travels as UTF-8 (RFC 8259): another charset is a 415, and bytes that do not decode are a 400 rather than
 * U+FFFD stored in their place.
 */
function requireUtf8(_req: unknown, _res: unknown, body: Buffer, encoding: string | null): void {
  if (encoding && !/^utf-?8$/i.test(encoding)) {
    throw new UnsupportedMediaTypeError(`The charset ${encoding} is not supported; send UTF-8.`);
  }
  if (!isUtf8(body)) throw new BadRequestError("The request body is not valid UTF-8.");
}

function errorNameOf(res: object): string | undefined {
  return (res as { locals?: { errorName?: string } }).locals?.errorName;
}

/** `POST /api/patient-refunds/v1 422 UnprocessableEntityError 3 ms` */
function requestLine(req: { method?: string; url?: string; originalUrl?: string }, res: object, ms?: number) {
  const { statusCode } = res as { statusCode: number };
  const errorName = errorNameOf(res);
  const url = req.originalUrl ?? req.url;
  return `${req.method} ${url} ${statusCode}${errorName ? ` ${errorName}` : ""}${ms === undefined ? "" : ` ${ms} ms`}`;
}

function operationIdOf(req: Request): string | undefined {
  return (req as Request & { openapi?: { schema?: { operationId?: string } } }).openapi?.schema?.operationId;
}

/** Codes of node:zlib's errors: a body whose Content-Encoding does not decode (bad header, truncated, corrupt). */
const zlibErrorCode = /^(Z_|ERR__|ERR_BROTLI|ERR_ZSTD|ERR_ZLIB)/;

/** body-parser's errors (they carry a `type`, or are a decompression error it passed on with a 400) as envelopes. */
function fromBodyParserError(err: unknown, bodyLimit: string): ApiError | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const { code, status: given } = err as { code?: unknown; status?: unknown };
  if (!("type" in err) && given === 400 && typeof code === "string" && zlibErrorCode.test(code)) {
    return new BadRequestError("The request body does not decode as its Content-Encoding says.");
  }
  if (!("type" in err)) return undefined;
  const { type, status, message } = err as { type: unknown; status?: number; message?: string };
  switch (type) {
    case "entity.parse.failed":
      return new BadRequestError(`The request body is not valid JSON: ${message}`);
    case "entity.too.large":
      return new PayloadTooLargeError(bodyLimit);
    case "charset.unsupported":
    case "encoding.unsupported":
      return new UnsupportedMediaTypeError(`${message}.`);
    default:
      return typeof status === "number" && status >= 400 && status < 500
        ? new BadRequestError(message ?? "The request could not be read.")
        : undefined;
  }
}
