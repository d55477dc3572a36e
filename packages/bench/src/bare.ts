// The baseline of P1: bare Express 5 running the reference server's own handlers, with no validation, no security
// and no response check. What the validator would do for the handlers (coerce query values, fill defaults) is done
// here by hand, so the handlers receive the same input. Responses are written by the server's own serializer with
// its checks off: stored rows are frozen and their JSON remembered, as the validated server remembers them, so the
// comparison measures validation rather than a serialization cache only one side has.
import { ApiError, readSpec, type Services, specOperations, type TokenAuthority } from "@refunds-api/server";
import { bindOperations, createHandlers, ResponseChecker } from "@refunds-api/server/internal";
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from "express";

const integers = new Set(["limit"]);
const booleans = new Set(["unattributed"]);
const arrays = new Set(["sources", "check_number"]);

/** Query values as the validator would hand them over: numbers, booleans and arrays from their strings. */
export function coerceQuery(query: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in query) {
    const value = query[key];
    if (integers.has(key)) out[key] = Number(value);
    else if (booleans.has(key)) out[key] = value === "true";
    else if (arrays.has(key)) out[key] = Array.isArray(value) ? value : [value];
    else out[key] = value;
  }
  return out;
}

// Express 5 parses `req.query` again on every read through a getter; an own property set once replaces it.
const coerce: RequestHandler = (req, _res, next) => {
  Object.defineProperty(req, "query", { value: coerceQuery(req.query), writable: true, enumerable: true });
  next();
};

const errors: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof ApiError) res.status(err.status).json(err.envelope());
  else res.status(500).json({ errorName: "InternalServerError", content: {} });
};

/** Bare Express with the server's handlers bound from the spec: JSON body → query coercion → handlers. */
export function createBareApp(services: Services, auth: TokenAuthority): Express {
  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  app.use(express.json({ limit: "1mb" }));
  app.use(coerce);
  const spec = readSpec();
  const serializer = new ResponseChecker(spec, { validate: false });
  bindOperations(app, specOperations(spec), createHandlers({ ...services, auth }), serializer);
  app.use(errors);
  return app;
}
