// @refunds-api/server: the validated reference server of the Refunds API. The rules themselves (service, memory
// store, errors) come from @refunds-api/core and are re-exported here for the server's users.

export type {
  BalanceCharge,
  Cursor,
  InsertOptions,
  NonInsurancePayerRefundFilter,
  PageQuery,
  PageResult,
  PatientRefundFilter,
  RefundTable,
  SortValue,
  Store,
} from "@refunds-api/core";
export {
  ApiError,
  BadRequestError,
  type ClaimRecord,
  createMemoryStore,
  createServices,
  Directory,
  type DirectoryData,
  DomainError,
  defaultOrganizationId,
  EntityNotFoundError,
  type ErrorEnvelope,
  fromDomainError,
  InternalServerError,
  InvalidPageTokenError,
  MethodNotAllowedError,
  NotFoundError,
  type OperationHandler,
  type OperationHandlers,
  type OperationId,
  type OperationInput,
  OverdraftError,
  type PaidBalance,
  PayerDisabledError,
  PayloadTooLargeError,
  ReallocationWouldOverdraftError,
  RouteNotFoundError,
  type Runtime,
  type Services,
  TooManyRequestsError,
  UnauthorizedError,
  UnprocessableEntityError,
  UnsupportedMediaTypeError,
} from "@refunds-api/core";
export { type AppOptions, createApp } from "./app.js";
export { type AuthOptions, bearerToken, TokenAuthority, type TokenProblem } from "./auth.js";
export { devCredentials, readConfig, readStoreConfig, type ServerConfig } from "./config.js";
export * from "./control/index.js";
export { createLogger, type LogFormat, type LoggerOptions } from "./logging.js";
export {
  checkSeed,
  defaultSeed,
  loadSeed,
  readSeedFile,
  resetToSeed,
  type SeedData,
  SeedError,
} from "./seed.js";
export {
  type ListenOptions,
  listen,
  type RunningServer,
  type StartedServer,
  type StartOptions,
  startServer,
} from "./server.js";
export { readSpec, type SpecOperation, specOperations } from "./spec.js";
export { createStore, describeStore, type StoreKind, type StoreOptions } from "./store/create.js";
