// @refunds-api/contract: the wire types of the Refunds API, generated from the spec. The client and the server both
// build on these; neither depends on the other.
export * from "./generated/models.js";
export type { components, operations, paths } from "./generated/schema.js";
