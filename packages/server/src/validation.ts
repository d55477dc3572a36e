// express-openapi-validator on the bundled spec, through its public `middleware()`, and the translation of its errors
// into the API's envelopes with messages that name each failing field in plain words.
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
import { mustBeOfType, mustMatchFormat } from "./words.js";

/** Options of the validator middleware. */
export interface ValidatorOptions {
  spec: OpenApiDocument;
  auth: TokenAuthority;
  /** Check every JSON response against the spec; a mismatch becomes a 500. */
  validateResponses: boolean;
}

/** What a refused token is told, by why it was refused. */
export const authMessages: Record<TokenProblem, string> = {
  missing: "Authorization header with a bearer token is required.",
  invalid: "The bearer token is not valid.",
  expired: "The bearer token has expired; get a new one from POST /api/auth/v2/token.",
};

type ValidatorSpec = Parameters<typeof OpenApiValidator.middleware>[0]["apiSpec"];

/** The documents (as JSON) the validator has checked against the OpenAPI schema in this process. */
const checkedSpecs = new Set<string>();

/**
 * The validator's middleware: `OpenApiValidator.middleware()` (route lookup, bearer security through
 * `validateSecurity.handlers`, request validation), preceded, when asked, by the response check of `responses.ts`.
 * That check validates like the validator's own response validation, but serves stored rows it has checked before
 * without checking or serializing them again; it wraps `res.json` first, so the error responses of security and
 * request validation are checked too. It learns the request's operation from `req.openapi`, the route match the
 * validator leaves on every request it knows.
 */
export function openApiValidator(options: ValidatorOptions): RequestHandler[] {
  const apiSpec = validatorSpec(options.spec);
  // The validator checks a document against the OpenAPI schema on every `middleware()` call (tens of milliseconds);
  // a process that builds many apps from one spec (tests, reloads) has it checked once.
  const text = JSON.stringify(apiSpec);
  const validateApiSpec = !checkedSpecs.has(text);
  checkedSpecs.add(text);
  const installed: RequestHandler[] = OpenApiValidator.middleware({
    // Our document type is a structural subset of the validator's; the validator checks the document itself.
    apiSpec: apiSpec as unknown as ValidatorSpec,
    validateApiSpec,
    validateRequests: { allErrors: true, discriminator: true, allowUnknownQueryParameters: false },
    validateResponses: false,
    validateFormats: true,
    ajvFormats: { mode: "full" },
    fileUploader: false,
    validateSecurity: { handlers: securityHandlers(apiSpec, options.auth) },
  }) as RequestHandler[];
  return options.validateResponses ? [responseValidation(new ResponseChecker(options.spec)), ...installed] : installed;
}

/**
 * One handler per security scheme of the spec, all HTTP bearer (the only kind the server checks). The validator
 * itself answers a request with no `Authorization` header, or one that names another scheme, with a 401; a token
 * the authority refuses is thrown here as the envelope's 403, whose message the validator passes on.
 */
function securityHandlers(spec: OpenApiDocument, auth: TokenAuthority) {
  const schemes = (spec.components.securitySchemes ?? {}) as Record<string, { type?: string; scheme?: string }>;
  const handlers: Record<string, (req: Request) => boolean> = {};
  for (const [name, scheme] of Object.entries(schemes)) {
    if (scheme.type?.toLowerCase() !== "http" || scheme.scheme?.toLowerCase() !== "bearer") {
      throw new Error(`Security scheme ${name} is not HTTP bearer, the only kind the server checks.`);
    }
    handlers[name] = (req) => {
      const problem = auth.check(bearerToken(req.headers.authorization));
      if (problem) throw new UnauthorizedError(authMessages[problem]);
      return true;
    };
  }
  return handlers;
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

/** An error of the validator: its documented fields. */
interface ValidatorError {
  status: number;
  message: string;
  path?: string;
  errors?: { path: string; message: string; errorCode?: string }[];
  headers?: Record<string, string>;
}

const validatorErrorClasses = Object.values(OpenApiValidator.error);

/** Whether `err` came from the validator. */
export function isValidatorError(err: unknown): err is ValidatorError {
  return validatorErrorClasses.some((cls) => err instanceof cls);
}

const requestLocation = /^\/(body|query|params|headers|cookies)(\/|$)/;

/** The envelope error for a validator error on `req`; undefined for 5xx (response validation) errors. */
export function fromValidatorError(
  err: ValidatorError,
  req: Request,
  spec: OpenApiDocument,
  operation: SpecOperation | undefined,
): ApiError | undefined {
  switch (err.status) {
    case 400: {
      const problems = err.errors ?? [{ path: err.path ?? "", message: err.message }];
      // Not a field of the request: the route lookup could not decode the URL's path.
      if (!problems.every((p) => requestLocation.test(p.path))) {
        return new BadRequestError(err.path === req.path ? "The request URL is malformed." : err.message);
      }
      // A malformed id names no entity: the operation's 404 says so in the shape clients already handle.
      const param = problems.find((p) => p.path.startsWith("/params/"));
      if (param) {
        const name = param.path.slice("/params/".length);
        return new EntityNotFoundError(matchedRoute(req)?.pathParams?.[name] ?? "");
      }
      const context: ProblemContext = { req, spec, operation };
      return new UnprocessableEntityError(problems.map((p) => describeProblem(p, context)).join("; "));
    }
    case 401:
      // The validator's own header check: no Authorization header, or one that names another scheme.
      return new UnauthorizedError(authMessages.missing);
    case 403:
      // The security handler's refusal, its message passed on.
      return new UnauthorizedError(err.message);
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

/** What the validator's route match leaves on the request (`req.openapi`). */
interface RouteMatch {
  pathParams?: Record<string, string>;
  schema?: { operationId?: string };
}

/** The validator's route match of `req`, once its metadata step has run. */
export function matchedRoute(req: Request): RouteMatch | undefined {
  return (req as Request & { openapi?: RouteMatch }).openapi;
}

interface ProblemContext {
  req: Request;
  spec: OpenApiDocument;
  operation: SpecOperation | undefined;
}

/**
 * One validation problem in plain words, prefixed by the field's path (`body.allocations[0].amount_cents`). The
 * words come from the Ajv keyword the validator reports (`errorCode`) and from the spec's schema at the field's
 * path, not from the validator's message, which is passed on only where neither says more.
 */
function describeProblem(problem: { path: string; message: string; errorCode?: string }, context: ProblemContext) {
  const segments = problem.path.split("/").slice(1).map(unescapePointer);
  const field = fieldName(segments);
  const keyword = problem.errorCode?.replace(/\.openapi\.validation$/, "");
  if (keyword === "required") return `${field}: is required`;
  if (keyword === "additionalProperties" || keyword === "unevaluatedProperties")
    return `${field}: is not a known field`;
  const found = schemaAt(context, segments);
  const schema = found?.schema;
  switch (keyword) {
    case undefined:
      // The validator's own query checks, which carry no keyword: a name the operation does not declare, or an
      // empty value of one it does.
      if (segments[0] === "query" && segments.length === 2) {
        return found ? `${field}: must not be empty` : `${field}: is not a known query parameter`;
      }
      break;
    case "format": {
      const format = typeof schema?.format === "string" ? schema.format : undefined;
      if (format) return `${field}: ${mustMatchFormat(format)}`;
      break;
    }
    case "type":
    // The validator's name for `type` on strings with a date or date-time format.
    case "x-eov-type": {
      // A union's branches are all objects (the validator's copy says so; the spec leaves it to the branches).
      const type = schema?.type ?? (schema?.discriminator ? "object" : undefined);
      const types = type === undefined ? undefined : [type].flat();
      if (types) return `${field}: ${mustBeOfType(types)}`;
      break;
    }
    case "enum":
      if (Array.isArray(schema?.enum)) return `${field}: must be one of ${schema.enum.join(", ")}`;
      break;
    case "minimum":
      if (typeof schema?.minimum === "number") return `${field}: must be at least ${schema.minimum}`;
      break;
    case "maximum":
      if (typeof schema?.maximum === "number") return `${field}: must be at most ${schema.maximum}`;
      break;
    case "minLength":
      if (schema?.minLength === 1) return `${field}: must not be empty`;
      if (typeof schema?.minLength === "number")
        return `${field}: must be at least ${schema.minLength} characters long`;
      break;
    case "maxLength":
      if (typeof schema?.maxLength === "number") return `${field}: must be at most ${schema.maxLength} characters long`;
      break;
    case "maxItems":
      if (typeof schema?.maxItems === "number") return `${field}: must have at most ${schema.maxItems} items`;
      break;
    case "readOnly":
      return `${field}: is set by the server and cannot be sent`;
    case "discriminator": {
      const tag = schema?.discriminator?.propertyName;
      const mapping = schema?.discriminator?.mapping;
      if (!tag) break;
      const allowed = mapping ? `must be one of ${Object.keys(mapping).join(", ")}` : "must name one of the variants";
      const value = (found?.data as Record<string, unknown> | undefined)?.[tag];
      return `${fieldName([...segments, tag])}: ${typeof value === "string" ? allowed : `is required and ${allowed}`}`;
    }
  }
  return `${field}: ${problem.message}`;
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
 * The spec's schema (with the spec's own discriminator mapping) at a request path, and the data there: for the body,
 * walked from the operation's body schema along the data (through any union, by the tag the data carries); for a
 * query or path parameter, from the parameter's schema. Undefined when the path leads nowhere in the spec.
 */
function schemaAt(
  { req, spec, operation }: ProblemContext,
  segments: string[],
): { schema: SchemaObject | undefined; data: unknown } | undefined {
  const [location, name, ...rest] = segments;
  if (!operation) return undefined;
  let schema: SchemaObject | undefined;
  let data: unknown;
  let path: string[];
  if (location === "body") {
    schema = resolveRef(spec, operation.bodySchema);
    data = req.body;
    path = name === undefined ? [] : [name, ...rest];
  } else if ((location === "query" || location === "params") && name !== undefined) {
    const where = location === "query" ? "query" : "path";
    const parameter = operationParameters(spec, operation).find((p) => p.in === where && p.name === name);
    if (!parameter) return undefined;
    schema = resolveRef(spec, parameter.schema);
    data = location === "query" ? (req.query as Record<string, unknown>)[name] : matchedRoute(req)?.pathParams?.[name];
    path = rest;
  } else {
    return undefined;
  }
  for (const segment of path) {
    schema = selectBranch(spec, schema, data);
    const container = data as Record<string, unknown> | undefined;
    schema = resolveRef(
      spec,
      Array.isArray(data) || /^\d+$/.test(segment) ? schema?.items : schema?.properties?.[segment],
    );
    data = container?.[segment];
  }
  return { schema, data };
}

interface ParameterObject {
  name: string;
  in: string;
  schema?: SchemaObject;
}

function operationParameters(spec: OpenApiDocument, operation: SpecOperation): ParameterObject[] {
  const item = spec.paths[operation.path];
  const shared = (item?.parameters ?? []) as SchemaObject[];
  const own = ((item?.[operation.method] as { parameters?: SchemaObject[] } | undefined)?.parameters ??
    []) as SchemaObject[];
  const all = [...shared, ...own];
  return all.map((p) => resolveRef(spec, p) as unknown as ParameterObject);
}

function selectBranch(spec: OpenApiDocument, schema: SchemaObject | undefined, data: unknown) {
  const discriminator = schema?.discriminator;
  if (!discriminator?.mapping || typeof data !== "object" || data === null) return schema;
  const tag = (data as Record<string, unknown>)[discriminator.propertyName];
  const ref = typeof tag === "string" ? discriminator.mapping[tag] : undefined;
  return ref ? resolveRef(spec, { $ref: ref }) : schema;
}
