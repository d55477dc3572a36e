// The request checks of @refunds-api/core (`checks.ts`) as Express middleware, each at the point where it is
// cheapest and answers truest: the bearer token and integer query values before a byte of the body is read or
// inflated; array caps before validation; empty bodies, surrogates and canonical ids after it; and the token
// endpoint's throttle of failed credential checks.
import {
  ArrayCaps,
  type Authority,
  authMessages,
  bearerToken,
  checkQueryIntegers,
  checkValidated,
  type OpenApiDocument,
  type RouteTable,
  TooManyRequestsError,
  UnauthorizedError,
} from "@refunds-api/core";
import type { RequestHandler } from "express";
import { matchedRoute, mayHaveLargeBody } from "./validation.js";

/**
 * Before the body is read: the bearer token of a secured operation (403, the answer the validator would give
 * after parsing), then integer query values (422 unless plain decimal digits, with an optional minus sign).
 */
export function beforeBody(routes: RouteTable, auth: Authority, spec: OpenApiDocument): RequestHandler {
  return function beforeBody(req, _res, next) {
    const op = routes.find(req.method, req.path);
    if (!op) {
      next();
      return;
    }
    if (op.secured) {
      const problem = auth.check(bearerToken(req.headers.authorization));
      if (problem) throw new UnauthorizedError(authMessages[problem]);
    }
    checkQueryIntegers(op, req.query as Record<string, unknown>, spec);
    next();
  };
}

/** After the body is parsed, before validation: see `ArrayCaps`. */
export function arrayCaps(routes: RouteTable, spec: OpenApiDocument): RequestHandler {
  const caps = new ArrayCaps(spec);
  return function arrayCaps(req, _res, next) {
    const op = routes.find(req.method, req.path);
    if (op) caps.check(op, req.body);
    next();
  };
}

const emptyBody = Symbol("emptyBody");

/** For express.json's `verify`: remembers that a request's body was sent with no bytes at all. */
export function noteEmptyBody(req: unknown, body: Buffer): void {
  if (body.length === 0) (req as { [emptyBody]?: boolean })[emptyBody] = true;
}

/** After validation: see `checkValidated` (empty required bodies, surrogates, canonical ids). */
export function afterValidation(routes: RouteTable, spec: OpenApiDocument): RequestHandler {
  return function afterValidation(req, _res, next) {
    const match = matchedRoute(req);
    const operationId = match?.schema?.operationId;
    const op = operationId === undefined ? undefined : routes.byOperationId(operationId);
    if (!op) {
      next();
      return;
    }
    const hasBody = (req as { [emptyBody]?: boolean })[emptyBody] !== true && req.body !== undefined;
    const checked = checkValidated(
      op,
      { hasBody, body: req.body, query: req.query as Record<string, unknown>, pathParams: match?.pathParams },
      spec,
    );
    req.body = checked.body;
    // With a large body, the operation runs in a turn of the event loop of its own: parsing and validating the body,
    // then storing and serializing it, are two waits for everything else rather than one twice as long. A small one
    // goes on at once: a turn would cost more than it spares.
    if (mayHaveLargeBody(req)) setImmediate(next);
    else next();
  };
}

/**
 * The token endpoint's credential check, throttled per client id and address (see `Authority.exchange`):
 * wrong credentials are the operation's 403, too many of them a 429 with `Retry-After`. Right ones go on to the
 * operation, which issues the token.
 */
export function tokenThrottle(auth: Authority, operationId = "getToken"): RequestHandler {
  return function tokenThrottle(req, _res, next) {
    if (matchedRoute(req)?.schema?.operationId !== operationId) {
      next();
      return;
    }
    const body = req.body as { client_id: string; client_secret: string };
    const outcome = auth.exchange(body.client_id, body.client_secret, req.socket.remoteAddress ?? "");
    if (outcome.ok) {
      next();
      return;
    }
    if (outcome.reason === "throttled") throw new TooManyRequestsError(outcome.retryAfterSeconds);
    throw new UnauthorizedError("The client credentials are not valid.");
  };
}
