// @refunds-api/server: the validated reference server of the Refunds API.
export { type AppOptions, createApp } from "./app.js";
export { type AuthOptions, bearerToken, TokenAuthority, type TokenProblem } from "./auth.js";
export { devCredentials, readConfig, readStoreConfig, type ServerConfig } from "./config.js";
export * from "./control/index.js";
export * from "./errors.js";
export { createLogger, type LogFormat, type LoggerOptions } from "./logging.js";
export type { OperationHandler, OperationHandlers, OperationId, OperationInput } from "./routes/types.js";
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
export type { Runtime } from "./service/allocations.js";
export { type ClaimRecord, Directory, type DirectoryData, type PaidBalance } from "./service/directory.js";
export * from "./service/errors.js";
export { createServices, defaultOrganizationId, type Services } from "./service/index.js";
export { readSpec, type SpecOperation, specOperations } from "./spec.js";
export { createStore, describeStore, type StoreKind, type StoreOptions } from "./store/create.js";
export { createMemoryStore } from "./store/memory.js";
export type * from "./store/types.js";
