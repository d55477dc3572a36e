export * from "@refunds-api/contract";
// `@refunds-api/client/schema`, kept for code written before the types moved to `@refunds-api/contract`.
export type * from "@refunds-api/contract/schema";
export type { Middleware } from "openapi-fetch";
export type { AuthOption, ClientCredentials } from "./auth.js";
export {
  type ApiResponse,
  createRefundsClient,
  type HttpMethod,
  type NonInsurancePayerRefundsResource,
  type PatientRefundsResource,
  type RefundsClient,
  type RefundsClientOptions,
  type RefundsClientWithResponse,
  type RefundsResource,
  type RefundsResourceWithResponse,
  type RequestOptions,
} from "./client.js";
export {
  AbortedError,
  ApiError,
  EntityNotFoundError,
  isRefundsError,
  type KnownApiError,
  NetworkError,
  RateLimitError,
  ReallocationWouldOverdraftError,
  type RefundsClientError,
  RefundsError,
  type RefundsErrorKind,
  type ResponseError,
  ServerError,
  TimeoutError,
  UnauthorizedError,
  UnexpectedResponseError,
  UnprocessableEntityError,
} from "./errors.js";
export type { BackoffOptions, FetchLike } from "./transport.js";
