import type {
  ApiErrorName,
  EntityNotFoundErrorContent,
  ReallocationWouldOverdraftErrorContent,
  UnauthorizedErrorContent,
  UnprocessableEntityErrorContent,
} from "@refunds-api/contract";
import { parseRetryAfter } from "./retry-after.js";

/** What went wrong, for `switch (error.kind)`. */
export type RefundsErrorKind =
  | "api"
  | "rate_limited"
  | "server"
  | "unexpected_response"
  | "network"
  | "timeout"
  | "aborted";

/** Base class of every error the client throws. Narrow with {@link isRefundsError} and `kind`. */
export abstract class RefundsError extends Error {
  abstract readonly kind: RefundsErrorKind;
  /**
   * The answer's `X-Request-Id`, to quote when reporting the failure; `undefined` when no answer arrived or it
   * carried none.
   */
  readonly requestId: string | undefined;

  constructor(message: string, headers?: Headers, options?: ErrorOptions) {
    super(message, options);
    this.requestId = headers?.get("X-Request-Id") ?? undefined;
  }
}

/** An error the API answered in its `{"errorName", "content"}` envelope; `errorName` tells which. */
export abstract class ApiError<Name extends ApiErrorName, Content> extends RefundsError {
  readonly kind = "api" as const;
  abstract readonly errorName: Name;

  constructor(
    /** HTTP status of the answer. */
    readonly status: number,
    /** The envelope's `content`, typed by `errorName`. */
    readonly content: Content,
    /** Headers of the answer. */
    readonly headers: Headers,
    detail: string,
  ) {
    super(`${status} ${new.target.name}: ${detail}`, headers);
  }
}

/** 403: the request carried no valid token, or the token may not perform this operation. */
export class UnauthorizedError extends ApiError<"UnauthorizedError", UnauthorizedErrorContent> {
  override readonly name = "UnauthorizedError";
  readonly errorName = "UnauthorizedError" as const;

  constructor(status: number, content: UnauthorizedErrorContent, headers: Headers) {
    super(status, content, headers, content.message ?? "not authorized");
  }
}

/** 404: the entity named in the request does not exist; `content.id` is the id that was not found. */
export class EntityNotFoundError extends ApiError<"EntityNotFoundError", EntityNotFoundErrorContent> {
  override readonly name = "EntityNotFoundError";
  readonly errorName = "EntityNotFoundError" as const;

  constructor(status: number, content: EntityNotFoundErrorContent, headers: Headers) {
    super(status, content, headers, `no entity with id ${content.id}`);
  }
}

/** 422: the request broke a rule of the schema or of the service. */
export class UnprocessableEntityError extends ApiError<"UnprocessableEntityError", UnprocessableEntityErrorContent> {
  override readonly name = "UnprocessableEntityError";
  readonly errorName = "UnprocessableEntityError" as const;

  constructor(status: number, content: UnprocessableEntityErrorContent, headers: Headers) {
    super(status, content, headers, content.message ?? "unprocessable request");
  }
}

/** 422: the refund's allocations would take a balance below zero (sent with `raise_on_overdraft: true`). */
export class ReallocationWouldOverdraftError extends ApiError<
  "ReallocationWouldOverdraftError",
  ReallocationWouldOverdraftErrorContent
> {
  override readonly name = "ReallocationWouldOverdraftError";
  readonly errorName = "ReallocationWouldOverdraftError" as const;

  constructor(status: number, content: ReallocationWouldOverdraftErrorContent, headers: Headers) {
    super(status, content, headers, content.messages.join("; ") || "allocation would overdraw a balance");
  }
}

/**
 * 429: the API or a proxy in front of it limits the rate of requests. The spec declares no 429, so the error is
 * picked by status, whatever `errorName` the body has (the envelope's `errorName` and `content` are kept).
 * Retried by default, after `Retry-After` when the answer has one; this is the last attempt's answer.
 */
export class RateLimitError extends RefundsError {
  override readonly name = "RateLimitError";
  readonly kind = "rate_limited" as const;
  /** Seconds the server asked to wait (`Retry-After`, in seconds or as an HTTP date, rounded up); else `undefined`. */
  readonly retryAfter: number | undefined;
  /** `errorName` of the body, when it is the API's envelope. */
  readonly errorName: string | undefined;
  /** `content` of the body, when it is the API's envelope. */
  readonly content: unknown;

  constructor(
    readonly status: number,
    /** The body: parsed JSON when it was JSON, else its text; `undefined` when empty. */
    readonly body: unknown,
    readonly headers: Headers,
  ) {
    const waitMs = parseRetryAfter(headers.get("Retry-After"));
    const retryAfter = waitMs === undefined ? undefined : Math.ceil(waitMs / 1000);
    super(
      `${status} rate limited: ${retryAfter === undefined ? detailOf(body) : `retry after ${retryAfter} s`}`,
      headers,
    );
    this.retryAfter = retryAfter;
    this.errorName = errorNameOf(body);
    this.content = contentOf(body);
  }
}

/**
 * 5xx: the server (or a gateway in front of it) failed. Picked by status like {@link RateLimitError}; a body in the
 * API's envelope keeps its `errorName` and `content` (the reference server's `InternalServerError` names its
 * request id there too). Retried by default; this is the last attempt's answer.
 */
export class ServerError extends RefundsError {
  override readonly name = "ServerError";
  readonly kind = "server" as const;
  /** `errorName` of the body, when it is the API's envelope. */
  readonly errorName: string | undefined;
  /** `content` of the body, when it is the API's envelope. */
  readonly content: unknown;

  constructor(
    readonly status: number,
    /** The body: parsed JSON when it was JSON, else its text; `undefined` when empty. */
    readonly body: unknown,
    readonly headers: Headers,
  ) {
    super(`${status} server error: ${detailOf(body)}`, headers);
    this.errorName = errorNameOf(body);
    this.content = contentOf(body);
  }
}

/**
 * An answer the client cannot read as a result or as a known API error: a 4xx status without the envelope
 * (a proxy's HTML page, a problem+json body, an `errorName` this client does not know), or a success whose body
 * is not the JSON the operation promises.
 */
export class UnexpectedResponseError extends RefundsError {
  override readonly name = "UnexpectedResponseError";
  readonly kind = "unexpected_response" as const;
  /** `errorName` of the body, when it had a string one. */
  readonly errorName: string | undefined;

  constructor(
    readonly status: number,
    /** The body: parsed JSON when it was JSON, else its text; `undefined` when empty. */
    readonly body: unknown,
    readonly headers: Headers,
    detail?: string,
    cause?: unknown,
  ) {
    super(
      `${status} unexpected response: ${detail ?? describe(body)}`,
      headers,
      cause === undefined ? undefined : { cause },
    );
    this.errorName = errorNameOf(body);
  }
}

/** The request never got an answer: DNS, refused or reset connection, TLS failure. `cause` holds the reason. */
export class NetworkError extends RefundsError {
  override readonly name = "NetworkError";
  readonly kind = "network" as const;

  constructor(cause: unknown) {
    super(`network error: ${cause instanceof Error ? cause.message : String(cause)}`, undefined, { cause });
  }
}

/**
 * No full answer arrived within the request timeout (the last attempt's, when retried). `requestId` is set when the
 * answer's head arrived and its body did not.
 */
export class TimeoutError extends RefundsError {
  override readonly name = "TimeoutError";
  readonly kind = "timeout" as const;

  constructor(
    readonly timeoutMs: number,
    headers?: Headers,
  ) {
    super(`no answer within ${timeoutMs} ms`, headers);
  }
}

/** The caller's `AbortSignal` fired; `cause` is its reason. Named `AbortError`, like an aborted `fetch`. */
export class AbortedError extends RefundsError {
  override readonly name = "AbortError";
  readonly kind = "aborted" as const;

  constructor(reason: unknown) {
    super("the request was aborted", undefined, { cause: reason });
  }
}

/** Any error the API answers in its envelope. */
export type KnownApiError =
  | UnauthorizedError
  | EntityNotFoundError
  | UnprocessableEntityError
  | ReallocationWouldOverdraftError;

/** Every error the client makes of an answer with an error status. */
export type ResponseError = KnownApiError | RateLimitError | ServerError | UnexpectedResponseError;

/** Every error the client throws, as a union that `kind` and `errorName` narrow. */
export type RefundsClientError = ResponseError | NetworkError | TimeoutError | AbortedError;

/** True for errors thrown by this client; narrows to {@link RefundsClientError}. */
export function isRefundsError(error: unknown): error is RefundsClientError {
  return error instanceof RefundsError;
}

type ErrorClass = new (status: number, content: never, headers: Headers) => KnownApiError;

// One class per error name of the spec: a new error in the spec fails the type check here until it has a class.
const apiErrors: Record<ApiErrorName, { type: ErrorClass; accepts: (content: Record<string, unknown>) => boolean }> = {
  UnauthorizedError: { type: UnauthorizedError, accepts: (c) => optionalString(c.message) },
  EntityNotFoundError: { type: EntityNotFoundError, accepts: (c) => typeof c.id === "string" },
  UnprocessableEntityError: { type: UnprocessableEntityError, accepts: (c) => optionalString(c.message) },
  ReallocationWouldOverdraftError: {
    type: ReallocationWouldOverdraftError,
    accepts: (c) => Array.isArray(c.messages) && c.messages.every((m) => typeof m === "string"),
  },
};

/**
 * The error for a non-2xx answer: by status for what the spec does not declare (429 {@link RateLimitError}, 5xx
 * {@link ServerError}), else the class named by a well-formed envelope's `errorName`, else an
 * {@link UnexpectedResponseError}. `body` is the parsed JSON, the raw text, or `undefined`.
 */
export function errorFromResponse(status: number, body: unknown, headers: Headers): ResponseError {
  if (status === 429) return new RateLimitError(status, body, headers);
  if (status >= 500 && status <= 599) return new ServerError(status, body, headers);
  if (isObject(body) && typeof body.errorName === "string" && Object.hasOwn(apiErrors, body.errorName)) {
    const known = apiErrors[body.errorName as ApiErrorName];
    if (isObject(body.content) && known.accepts(body.content)) {
      return new known.type(status, body.content as never, headers);
    }
  }
  return new UnexpectedResponseError(status, body, headers);
}

function errorNameOf(body: unknown): string | undefined {
  return isObject(body) && typeof body.errorName === "string" ? body.errorName : undefined;
}

function contentOf(body: unknown): unknown {
  return isObject(body) && typeof body.errorName === "string" ? body.content : undefined;
}

/** The envelope's `content.message` when it has one, else the body as {@link describe} puts it. */
function detailOf(body: unknown): string {
  const content = contentOf(body);
  const message = isObject(content) ? content.message : undefined;
  return typeof message === "string" ? message : describe(body);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === "string";
}

function describe(body: unknown): string {
  if (body === undefined || body === "") return "empty body";
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
