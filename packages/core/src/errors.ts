// Typed errors. Every failure leaves the server as one envelope, `{"errorName": ..., "content": {...}}`.
import {
  type DomainError,
  InvalidPageTokenError,
  NotFoundError,
  OverdraftError,
  PayerDisabledError,
} from "./service/errors.js";
import type {
  AllocationOverdraftDetail,
  EntityNotFoundErrorContent,
  UnauthorizedErrorContent,
  UnprocessableEntityErrorContent,
} from "./types.js";

/** The wire envelope of every error response. */
export interface ErrorEnvelope {
  errorName: string;
  content: object;
}

/** An error with an HTTP status and the envelope the client receives. */
export class ApiError<C extends object = object> extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    readonly content: C,
    message = errorName,
    /** Extra response headers, such as `Allow` on a 405. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = errorName;
  }

  /** The body sent to the client. */
  envelope(): ErrorEnvelope {
    return { errorName: this.errorName, content: this.content };
  }
}

// Errors the spec declares.

/** 404: the entity named in the request does not exist or was deleted. */
export class EntityNotFoundError extends ApiError<EntityNotFoundErrorContent> {
  constructor(id: string) {
    super(404, "EntityNotFoundError", { id }, `No entity with id ${id}`);
  }
}

/** 422: the request broke a rule of the schema or of the service. */
export class UnprocessableEntityError extends ApiError<UnprocessableEntityErrorContent> {
  constructor(message: string) {
    super(422, "UnprocessableEntityError", { message }, message);
  }
}

/** 403: no valid bearer token, or bad client credentials. */
export class UnauthorizedError extends ApiError<UnauthorizedErrorContent> {
  constructor(message: string) {
    super(403, "UnauthorizedError", { message }, message);
  }
}

/** 422: the allocations would take at least one balance below zero. */
export class ReallocationWouldOverdraftError extends ApiError<{
  messages: string[];
  allocation_details: AllocationOverdraftDetail[];
}> {
  constructor(details: AllocationOverdraftDetail[]) {
    const messages = details.map((d) => d.error_message);
    super(422, "ReallocationWouldOverdraftError", { messages, allocation_details: details }, messages.join(" "));
  }
}

// HTTP-level errors the spec does not list per operation: they answer requests that never reach an operation.

/** 404 for a URL that is no operation of the API. */
export class RouteNotFoundError extends ApiError<{ message: string }> {
  constructor(method: string, path: string) {
    super(404, "NotFoundError", { message: `No operation ${method} ${path}.` });
  }
}

/** 405 for a known URL with a method it does not support. */
export class MethodNotAllowedError extends ApiError<{ message: string }> {
  constructor(method: string, path: string, allow: string) {
    super(405, "MethodNotAllowedError", { message: `${method} is not allowed on ${path}; use ${allow}.` }, undefined, {
      Allow: allow,
    });
  }
}

/** 400 for a body that is not valid JSON, or a request that could not be read. */
export class BadRequestError extends ApiError<{ message: string }> {
  constructor(message: string) {
    super(400, "BadRequestError", { message }, message);
  }
}

/** 413 for a body over the size limit. */
export class PayloadTooLargeError extends ApiError<{ message: string }> {
  constructor(limit: string) {
    super(413, "PayloadTooLargeError", { message: `The request body is larger than the ${limit} limit.` });
  }
}

/** 415 for a body that is not `application/json` (or a charset or encoding the server cannot read). */
export class UnsupportedMediaTypeError extends ApiError<{ message: string }> {
  constructor(message: string) {
    super(415, "UnsupportedMediaTypeError", { message }, message);
  }
}

/** 429 on the token endpoint: too many failed attempts; `Retry-After` says when to try again. */
export class TooManyRequestsError extends ApiError<{ message: string; retry_after_seconds: number }> {
  constructor(retryAfterSeconds: number) {
    const message = `Too many failed attempts; try again in ${retryAfterSeconds} s.`;
    super(429, "TooManyRequestsError", { message, retry_after_seconds: retryAfterSeconds }, message, {
      "Retry-After": String(retryAfterSeconds),
    });
  }
}

/** 500: a fault of the server; details stay in the server log under the request id. */
export class InternalServerError extends ApiError<{ message: string; request_id: string }> {
  constructor(requestId: string) {
    super(500, "InternalServerError", {
      message: `The server failed to handle the request; quote request id ${requestId} when reporting it.`,
      request_id: requestId,
    });
  }
}

/**
 * The envelope of a failure of the service: the one place where the domain's errors get their status, their
 * `errorName` and the request field they are about.
 */
export function fromDomainError(error: DomainError): ApiError {
  if (error instanceof NotFoundError) return new EntityNotFoundError(error.id);
  if (error instanceof InvalidPageTokenError) return new UnprocessableEntityError(`query.page_token: ${error.message}`);
  if (error instanceof PayerDisabledError) {
    return new UnprocessableEntityError(`body.non_insurance_payer_id: ${error.message}`);
  }
  if (error instanceof OverdraftError) return new ReallocationWouldOverdraftError(error.details);
  throw new Error(`No envelope for the domain error ${error.name}`, { cause: error });
}

/**
 * A response the server (or the handlers) made breaks the spec: a fault of the server, answered as its 500 with the
 * details in the log.
 */
export class ResponseValidationError extends Error {
  constructor(
    readonly operationId: string,
    readonly status: number,
    detail: string,
  ) {
    super(`The ${status} response of ${operationId} breaks the spec: ${detail}`);
    this.name = "ResponseValidationError";
  }
}
