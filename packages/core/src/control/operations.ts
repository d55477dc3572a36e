// Which operation of the spec a method and path name, without a framework: the spec's path templates as patterns.
import type { SpecOperation } from "../spec.js";

interface Route {
  operationId: string;
  method: string;
  pattern: RegExp;
  /** Templates with fewer parameters win: `/v1/search` before `/v1/{id}`. */
  params: number;
}

/** Finds the operationId of a request by its method and path; `undefined` when no operation matches. */
export type OperationMatcher = (method: string, path: string) => string | undefined;

/** A matcher over `operations` (a path parameter is one segment, never a `/`). */
export function operationMatcher(operations: readonly Pick<SpecOperation, "operationId" | "method" | "path">[]) {
  const routes: Route[] = operations
    .map((op) => {
      const parts = op.path.split(/(\{[^}]+\})/);
      const source = parts.map((p) => (/^\{.+\}$/.test(p) ? "[^/]+" : p.replace(/[.*+?^$()|[\]\\]/g, "\\$&"))).join("");
      return {
        operationId: op.operationId,
        method: op.method.toUpperCase(),
        pattern: new RegExp(`^${source}/?$`),
        params: parts.filter((p) => /^\{.+\}$/.test(p)).length,
      };
    })
    .sort((a, b) => a.params - b.params);
  const match: OperationMatcher = (method, path) =>
    routes.find((r) => r.method === method.toUpperCase() && r.pattern.test(path))?.operationId;
  return match;
}
