export * from "@refunds-api/contract";
export type { AuthOption, ClientCredentials } from "./auth.js";
export {
  createRefundsClient,
  type HttpMethod,
  type NonInsurancePayerRefundsResource,
  type PatientRefundsResource,
  type RefundsClient,
  type RefundsClientOptions,
  type RefundsResource,
  type RequestOptions,
} from "./client.js";
export {
  AbortedError,
  ApiError,
  EntityNotFoundError,
  isRefundsError,
  type KnownApiError,
  NetworkError,
  ReallocationWouldOverdraftError,
  type RefundsClientError,
  RefundsError,
  type RefundsErrorKind,
  TimeoutError,
  UnauthorizedError,
  UnexpectedResponseError,
  UnprocessableEntityError,
} from "./errors.js";
export type { BackoffOptions, FetchLike } from "./transport.js";
