// express-openapi-validator on the bundled spec, through its public `middleware()`, and the translation of its errors
// into the API's envelopes with messages that name each failing field in plain words.

import {
  type ApiError,
  type Authority,
  authMessages,
  BadRequestError,
  bearerToken,
  fromRequestValidation,
  MethodNotAllowedError,
  type OpenApiDocument,
  RouteNotFoundError,
  type SpecOperation,
  UnauthorizedError,
  validatorSpec,
} from "@refunds-api/core";
import type { Request, RequestHandler } from "express";
import * as OpenApiValidator from "express-openapi-validator";
import { ResponseChecker, responseValidation } from "./responses.js";

/** Options of the validator middleware. */
export interface ValidatorOptions {
  spec: OpenApiDocument;
  auth: Authority;
  /** Check every JSON response against the spec; a mismatch becomes a 500. */
  validateResponses: boolean;
}

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
function securityHandlers(spec: OpenApiDocument, auth: Authority) {
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

/** A request body this long (bytes as sent) gets turns of the event loop of its own (see `nextTurnForLargeBody`). */
const largeBody = 64 * 1024;

/**
 * Goes on with a request whose body may be large in a later turn of the event loop, letting timers and other
 * requests' I/O in between: the server puts one before and one after the validator, so reading and parsing a 1 MB
 * body, validating it, and the checks and the operation that follow (`afterValidation` gives the operation a turn of
 * its own) each hold the event loop alone. An immediate set from an I/O callback, where the body was read, would
 * still run in the same turn; one set from an immediate runs in the next. A body is large for its `Content-Length`; a
 * chunked or compressed one may be large whatever its length on the wire. Small ones go on at once.
 */
export function nextTurnForLargeBody(): RequestHandler {
  return function nextTurnForLargeBody(req, _res, next) {
    if (mayHaveLargeBody(req)) setImmediate(() => setImmediate(next));
    else next();
  };
}

/** Whether the body of `req` may be large: by its `Content-Length`, or chunked or compressed whatever its length. */
export function mayHaveLargeBody(req: Request): boolean {
  const { "content-length": length, "transfer-encoding": chunked, "content-encoding": encoding } = req.headers;
  return (
    chunked !== undefined ||
    (encoding !== undefined && encoding !== "identity") ||
    (length !== undefined && Number(length) >= largeBody)
  );
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

/** The envelope error for a validator error on `req`; undefined for 5xx (response validation) errors. */
export function fromValidatorError(
  err: ValidatorError,
  req: Request,
  spec: OpenApiDocument,
  operation: SpecOperation | undefined,
): ApiError | undefined {
  switch (err.status) {
    case 400:
    case 415:
      return fromRequestValidation(err, {
        data: {
          body: req.body,
          query: req.query as Record<string, unknown>,
          pathParams: matchedRoute(req)?.pathParams,
        },
        spec,
        operation,
        requestPath: req.path,
        contentType: req.headers["content-type"],
      });
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
