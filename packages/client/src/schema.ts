// `@refunds-api/client/schema`, kept for code written before the types moved to `@refunds-api/contract`.
export type * from "@refunds-api/contract/schema";
