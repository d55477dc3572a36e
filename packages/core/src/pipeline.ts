// The server's request pipeline without a server: a request in (method, URL, headers, body text), the answer out
// (status, headers, body text). The in-process handlers (@refunds-api/testing/msw) run it inside MSW; the Express
// server runs the same steps as middleware (server/src/app.ts), with express-openapi-validator where this runs the
// spec's precompiled validators. Every step is the core's own (checks, problems, errors, operations), so both
// answer a request alike, status and body; a parity test holds them to it.
import { type Authority, authMessages, bearerToken } from "./auth.js";
import {
  ArrayCaps,
  allowHeader,
  checkQueryIntegers,
  checkQueryParameterCount,
  checkValidated,
  type RouteOperation,
  RouteTable,
} from "./checks.js";
import { type Fault, type FaultStatus, FaultTable, faultResponse, parseFault } from "./control/faults.js";
import { Journal, type JournalEntry, queryOf } from "./control/journal.js";
import {
  ApiError,
  BadRequestError,
  fromDomainError,
  InternalServerError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  ResponseValidationError,
  RouteNotFoundError,
  TooManyRequestsError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from "./errors.js";
import { createHandlers } from "./operations/index.js";
import type { OperationHandler, OperationHandlers, OperationId, OperationInput } from "./operations/types.js";
import { fromRequestValidation, type ValidatorFailure } from "./problems.js";
import { DomainError } from "./service/errors.js";
import type { Services } from "./service/index.js";
import { type OpenApiDocument, type SpecOperation, specOperations } from "./spec.js";

/** A request as the precompiled validators take it. */
export interface ValidatorRequest {
  /** The query as `parseQuery` read it (the validator works on a copy). */
  query: Record<string, unknown>;
  /** The path's parameters, decoded. */
  params: Record<string, string>;
  /** Request headers, names in lower case. */
  headers: Record<string, string>;
  /** The parsed body; undefined when none was sent. Defaults are filled in, in place. */
  body: unknown;
  /** The URL's path, as sent. */
  pathname: string;
}

/** What the precompiled validators find: the validator's failure, or the request as validation leaves it. */
export interface ValidatorResult {
  error: ValidatorFailure | null;
  /** The query parsed, coerced, with the spec's defaults. */
  query: Record<string, unknown>;
  params: Record<string, unknown>;
  body: unknown;
}

/** The spec's validators, compiled ahead of time (`@refunds-api/contract/validators`). */
export interface PrecompiledValidators {
  /** A query string parsed as the server parses it (a repeated key holds its values in order). */
  parseQuery(search: string): Record<string, unknown>;
  /** Validates a request to `operationId` as the server's validator does. */
  validateRequest(operationId: string, request: ValidatorRequest): ValidatorResult;
  /** Ajv's errors for `body` as the `status` response of `operationId`, or null when it passes. */
  validateResponse(operationId: string, status: number, body: unknown): readonly { message?: string }[] | null;
}

/** A request, as any host hands it over. */
export interface PipelineRequest {
  method: string;
  /** The URL's path and query (`/api/patient-refunds/v1?limit=10`), as sent (percent-encoded). */
  url: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body's text; undefined when the request has none. */
  body: string | undefined;
  /** The client's address (the token endpoint's throttle counts failures per address). */
  address?: string;
}

/** The pipeline's answer. */
export interface PipelineResponse {
  status: number;
  headers: Record<string, string>;
  /** The body's text; undefined for none. */
  body: string | undefined;
  /** An injected fault asks for no answer at all: the host fails the request as a network error. */
  drop?: boolean;
}

/** What the pipeline is built from. */
export interface PipelineOptions {
  /** The spec document (the generated copy, or the bundled file). */
  document: OpenApiDocument;
  validators: PrecompiledValidators;
  services: Services;
  auth: Authority;
  /** Largest accepted request body in bytes; 1 MiB by default, as on the server. */
  bodyLimitBytes?: number;
  /** Check every JSON response against the spec (a mismatch becomes a 500); on by default. */
  validateResponses?: boolean;
  /** A request id where the request sends none. */
  newRequestId?: () => string;
  /** Told of every failure that is no answer of the API (a 500); written to the console by default. */
  onUnexpectedError?: (error: unknown, requestId: string) => void;
}

const requestIdPattern = /^[\w.:-]{1,128}$/;
const jsonType = /^application\/json$/i;

/** The control surface the pipeline keeps: the journal of requests and the faults waiting. */
export interface PipelineControl {
  requests(): JournalEntry[];
  inject(fault: unknown): Fault;
  faults(): Fault[];
  clearFaults(): void;
  clearRequests(): void;
}

/** A request pipeline over `options`; `handle` answers one request. */
export class Pipeline implements PipelineControl {
  private readonly routes: RouteTable;
  private readonly caps: ArrayCaps;
  private readonly operations: Map<string, SpecOperation>;
  private readonly handlers: OperationHandlers;
  private readonly journal = new Journal();
  private readonly table = new FaultTable();
  private readonly bodyLimit: number;

  constructor(private readonly options: PipelineOptions) {
    this.routes = new RouteTable(options.document);
    this.caps = new ArrayCaps(options.document);
    this.operations = new Map(specOperations(options.document).map((op) => [op.operationId as string, op]));
    this.handlers = createHandlers({ ...options.services, auth: options.auth });
    this.bodyLimit = options.bodyLimitBytes ?? 1024 * 1024;
  }

  requests(): JournalEntry[] {
    return this.journal.list();
  }

  inject(fault: unknown): Fault {
    const parsed = parseFault(fault, [...this.operations.keys()]);
    this.table.add(parsed);
    return parsed;
  }

  faults(): Fault[] {
    return this.table.list();
  }

  clearFaults(): void {
    this.table.clear();
  }

  clearRequests(): void {
    this.journal.clear();
  }

  /** Answers one request: the operation's answer, or its error in the API's envelope. Never throws. */
  async handle(request: PipelineRequest): Promise<PipelineResponse> {
    const given = request.headers["x-request-id"];
    const requestId = given !== undefined && requestIdPattern.test(given) ? given : this.newRequestId();
    const at = request.url.indexOf("?");
    const path = at < 0 ? request.url : request.url.slice(0, at);
    const search = at < 0 ? "" : request.url.slice(at + 1);
    const head = request.method.toUpperCase() === "HEAD";
    const method = head ? "GET" : request.method.toUpperCase();
    const started = performance.now();
    const entry = this.journal.add({
      operationId: null,
      method: request.method.toUpperCase(),
      path,
      query: queryOf(new URLSearchParams(search)),
      headers: { ...request.headers },
      body: null,
      status: null,
      requestId,
      time: new Date().toISOString(),
      durationMs: null,
    });
    const state: RequestState = { requestId, path, search, method, entry, operationId: undefined };
    let response: PipelineResponse;
    try {
      response = await this.run(request, state);
    } catch (error) {
      response = this.errorResponse(error, state);
    }
    response.headers["X-Request-Id"] = requestId;
    if (head) response.body = undefined;
    entry.operationId = state.operationId ?? null;
    entry.status = response.drop ? null : response.status;
    entry.durationMs = response.drop ? null : Math.round((performance.now() - started) * 100) / 100;
    return response;
  }

  private newRequestId(): string {
    return this.options.newRequestId?.() ?? crypto.randomUUID();
  }

  private async run(request: PipelineRequest, state: RequestState): Promise<PipelineResponse> {
    const { document: spec, auth } = this.options;
    const { method, path, search } = state;
    if (request.method.toUpperCase() === "OPTIONS") {
      const methods = this.routes.methodsAt(path);
      if (methods) return { status: 204, headers: { Allow: allowHeader(methods) }, body: undefined };
    }
    if (search) checkQueryParameterCount(search);
    const match = this.routes.lookup(method, path);
    const op = match?.operation;
    state.operationId = op?.operationId;
    const query = this.options.validators.parseQuery(search);
    // Before a byte of the body is read: the token, then the query's integers.
    if (op?.secured) {
      const problem = auth.check(bearerToken(request.headers.authorization));
      if (problem) throw new UnauthorizedError(authMessages[problem]);
    }
    if (op) checkQueryIntegers(op, query, spec);
    const parsed = this.parseBody(request, op);
    if (parsed.body !== undefined) state.entry.body = structuredClone(parsed.body);
    const fault = op ? this.table.take(op.operationId) : undefined;
    if (fault) {
      const { times: _times, ...kind } = fault;
      state.entry.fault = kind;
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault.drop) return { status: 0, headers: {}, body: undefined, drop: true };
      if (fault.status !== undefined) {
        const answer = faultResponse(fault as Fault & { status: FaultStatus }, state.requestId);
        state.entry.errorName = answer.errorName;
        return { status: answer.status, headers: answer.headers, body: answer.body };
      }
    }
    if (op) this.caps.check(op, parsed.body);
    if (!match) throw new RouteNotFoundError(methodSent(request), path);
    if (!op) throw new MethodNotAllowedError(methodSent(request), path, allowHeader(match.methods));
    const params = decodeParams(match.rawParams, request.url);
    const validated = this.options.validators.validateRequest(op.operationId, {
      query,
      params,
      headers: request.headers,
      body: parsed.body,
      pathname: path,
    });
    if (validated.error) {
      throw (
        fromRequestValidation(validated.error, {
          data: { body: validated.body, query: validated.query, pathParams: params },
          spec,
          operation: this.operations.get(op.operationId),
          requestPath: path,
          contentType: request.headers["content-type"],
        }) ?? new BadRequestError(validated.error.message)
      );
    }
    const checked = checkValidated(
      op,
      { hasBody: parsed.hasBody, body: validated.body, query: validated.query, pathParams: params },
      spec,
    );
    if (op.operationId === "getToken") {
      const body = checked.body as { client_id: string; client_secret: string };
      const outcome = auth.exchange(body.client_id, body.client_secret, request.address ?? "");
      if (!outcome.ok) {
        if (outcome.reason === "throttled") throw new TooManyRequestsError(outcome.retryAfterSeconds);
        throw new UnauthorizedError("The client credentials are not valid.");
      }
      return this.success(op.operationId, outcome.token);
    }
    const handler = this.handlers[op.operationId as OperationId] as OperationHandler<OperationId>;
    const input = { path: params, query: checked.query, body: checked.body } as unknown as OperationInput<OperationId>;
    return this.success(op.operationId, await handler(input));
  }

  /** The body as the server's parsers read it: JSON (any value), or form-encoded credentials on the token endpoint. */
  private parseBody(request: PipelineRequest, op: RouteOperation | undefined): { body: unknown; hasBody: boolean } {
    const text = request.body;
    if (text === undefined) return { body: undefined, hasBody: false };
    if (new TextEncoder().encode(text).length > this.bodyLimit) {
      throw new PayloadTooLargeError(`${Math.round(this.bodyLimit / 1024)}kb`);
    }
    const type = (request.headers["content-type"] ?? "").split(";")[0]?.trim() ?? "";
    const charset = /;\s*charset=("?)([^";]+)\1/i.exec(request.headers["content-type"] ?? "")?.[2];
    if (jsonType.test(type)) {
      // The server's JSON parser reads only UTF charsets, and the server takes only UTF-8 of those.
      if (charset && !/^utf-/i.test(charset)) {
        throw new UnsupportedMediaTypeError(`unsupported charset "${charset.toUpperCase()}".`);
      }
      if (charset && !/^utf-?8$/i.test(charset)) {
        throw new UnsupportedMediaTypeError(`The charset ${charset.toLowerCase()} is not supported; send UTF-8.`);
      }
      // Zero bytes of JSON read as `{}`, as body-parser reads them; the required-body check knows they were none.
      if (text === "") return { body: {}, hasBody: false };
      try {
        return { body: JSON.parse(text), hasBody: true };
      } catch (error) {
        throw new BadRequestError(`The request body is not valid JSON: ${(error as Error).message}`);
      }
    }
    if (op?.operationId === "getToken" && /^application\/x-www-form-urlencoded$/i.test(type)) {
      return { body: Object.fromEntries(new URLSearchParams(text)), hasBody: text !== "" };
    }
    if (op?.bodySchema && text !== "") {
      throw new UnsupportedMediaTypeError(
        `Content-Type ${request.headers["content-type"] ?? "(none)"} is not supported; send application/json.`,
      );
    }
    return { body: undefined, hasBody: false };
  }

  private success(operationId: string, body: unknown): PipelineResponse {
    if (body === undefined) return { status: 200, headers: {}, body: "" };
    if (this.options.validateResponses !== false) {
      const problems = this.options.validators.validateResponse(operationId, 200, body);
      if (problems) {
        const detail = problems.map((p) => p.message ?? "breaks the schema").join("; ");
        throw new ResponseValidationError(operationId, 200, detail);
      }
    }
    return jsonResponse(200, JSON.stringify(body));
  }

  private errorResponse(thrown: unknown, state: RequestState): PipelineResponse {
    const error =
      thrown instanceof ApiError
        ? thrown
        : thrown instanceof DomainError
          ? fromDomainError(thrown)
          : new InternalServerError(state.requestId);
    state.entry.errorName = error.errorName;
    if (error.status >= 500 && !(thrown instanceof ApiError)) {
      // What the server logs with the request id; the client gets only the id.
      (this.options.onUnexpectedError ?? reportUnexpected)(thrown, state.requestId);
    }
    return jsonResponse(error.status, JSON.stringify(error.envelope()), error.headers);
  }
}

interface RequestState {
  requestId: string;
  path: string;
  search: string;
  method: string;
  entry: JournalEntry;
  operationId: string | undefined;
}

function jsonResponse(status: number, text: string, headers: Readonly<Record<string, string>> = {}): PipelineResponse {
  return {
    status,
    headers: { ...headers, "Content-Type": "application/json; charset=utf-8" },
    body: text,
  };
}

/** The path's parameters, decoded; a parameter that does not decode is a malformed URL. */
function decodeParams(raw: Record<string, string>, url: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    try {
      params[name] = decodeURIComponent(value);
    } catch {
      throw new BadRequestError(`The request URL is malformed: ${url}`);
    }
  }
  return params;
}

function methodSent(request: PipelineRequest): string {
  return request.method.toUpperCase();
}

function reportUnexpected(error: unknown, requestId: string): void {
  // biome-ignore lint/suspicious/noConsole: the handlers have no logger; a fault of their own must show in the test's output.
  console.error(`refunds-api handlers: request ${requestId} failed with a 500:`, error);
}
