// HTTP semantics around the operations: CORS (with preflight), OPTIONS and HEAD, 405 with `Allow` on every known
// path, and the cap on query parameters. None of it depends on the validator: it runs before the body is read.

import { allowHeader, checkQueryParameterCount, MethodNotAllowedError, type RouteTable } from "@refunds-api/core";

export { allowHeader, maxQueryParameters } from "@refunds-api/core";

import type { Request, RequestHandler } from "express";

/** Which browser origins may call the server. Off (no CORS headers at all) unless configured. */
export interface CorsOptions {
  /** Exact origins (`https://app.example.com`), or `"*"` for any (for local development). */
  origins: readonly string[] | "*";
  /** How long a browser may cache a preflight answer; 600 s by default. */
  maxAgeSeconds?: number;
}

/** Request headers a browser may send cross-origin. */
const allowedRequestHeaders = ["Authorization", "Content-Type", "X-Request-Id"];
/** Response headers a browser script may read cross-origin (besides the CORS-safelisted ones). */
const exposedHeaders = ["X-Request-Id", "Retry-After", "Allow"];

/** What the HTTP layer needs to know about the server's paths. */
export interface KnownPaths {
  /** The spec's operations. */
  routes: RouteTable;
  /** Paths served outside the spec (health, spec files, docs), all GET. */
  fixedGetPaths: readonly string[];
}

/** The methods `path` supports, or undefined when the server knows no such path. */
export function methodsOf(paths: KnownPaths, path: string): string[] | undefined {
  if (paths.fixedGetPaths.includes(path)) return ["GET"];
  return paths.routes.methodsAt(path);
}

/**
 * CORS for the configured origins: every answer to an allowed origin (errors included) carries
 * `Access-Control-Allow-Origin` and the exposed headers; a preflight (`OPTIONS` with `Access-Control-Request-Method`)
 * on a known path is answered here with 204 and the path's methods. An origin not allowed gets no CORS headers, so
 * the browser keeps the answer from the page. Tokens travel in `Authorization`, not cookies: no credentials mode.
 */
export function cors(options: CorsOptions | undefined, paths: KnownPaths): RequestHandler {
  const any = options?.origins === "*";
  const allowed = new Set(options && options.origins !== "*" ? options.origins.map(normalOrigin) : []);
  const maxAge = String(options?.maxAgeSeconds ?? 600);
  return function corsHeaders(req, res, next) {
    const origin = req.headers.origin;
    if (!options || typeof origin !== "string") {
      next();
      return;
    }
    if (!any) res.vary("Origin");
    if (!any && !allowed.has(normalOrigin(origin))) {
      next();
      return;
    }
    res.setHeader("Access-Control-Allow-Origin", any ? "*" : origin);
    res.setHeader("Access-Control-Expose-Headers", exposedHeaders.join(", "));
    const requested = req.headers["access-control-request-method"];
    if (req.method !== "OPTIONS" || typeof requested !== "string") {
      next();
      return;
    }
    const methods = methodsOf(paths, req.path);
    if (!methods) {
      next();
      return;
    }
    const allow = allowHeader(methods);
    res.setHeader("Access-Control-Allow-Methods", allow);
    res.setHeader("Access-Control-Allow-Headers", allowedRequestHeaders.join(", "));
    res.setHeader("Access-Control-Max-Age", maxAge);
    res.setHeader("Allow", allow);
    res.status(204).end();
  };
}

function normalOrigin(origin: string): string {
  return origin.toLowerCase().replace(/\/+$/, "");
}

/** Whether `text` is an origin CORS_ORIGINS may list: scheme, host and optional port, nothing else. */
export function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === normalOrigin(text);
  } catch {
    return false;
  }
}

/**
 * OPTIONS on a known path answers 204 with `Allow`; HEAD is served as the GET it stands for (Node sends the
 * headers, `Content-Length` included, and drops the body). Everything else goes on.
 */
export function optionsAndHead(paths: KnownPaths): RequestHandler {
  return function optionsAndHead(req, res, next) {
    if (req.method === "OPTIONS") {
      const methods = methodsOf(paths, req.path);
      if (methods) {
        res.setHeader("Allow", allowHeader(methods));
        res.status(204).end();
        return;
      }
    } else if (req.method === "HEAD") {
      // The response was created for a HEAD request and keeps writing no body whatever the method says now.
      (req as Request & { headRequest?: boolean }).headRequest = true;
      req.method = "GET";
    }
    next();
  };
}

/** The method the client sent (HEAD, where the server serves it as GET). */
export function sentMethod(req: Request): string {
  return (req as Request & { headRequest?: boolean }).headRequest ? "HEAD" : req.method;
}

/** 405 with `Allow` for any method but GET (and HEAD, OPTIONS) on the paths outside the spec. */
export function getOnly(): RequestHandler {
  return (req) => {
    throw new MethodNotAllowedError(sentMethod(req), req.path, allowHeader(["GET"]));
  };
}

/** Refuses a query string of more than `maxQueryParameters` parameters with a 400 (see core's checks). */
export function queryParameterCap(): RequestHandler {
  return function queryParameterCap(req, _res, next) {
    const at = req.url.indexOf("?");
    if (at >= 0) checkQueryParameterCount(req.url.slice(at + 1));
    next();
  };
}
