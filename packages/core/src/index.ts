// @refunds-api/core: the Refunds API's rules without a server. The service and its in-memory store, the error
// envelope, validation problems in the API's words, the request checks, paging tokens and the control surface's
// faults and journal. Browser-safe: nothing here imports a Node built-in, Express, a logger or a database driver.
// The Express server (@refunds-api/server) composes it, and so do the in-process MSW handlers
// (@refunds-api/testing/msw).
export * from "./auth.js";
export * from "./checks.js";
export * from "./control/faults.js";
export * from "./control/journal.js";
export * from "./control/operations.js";
export * from "./errors.js";
export { canonicalIds, canonicalUuid } from "./ids.js";
export { createHandlers, type HandlerDeps } from "./operations/index.js";
export type * from "./operations/types.js";
export * from "./pipeline.js";
export * from "./problems.js";
export * from "./seed.js";
export type { Runtime } from "./service/allocations.js";
export * from "./service/directory.js";
export * from "./service/errors.js";
export { createServices, defaultOrganizationId, type Services } from "./service/index.js";
export type { NonInsurancePayerRefundService } from "./service/non-insurance-payer-refunds.js";
export type { PatientRefundService, ServiceDeps } from "./service/patient-refunds.js";
export * from "./spec.js";
export { createMemoryStore } from "./store/memory.js";
export * from "./store/order.js";
export type * from "./store/types.js";
export type * from "./types.js";
export * from "./words.js";
