// Handler types derived from the generated `operations`: one handler per operationId, taking the operation's
// parameters and body and resolving to its 200 body. A missing handler, a parameter of the wrong type or a body
// that does not match the response schema is a compile error.
import type { operations } from "@refunds-api/contract/schema";

/** Every operationId of the spec. */
export type OperationId = keyof operations;

type Parameters<K extends OperationId> = operations[K]["parameters"];
type Present<T> = [Exclude<T, undefined>] extends [never] ? Record<string, never> : Exclude<T, undefined>;

/** Path parameters of an operation (an empty object when it has none). */
export type PathParams<K extends OperationId> = Present<Parameters<K>["path"]>;
/** Query parameters of an operation, after validation applied the spec's defaults. */
export type QueryParams<K extends OperationId> = Present<Parameters<K>["query"]>;
/** The JSON request body of an operation, or undefined when it takes none. */
export type RequestBody<K extends OperationId> = operations[K] extends {
  requestBody: { content: { "application/json": infer B } };
}
  ? B
  : undefined;
/** The 200 body of an operation; undefined for an empty 200 (delete). */
export type SuccessBody<K extends OperationId> = operations[K]["responses"] extends {
  200: { content: { "application/json": infer B } };
}
  ? B
  : undefined;

/** What a handler receives: the validated request. */
export interface OperationInput<K extends OperationId> {
  path: PathParams<K>;
  query: QueryParams<K>;
  body: RequestBody<K>;
}

/** Handles one operation; thrown `ApiError`s become the operation's error responses. */
export type OperationHandler<K extends OperationId> = (input: OperationInput<K>) => Promise<SuccessBody<K>>;

/** One handler for every operation of the spec. */
export type OperationHandlers = { [K in OperationId]: OperationHandler<K> };
