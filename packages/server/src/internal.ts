// `@refunds-api/server/internal`: the parts of the server that the repository's benchmark builds its baselines from
// (bare Express with the same handlers, the stock validator setup). Not part of the public API: it is left out of
// the published package's exports, and may change in any version. Everything else imports `@refunds-api/server`.

export { ResponseChecker, type ResponseCheckerOptions } from "./responses.js";
export { bindOperations, createHandlers, type HandlerDeps, type ResponseSerializer } from "./routes/index.js";
export { validatorSpec } from "./spec.js";
