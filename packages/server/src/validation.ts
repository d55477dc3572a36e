// express-openapi-validator on the bundled spec, and the translation of its errors into the API's envelopes with
// messages that name each failing field in plain words.
import { createRequire } from "node:module";
import type { Request, RequestHandler } from "express";
import * as OpenApiValidator from "express-openapi-validator";
import { bearerToken, type TokenAuthority, type TokenProblem } from "./auth.js";
import {
  type ApiError,
  BadRequestError,
  EntityNotFoundError,
  MethodNotAllowedError,
  RouteNotFoundError,
  UnauthorizedError,
  UnprocessableEntityError,
  UnsupportedMediaTypeError,
} from "./errors.js";
import { ResponseChecker, responseValidation } from "./responses.js";
import { type OpenApiDocument, resolveRef, type SchemaObject, type SpecOperation, validatorSpec } from "./spec.js";

/** Options of the validator middleware. */
export interface ValidatorOptions {
  spec: OpenApiDocument;
  auth: TokenAuthority;
  /** Check every JSON response against the spec; a mismatch becomes a 500. */
  validateResponses: boolean;
}

const authMessages: Record<TokenProblem, string> = {
  missing: "Authorization header with a bearer token is required.",
  invalid: "The bearer token is not valid.",
  expired: "The bearer token has expired; get a new one from POST /api/auth/v2/token.",
};

/**
 * The validator's middleware: route lookup, bearer security and request validation by express-openapi-validator,
 * and (optionally) the response check of `responses.ts`, which validates like the validator's own but serves
 * stored rows it has checked before without checking them again. The response hook sits ahead of security and
 * request validation so that the error responses they cause are checked against the spec too.
 */
export function openApiValidator(options: ValidatorOptions): RequestHandler[] {
  const { auth } = options;
  cacheRoutePatterns();
  const middleware = OpenApiValidator.middleware({
    apiSpec: validatorSpec(options.spec) as never,
    validateApiSpec: true,
    validateRequests: { allErrors: true, discriminator: true, allowUnknownQueryParameters: false },
    validateResponses: false,
    validateFormats: true,
    ajvFormats: { mode: "full" },
    fileUploader: false,
    validateSecurity: {
      handlers: {
        BearerAuth: (req) => {
          const problem = auth.check(bearerToken(req.headers.authorization));
          if (problem) throw Object.assign(new Error(authMessages[problem]), { status: 403 });
          return true;
        },
      },
    },
  }) as RequestHandler[];
  const order = ["pathParamsMiddleware", "metadataMiddleware", "securityMiddleware", "requestMiddleware"];
  const byName = new Map(middleware.map((m) => [m.name, m]));
  if (byName.size !== order.length || order.some((name) => !byName.has(name))) {
    throw new Error(`Unexpected express-openapi-validator middleware: ${[...byName.keys()].join(", ")}`);
  }
  const installed = order.map((name) => byName.get(name) as RequestHandler);
  if (options.validateResponses) installed.splice(2, 0, responseValidation(new ResponseChecker(options.spec)));
  return installed;
}

/**
 * Runs `handlers` in order as one middleware. Express gives every middleware a layer of its own that each request
 * walks through (path match, prefix trim, promise check); the validator's steps always run together, so they share
 * one. An error or a handler that ends the response stops the chain as it would in Express.
 */
export function chain(handlers: readonly RequestHandler[]): RequestHandler {
  return function validator(req, res, next) {
    let index = 0;
    const step = (error?: unknown) => {
      if (error !== undefined && error !== null) {
        next(error);
        return;
      }
      const handler = handlers[index++];
      if (!handler) {
        next();
        return;
      }
      try {
        const result = handler(req, res, step) as unknown;
        if (result instanceof Promise) result.catch(step);
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}

type PathToRegexp = (path: unknown, options?: Record<string, unknown>) => { regexp: RegExp; keys: unknown[] };
const cachedMark = Symbol.for("refunds-api.cachedPathToRegexp");

/**
 * The validator's route lookup compiles the pattern of every route again on every request (`pathToRegexp` in its
 * metadata middleware, about a tenth of a small request's time). A compiled pattern depends only on the route and
 * the two options the lookup passes, and neither the lookup nor Express changes it, so the validator's copy of
 * path-to-regexp gets a memoizing `pathToRegexp`: each pattern is compiled once and the lookup is one regex test
 * per route. Calls with other options or inputs go to the original. Returns the module it patched.
 */
export function cacheRoutePatterns(): { pathToRegexp: PathToRegexp } {
  const validatorEntry = createRequire(import.meta.url).resolve("express-openapi-validator");
  const module = createRequire(validatorEntry)("path-to-regexp") as { pathToRegexp: PathToRegexp };
  const current = module.pathToRegexp as PathToRegexp & { [cachedMark]?: true };
  if (current[cachedMark]) return module;
  const original = current;
  const compiled = new Map<string, ReturnType<PathToRegexp>>();
  const cached = (path: unknown, options?: Record<string, unknown>) => {
    const keys = options ? Object.keys(options) : [];
    if (typeof path !== "string" || keys.some((k) => k !== "sensitive" && k !== "strict")) {
      return original(path, options);
    }
    const key = `${options?.sensitive ? 1 : 0}${options?.strict ? 1 : 0}${path}`;
    let result = compiled.get(key);
    if (!result) {
      result = original(path, options);
      compiled.set(key, result);
    }
    return result;
  };
  module.pathToRegexp = Object.assign(cached, { [cachedMark]: true as const });
  return module;
}

/** An error of the validator, as it throws them. */
interface ValidatorError {
  status: number;
  message: string;
  errors?: { path: string; message: string; errorCode?: string }[];
  headers?: Record<string, string>;
}

const validatorErrorClasses = Object.values(OpenApiValidator.error);

/** Whether `err` came from the validator. */
export function isValidatorError(err: unknown): err is ValidatorError {
  return validatorErrorClasses.some((cls) => err instanceof cls);
}

/** The envelope error for a validator error on `req`; undefined for 5xx (response validation) errors. */
export function fromValidatorError(
  err: ValidatorError,
  req: Request,
  spec: OpenApiDocument,
  operation: SpecOperation | undefined,
): ApiError | undefined {
  switch (err.status) {
    case 400: {
      const problems = err.errors ?? [{ path: "", message: err.message }];
      // A URL the router could not decode is no field's fault.
      if (!problems.every((p) => /^\/(body|query|params|headers|cookies)(\/|$)/.test(p.path))) {
        return new BadRequestError(/malformed uri/i.test(err.message) ? "The request URL is malformed." : err.message);
      }
      // A malformed id names no entity: the operation's 404 says so in the shape clients already handle.
      const param = problems.find((p) => p.path.startsWith("/params/"));
      if (param) {
        const name = param.path.slice("/params/".length);
        const params = (req as Request & { openapi?: { pathParams?: Record<string, string> } }).openapi?.pathParams;
        return new EntityNotFoundError(params?.[name] ?? "");
      }
      return new UnprocessableEntityError(problems.map((p) => describeProblem(p, req, spec, operation)).join("; "));
    }
    case 401:
    case 403:
      return new UnauthorizedError(err.status === 401 ? authMessages.missing : err.message);
    case 404:
      return new RouteNotFoundError(req.method, req.path);
    case 405:
      return new MethodNotAllowedError(req.method, req.path, err.headers?.Allow ?? "");
    case 415:
      return new UnsupportedMediaTypeError(
        `Content-Type ${req.headers["content-type"] ?? "(none)"} is not supported; send application/json.`,
      );
    default:
      return err.status < 500 ? new BadRequestError(err.message) : undefined;
  }
}

const formatWords: Record<string, string> = {
  uuid: "a UUID",
  "date-time": "an RFC 3339 date-time such as 2024-01-15T09:30:00Z",
  date: "a date such as 2024-01-15",
};
const typeWords: Record<string, string> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  object: "an object",
  array: "an array",
  null: "null",
};

/** One validation problem in plain words, prefixed by the field's path (`body.allocations[0].amount_cents`). */
function describeProblem(
  problem: { path: string; message: string; errorCode?: string },
  req: Request,
  spec: OpenApiDocument,
  operation: SpecOperation | undefined,
): string {
  const segments = problem.path.split("/").slice(1).map(unescapePointer);
  const field = fieldName(segments);
  const message = problem.message;
  const number = /(-?\d+(?:\.\d+)?)/.exec(message)?.[1];
  switch (problem.errorCode?.replace(/\.openapi\.validation$/, "")) {
    case "required":
      return `${field}: is required`;
    case "additionalProperties":
    case "unevaluatedProperties":
      return `${field}: is not a known field`;
    case "format": {
      const format = /"(.+)"/.exec(message)?.[1] ?? "";
      return `${field}: must be ${formatWords[format] ?? `a valid ${format}`}`;
    }
    case "type":
    // The validator renames `type` on strings with a date or date-time format.
    case "x-eov-type": {
      const types = message.replace(/^must be /, "").split(",");
      return `${field}: must be ${types.map((t) => typeWords[t] ?? t).join(" or ")}`;
    }
    case "enum":
      return `${field}: must be one of ${message.replace(/^.*allowed values: /, "")}`;
    case "minimum":
      return `${field}: must be at least ${number}`;
    case "maximum":
      return `${field}: must be at most ${number}`;
    case "minLength":
      return number === "1" ? `${field}: must not be empty` : `${field}: must be at least ${number} characters long`;
    case "maxLength":
      return `${field}: must be at most ${number} characters long`;
    case "readOnly":
      return `${field}: is set by the server and cannot be sent`;
    case "discriminator": {
      const tag = /tag "(.+?)"/.exec(message)?.[1] ?? "type";
      const tags = unionTags(spec, operation, req, segments);
      const allowed = tags ? `must be one of ${tags.join(", ")}` : "must name one of the variants";
      return `${fieldName([...segments, tag])}: ${/must be string/.test(message) ? `is required and ${allowed}` : allowed}`;
    }
  }
  if (message.startsWith("Unknown query parameter")) return `${field}: is not a known query parameter`;
  if (message.startsWith("Empty value found")) return `${field}: must not be empty`;
  return `${field}: ${message}`;
}

function unescapePointer(segment: string): string {
  return segment.replaceAll("~1", "/").replaceAll("~0", "~");
}

const locations: Record<string, string> = { body: "body", query: "query", params: "path", headers: "header" };

/** `["body", "allocations", "0", "target"]` → `body.allocations[0].target`. */
function fieldName(segments: string[]): string {
  const [first = "request", ...rest] = segments;
  let name = locations[first] ?? first;
  for (const s of rest) {
    name += /^\d+$/.test(s) ? `[${s}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
  }
  return name;
}

/**
 * The tags a union in the request body accepts, found by walking the operation's body schema along the data path
 * (through any enclosing union, by the tag the data carries). Reads the spec's own mapping.
 */
function unionTags(
  spec: OpenApiDocument,
  operation: SpecOperation | undefined,
  req: Request,
  segments: string[],
): string[] | undefined {
  if (segments[0] !== "body" || !operation?.bodySchema) return undefined;
  let schema = resolveRef(spec, operation.bodySchema);
  let data: unknown = req.body;
  for (const segment of segments.slice(1)) {
    schema = selectBranch(spec, schema, data);
    const container = data as Record<string, unknown> | undefined;
    schema = resolveRef(spec, Array.isArray(data) ? schema?.items : schema?.properties?.[segment]);
    data = container?.[segment];
  }
  const mapping = schema?.discriminator?.mapping;
  return mapping && Object.keys(mapping);
}

function selectBranch(spec: OpenApiDocument, schema: SchemaObject | undefined, data: unknown) {
  const discriminator = schema?.discriminator;
  if (!discriminator?.mapping || typeof data !== "object" || data === null) return schema;
  const tag = (data as Record<string, unknown>)[discriminator.propertyName];
  const ref = typeof tag === "string" ? discriminator.mapping[tag] : undefined;
  return ref ? resolveRef(spec, { $ref: ref }) : schema;
}
