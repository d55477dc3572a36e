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

/** The parts of express-openapi-validator its `middleware()` is assembled from (the package has no exports map). */
interface ValidatorParts {
  OpenApiValidator: new (
    options: unknown,
  ) => {
    options: {
      ignorePaths?: unknown;
      ignoreUndocumented?: boolean;
      useRequestUrl?: boolean;
      validateApiSpec: boolean;
      validateResponses: unknown;
      $refParser: unknown;
    };
    ajvOpts: { preprocessor: unknown; request: unknown };
  };
  OpenApiSpecLoader: new (args: {
    apiDoc: unknown;
    validateApiSpec: boolean;
    $refParser: unknown;
  }) => {
    load(): Promise<LoadedSpec>;
  };
  OpenApiContext: new (
    spec: LoadedSpec,
    ignorePaths: unknown,
    ignoreUndocumented?: boolean,
    useRequestUrl?: boolean,
  ) => ValidatorContext;
  SchemaPreprocessor: new (
    apiDoc: unknown,
    ajvOptions: unknown,
    responseOptions: unknown,
  ) => {
    preProcess(): { apiDocRes: unknown };
  };
  httpMethods: ReadonlySet<string>;
  RequestValidator: new (apiDoc: unknown, options: unknown) => { validate: RequestHandler };
  /** The path-to-regexp the validator compiles its route patterns with. */
  pathToRegexp: PathToRegexp;
}

interface LoadedSpec {
  apiDoc: unknown;
}

/** The validator's view of the loaded spec: its routes in lookup order. */
interface ValidatorContext {
  apiDoc: ValidatorDoc;
  /** Express pattern → the route's operations by upper-case method, and its spec path. */
  expressRouteMap: Record<string, Record<string, unknown> & { basePath: string; _openApiRoute: string }>;
  openApiRouteMap: Record<string, Record<string, unknown>>;
  serial: number;
  ignoreUndocumented: boolean;
  useRequestUrl: boolean;
  isManagedRoute(path: string): boolean;
  shouldIgnoreRoute(path: string): unknown;
}

interface ValidatorDoc {
  paths: Record<string, Record<string, unknown>>;
  security?: Record<string, unknown>[];
  components?: { securitySchemes?: Record<string, { type?: string; scheme?: string }> };
}

/** What the route lookup leaves on `req.openapi`, as the validator's own metadata step leaves it. */
interface OpenApiMatch {
  expressRoute: string;
  openApiRoute: string;
  pathParams: Record<string, string>;
  schema: { operationId?: string; security?: Record<string, unknown>[] } & Record<string, unknown>;
  serial: number;
  _responseSchema?: unknown;
}

function validatorParts(): ValidatorParts {
  const entry = createRequire(import.meta.url).resolve("express-openapi-validator");
  const load = createRequire(entry);
  return {
    ...(load("./openapi.validator") as Pick<ValidatorParts, "OpenApiValidator">),
    ...(load("./framework/openapi.spec.loader") as Pick<ValidatorParts, "OpenApiSpecLoader">),
    ...(load("./framework/openapi.context") as Pick<ValidatorParts, "OpenApiContext">),
    ...(load("./middlewares/parsers/schema.preprocessor") as Pick<ValidatorParts, "SchemaPreprocessor">),
    ...(load("./middlewares/parsers/schema.preprocessor") as Pick<ValidatorParts, "httpMethods">),
    ...(load("./middlewares") as Pick<ValidatorParts, "RequestValidator">),
    ...(load("path-to-regexp") as Pick<ValidatorParts, "pathToRegexp">),
  };
}

/**
 * The validator's middleware: route lookup, bearer security and request validation by express-openapi-validator,
 * and (optionally) the response check of `responses.ts`, which validates like the validator's own but serves
 * stored rows it has checked before without checking them again. The response hook sits ahead of security and
 * request validation so that the error responses they cause are checked against the spec too.
 *
 * The validator's loaded spec, route table and request validation are its own, built from the same options as
 * `OpenApiValidator.middleware()` builds them. Its per-request steps around them are done here, with the same
 * results, for what they cost per request: `middleware()` waits for the loaded spec in each step (a promise turn
 * per step and request), its route lookup compiles and tries every route pattern on every request, its security
 * step runs the handler through three layers of promises, and it installs `app.param` hooks that only matter to
 * Express routes (operations are dispatched from this lookup's match instead, see `dispatchOperations`). Only
 * requests that arrive before the spec has loaded wait for it, in the first step.
 */
export function openApiValidator(options: ValidatorOptions): RequestHandler[] {
  const parts = validatorParts();
  const apiSpec = validatorSpec(options.spec);
  const validator = new parts.OpenApiValidator({
    apiSpec,
    validateApiSpec: true,
    validateRequests: { allErrors: true, discriminator: true, allowUnknownQueryParameters: false },
    validateResponses: false,
    validateFormats: true,
    ajvFormats: { mode: "full" },
    fileUploader: false,
  });
  let steps: { metadata: RequestHandler; security: RequestHandler; request: RequestHandler } | undefined;
  // The loader works on its own copy, as `middleware()` gives it one.
  const loaded = new parts.OpenApiSpecLoader({
    apiDoc: structuredClone(apiSpec),
    validateApiSpec: validator.options.validateApiSpec,
    $refParser: validator.options.$refParser,
  })
    .load()
    .then((spec) => {
      const { apiDocRes } = new parts.SchemaPreprocessor(
        spec.apiDoc,
        validator.ajvOpts.preprocessor,
        validator.options.validateResponses,
      ).preProcess();
      const { ignorePaths, ignoreUndocumented, useRequestUrl } = validator.options;
      const context = new parts.OpenApiContext(spec, ignorePaths, ignoreUndocumented, useRequestUrl);
      const requests = new parts.RequestValidator(context.apiDoc, validator.ajvOpts.request);
      steps = {
        metadata: routeLookup(context, apiDocRes as ValidatorDoc | undefined, parts),
        security: bearerSecurity(context.apiDoc, options.auth),
        request: (req, res, next) => requests.validate(req, res, next),
      };
    });
  // An unhandled rejection would end the process; the first request reports the failure instead.
  loaded.catch(() => {});

  const installed: RequestHandler[] = [
    function metadataMiddleware(req, res, next) {
      if (steps) return steps.metadata(req, res, next);
      loaded.then(() => (steps as NonNullable<typeof steps>).metadata(req, res, next)).catch(next);
    },
    function securityMiddleware(req, res, next) {
      return (steps as NonNullable<typeof steps>).security(req, res, next);
    },
    function requestMiddleware(req, res, next) {
      return (steps as NonNullable<typeof steps>).request(req, res, next);
    },
  ];
  if (options.validateResponses) installed.splice(1, 0, responseValidation(new ResponseChecker(options.spec)));
  return installed;
}

type PathToRegexp = (
  path: string,
  options: { sensitive: boolean; strict: boolean },
) => { regexp: RegExp; keys: { name: string }[] };

/**
 * The validator's metadata step (`applyOpenApiMetadata`): finds the route and operation of the request, sets
 * `req.openapi` and `req.params`, and throws its 405 or 404 for a path the spec has without the method or does
 * not have. The routes are tried in the validator's order, each pattern compiled once by the validator's own
 * path-to-regexp with the app's routing settings.
 */
function routeLookup(
  context: ValidatorContext,
  responseApiDoc: ValidatorDoc | undefined,
  { httpMethods, pathToRegexp }: Pick<ValidatorParts, "httpMethods" | "pathToRegexp">,
): RequestHandler {
  const { BadRequest, MethodNotAllowed, NotFound } = OpenApiValidator.error;
  const build = (sensitive: boolean, strict: boolean) =>
    Object.entries(context.expressRouteMap).map(([expressRoute, methods]) => {
      const openApiRoute = methods._openApiRoute;
      const pathItem = context.apiDoc.paths[openApiRoute.substring(methods.basePath.length)] ?? {};
      const responseItem = responseApiDoc?.paths[openApiRoute.substring(methods.basePath.length)];
      const { regexp, keys } = pathToRegexp(expressRoute, { sensitive, strict });
      const allow = Object.keys(context.openApiRouteMap[openApiRoute] ?? {})
        .filter((key) => httpMethods.has(key.toLowerCase()))
        .join(", ");
      return { expressRoute, openApiRoute, pathItem, responseItem, regexp, names: keys.map((k) => k.name), allow };
    });
  const tables = new Map<string, ReturnType<typeof build>>();

  return function metadata(req, _res, next) {
    const path = req.path.startsWith(req.baseUrl) ? req.path : `${req.baseUrl}/${req.path}`;
    if (context.shouldIgnoreRoute(path)) {
      next();
      return;
    }
    const sensitive = !!req.app.enabled("case sensitive routing");
    const strict = !!req.app.enabled("strict routing");
    const tableKey = `${sensitive}${strict}`;
    let table = tables.get(tableKey);
    if (!table) {
      table = build(sensitive, strict);
      tables.set(tableKey, table);
    }
    const url = context.useRequestUrl ? req.url : req.originalUrl;
    const query = url.indexOf("?");
    const requestPath = query < 0 ? url : url.slice(0, query);
    const method = req.method.toLowerCase();
    for (const route of table) {
      const found = route.regexp.exec(requestPath);
      if (!found) continue;
      const pathParams: Record<string, string> = {};
      try {
        for (let i = 0; i < route.names.length; i++) {
          pathParams[route.names[i] as string] = decodeURIComponent(found[i + 1] as string);
        }
      } catch {
        throw new BadRequest({ path: req.path, message: "malformed uri'" });
      }
      const schema = route.pathItem[method] as OpenApiMatch["schema"] | undefined;
      if (!schema) {
        if (context.ignoreUndocumented) {
          next();
          return;
        }
        throw new MethodNotAllowed({
          path: req.path,
          message: `${req.method} method not allowed`,
          headers: { Allow: route.allow },
        });
      }
      const openapi: OpenApiMatch = {
        expressRoute: route.expressRoute,
        openApiRoute: route.openApiRoute,
        pathParams,
        schema,
        serial: context.serial,
      };
      if (responseApiDoc) openapi._responseSchema = route.responseItem?.[method];
      (req as Request & { openapi?: OpenApiMatch }).openapi = openapi;
      req.params = pathParams;
      next();
      return;
    }
    if (context.isManagedRoute(path) && !context.ignoreUndocumented) {
      throw new NotFound({ path: req.path, message: "not found" });
    }
    next();
  };
}

/**
 * The validator's security step for the spec's one kind of scheme, HTTP bearer: the operation's requirements (or
 * the document's) pass when any one of them does. Its header check comes first, as the validator's does: no
 * `Authorization` header, or one that does not name the bearer scheme, is a missing token; then the token itself.
 */
function bearerSecurity(apiDoc: ValidatorDoc, auth: TokenAuthority): RequestHandler {
  const schemes = apiDoc.components?.securitySchemes ?? {};
  for (const [name, scheme] of Object.entries(schemes)) {
    if (scheme.type?.toLowerCase() !== "http" || scheme.scheme?.toLowerCase() !== "bearer") {
      throw new Error(`Security scheme ${name} is not HTTP bearer, the only kind the server checks.`);
    }
  }
  const operations = Object.values(apiDoc.paths).flatMap((item) => Object.values(item)) as OpenApiMatch["schema"][];
  for (const requirement of [apiDoc.security, ...operations.map((op) => op?.security)].flat()) {
    const unknown = Object.keys(requirement ?? {}).find((name) => !schemes[name]);
    if (unknown) throw new Error(`Security requirement names ${unknown}, which components.securitySchemes lacks.`);
  }
  return function security(req, _res, next) {
    const openapi = (req as Request & { openapi?: OpenApiMatch }).openapi;
    const requirements = openapi?.schema.security ?? apiDoc.security;
    if (!openapi?.openApiRoute || !Array.isArray(requirements) || requirements.length === 0) {
      next();
      return;
    }
    let problem: TokenProblem | undefined;
    for (const requirement of requirements) {
      const names = Object.keys(requirement);
      if (names.length === 0) {
        next();
        return;
      }
      const header = req.headers.authorization;
      problem = header?.toLowerCase().includes("bearer") ? auth.check(bearerToken(header)) : "missing";
      if (!problem) {
        next();
        return;
      }
    }
    throw new UnauthorizedError(authMessages[problem as TokenProblem]);
  };
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
