import type {
  ApiErrorName,
  EntityNotFoundErrorContent,
  ReallocationWouldOverdraftErrorContent,
  UnauthorizedErrorContent,
  UnprocessableEntityErrorContent,
} from "@refunds-api/contract";

/** What went wrong, for `switch (error.kind)`. */
export type RefundsErrorKind = "api" | "unexpected_response" | "network" | "timeout" | "aborted";

/** Base class of every error the client throws. Narrow with {@link isRefundsError} and `kind`. */
export abstract class RefundsError extends Error {
  abstract readonly kind: RefundsErrorKind;
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
    super(`${status} ${new.target.name}: ${detail}`);
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
 * An answer the client cannot read as a result or as a known API error: an error status without the envelope
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
  ) {
    const errorName = isObject(body) && typeof body.errorName === "string" ? body.errorName : undefined;
    super(`${status} unexpected response: ${detail ?? describe(body)}`);
    this.errorName = errorName;
  }
}

/** The request never got an answer: DNS, refused or reset connection, TLS failure. `cause` holds the reason. */
export class NetworkError extends RefundsError {
  override readonly name = "NetworkError";
  readonly kind = "network" as const;

  constructor(cause: unknown) {
    super(`network error: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** No full answer arrived within the request timeout (the last attempt's, when retried). */
export class TimeoutError extends RefundsError {
  override readonly name = "TimeoutError";
  readonly kind = "timeout" as const;

  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/** The caller's `AbortSignal` fired; `cause` is its reason. Named `AbortError`, like an aborted `fetch`. */
export class AbortedError extends RefundsError {
  override readonly name = "AbortError";
  readonly kind = "aborted" as const;

  constructor(reason: unknown) {
    super("the request was aborted", { cause: reason });
  }
}

/** Any error the API answers in its envelope. */
export type KnownApiError =
  | UnauthorizedError
  | EntityNotFoundError
  | UnprocessableEntityError
  | ReallocationWouldOverdraftError;

/** Every error the client throws, as a union that `kind` and `errorName` narrow. */
export type RefundsClientError = KnownApiError | UnexpectedResponseError | NetworkError | TimeoutError | AbortedError;

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
 * The error for a non-2xx answer: the class named by a well-formed envelope's `errorName`, else an
 * {@link UnexpectedResponseError}. `body` is the parsed JSON, the raw text, or `undefined`.
 */
export function errorFromResponse(
  status: number,
  body: unknown,
  headers: Headers,
): KnownApiError | UnexpectedResponseError {
  if (isObject(body) && typeof body.errorName === "string" && Object.hasOwn(apiErrors, body.errorName)) {
    const known = apiErrors[body.errorName as ApiErrorName];
    if (isObject(body.content) && known.accepts(body.content)) {
      return new known.type(status, body.content as never, headers);
    }
  }
  return new UnexpectedResponseError(status, body, headers);
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
