// Every request the client sends in a contract run, with what it answered and whatever in the answer breaks the
// spec. Wraps the client's `fetch`, so it sees the wire exactly as the client does.
import type { FetchLike } from "@refunds-api/client";
import { bundledSpec, createSpecAjv, httpMethods, type OpenApiDocument } from "../support/spec.js";

/** One request and its answer. */
export interface Exchange {
  /** Which way it went: `mock`, `proxy` (through Prism's validation proxy) or `direct` (to the server itself). */
  via: string;
  method: string;
  /** Path and query as sent. */
  path: string;
  /** The spec operation the request is for; undefined when none matches. */
  operationId: string | undefined;
  status: number;
  /** The envelope's `errorName` when the answer is an error envelope. */
  errorName: string | undefined;
  /** What in the answer breaks the spec, in words; empty when nothing does. */
  problems: string[];
}

/** What an answer is checked against: the spec's operations, their responses and the schemas of those. */
export interface SpecIndex {
  /** The operation `method path` (path without query) is for. */
  operation(method: string, pathname: string): Operation | undefined;
  /** Errors of the schema at `ref`-or-schema for `value`, in words; empty when it validates. */
  validate(schema: unknown, value: unknown): string[];
}

/** One operation of the spec, with its responses resolved. */
export interface Operation {
  operationId: string;
  method: string;
  /** Path template, such as `/api/patient-refunds/v1/{patient_refund_id}`. */
  path: string;
  /** Declared responses by status: the JSON schema of the body, or null when the response has no body. */
  responses: Map<number, unknown | null>;
  /** Whether the operation asks for a bearer token. */
  secured: boolean;
}

type ResponseObject = { $ref?: string; content?: Record<string, { schema?: unknown }> };

/** Indexes the bundled spec's operations, with an Ajv that knows its component schemas. */
export function indexSpec(spec: OpenApiDocument = bundledSpec()): SpecIndex & { operations: Operation[] } {
  const ajv = createSpecAjv(spec);
  const responses = spec.components.responses as Record<string, ResponseObject>;
  const resolve = (r: ResponseObject) => (r.$ref ? (responses[r.$ref.split("/").pop() as string] ?? {}) : r);
  const operations: (Operation & { pattern: RegExp })[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of httpMethods) {
      const op = item[method] as
        | { operationId: string; security?: unknown[]; responses: Record<string, ResponseObject> }
        | undefined;
      if (!op) continue;
      const security = (op.security ?? (spec as { security?: unknown[] }).security ?? []) as object[];
      operations.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}$`),
        responses: new Map(
          Object.entries(op.responses).map(([status, response]) => [
            Number(status),
            resolve(response).content?.["application/json"]?.schema ?? null,
          ]),
        ),
        secured: security.some((requirement) => Object.keys(requirement).length > 0),
      });
    }
  }
  return {
    operations,
    operation: (method, pathname) => operations.find((o) => o.method === method && o.pattern.test(pathname)),
    validate: (schema, value) =>
      ajv.validate(schema, value).map((e) => `${e.instancePath || "(body)"} ${e.message ?? "is invalid"}`),
  };
}

/** What was sent and what came back, as the checks need it. */
export interface Answer {
  method: string;
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

const unauthorized = { $ref: "#/components/schemas/UnauthorizedError" };

/**
 * What in `answer` breaks the spec: an unknown operation, violations Prism's proxy reported (its `sl-violations`
 * header, warnings included, as an undeclared status is only a warning there), a problem+json that Prism answered
 * itself, a status the operation does not declare, or a body that is not the declared one.
 *
 * One exception is accepted: a 403 `UnauthorizedError` from an operation that asks for a token but declares no
 * 403 (the non-insurance payer operations). The real service answers so, and its spec declares none.
 */
export function checkAnswer(spec: SpecIndex, answer: Answer): { operationId: string | undefined; problems: string[] } {
  const { pathname } = new URL(answer.url);
  const op = spec.operation(answer.method, pathname);
  if (!op) return { operationId: undefined, problems: [`no operation of the spec is ${answer.method} ${pathname}`] };
  const problems: string[] = [];
  const violations = answer.headers.get("sl-violations");
  if (violations) problems.push(`the validation proxy reported: ${describeViolations(violations)}`);
  const contentType = answer.headers.get("content-type") ?? "";
  if (contentType.includes("problem+json")) {
    problems.push(`Prism answered ${answer.status} itself instead of the API: ${answer.body.slice(0, 500)}`);
    return { operationId: op.operationId, problems };
  }
  let schema = op.responses.get(answer.status);
  if (schema === undefined) {
    if (!(answer.status === 403 && op.secured)) {
      problems.push(
        `${op.operationId} declares no ${answer.status} (it declares ${[...op.responses.keys()].join(", ")})`,
      );
      return { operationId: op.operationId, problems };
    }
    schema = unauthorized;
  }
  if (schema === null) {
    if (answer.body !== "") problems.push(`${answer.status} has no body in the spec, but one came: ${answer.body}`);
    return { operationId: op.operationId, problems };
  }
  if (!/^application\/json\b/.test(contentType)) {
    problems.push(`${answer.status} is served as "${contentType}", not application/json`);
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    problems.push(`${answer.status} body is not JSON: ${answer.body.slice(0, 200)}`);
    return { operationId: op.operationId, problems };
  }
  for (const error of spec.validate(schema, body)) problems.push(`${answer.status} body: ${error}`);
  return { operationId: op.operationId, problems };
}

function describeViolations(header: string): string {
  try {
    const list = JSON.parse(header) as { location?: string[]; severity?: string; message?: string }[];
    return list.map((v) => `${v.severity ?? "?"} at ${(v.location ?? []).join(".")}: ${v.message}`).join("; ");
  } catch {
    return header;
  }
}

/** Records every exchange of the clients it equips. */
export class Recorder {
  readonly exchanges: Exchange[] = [];
  constructor(private readonly spec: SpecIndex) {}

  /** A `fetch` for a client that records each exchange under `via`. */
  fetch(via: string, inner: FetchLike = (request) => globalThis.fetch(request)): FetchLike {
    return async (request) => {
      const method = request.method;
      const url = request.url;
      const response = await inner(request);
      const body = await response.text();
      const { operationId, problems } = checkAnswer(this.spec, {
        method,
        url,
        status: response.status,
        headers: response.headers,
        body,
      });
      const parsed = new URL(url);
      this.exchanges.push({
        via,
        method,
        path: parsed.pathname + parsed.search,
        operationId,
        status: response.status,
        errorName: errorNameOf(body),
        problems,
      });
      // The body was read here, so hand the client a fresh response with the same bytes.
      return new Response(response.status === 204 || body === "" ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    };
  }
}

function errorNameOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { errorName?: unknown };
    return typeof parsed?.errorName === "string" ? parsed.errorName : undefined;
  } catch {
    return undefined;
  }
}
