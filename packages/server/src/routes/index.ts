// The route table is the spec: each of its operations is bound to the handler of the same operationId.
import {
  createHandlers,
  type HandlerDeps,
  type OperationHandler,
  type OperationHandlers,
  type OperationId,
  type OperationInput,
  type SpecOperation,
} from "@refunds-api/core";
import type { IRouter, Request, RequestHandler, Response } from "express";
import { sendJson } from "../responses.js";

export { createHandlers, type HandlerDeps };

/** Writes an operation's JSON response body: the same text `JSON.stringify` would write. */
export interface ResponseSerializer {
  check(operationId: string, status: number, body: unknown): string;
}

/**
 * Registers each operation of the spec on `router` with its handler. The request reaching a handler has passed
 * validation, which is what makes its typed input true. A 200 with a body is sent as JSON (written by `serializer`
 * when given); a handler that returns nothing (delete) answers 200 with an empty body.
 */
export function bindOperations(
  router: IRouter,
  operations: readonly SpecOperation[],
  handlers: OperationHandlers,
  serializer?: ResponseSerializer,
): void {
  for (const [op, run] of operationRunners(operations, handlers, serializer)) router[op.method](op.expressPath, run);
}

/**
 * One middleware running the handler of the operation the validator matched (`req.openapi`, with its decoded path
 * parameters): the route lookup the validator has done already is not done a second time by
 * Express routes. A request without a matched operation goes on to `next`.
 */
export function dispatchOperations(operations: readonly SpecOperation[], handlers: OperationHandlers): RequestHandler {
  const runners = new Map(operationRunners(operations, handlers).map(([op, run]) => [op.operationId as string, run]));
  return function dispatchOperation(req, res, next) {
    const openapi = (req as Request & { openapi?: ValidatorMatch }).openapi;
    const operationId = openapi?.schema?.operationId;
    const run = operationId === undefined ? undefined : runners.get(operationId);
    if (!run) {
      next();
      return;
    }
    // Express gives each layer the parameters of its own match, none for this one.
    if (openapi?.pathParams) req.params = openapi.pathParams;
    run(req, res).catch(next);
  };
}

/** What the validator's route match leaves on the request. */
interface ValidatorMatch {
  schema?: { operationId?: string };
  pathParams?: Record<string, string>;
}

function operationRunners(
  operations: readonly SpecOperation[],
  handlers: OperationHandlers,
  serializer?: ResponseSerializer,
): [SpecOperation, (req: Request, res: Response) => Promise<void>][] {
  const unknown = Object.keys(handlers).filter((id) => !operations.some((op) => op.operationId === id));
  if (unknown.length > 0) throw new Error(`Handlers for operations the spec does not have: ${unknown.join(", ")}`);
  return operations.map((op) => {
    const handler = handlers[op.operationId] as OperationHandler<OperationId> | undefined;
    if (!handler) throw new Error(`The spec's operation ${op.operationId} has no handler.`);
    return [
      op,
      async (req: Request, res: Response) => {
        const input = { path: req.params, query: req.query, body: req.body } as unknown as OperationInput<OperationId>;
        const body = await handler(input);
        if (body === undefined) res.status(200).end();
        else if (!serializer) res.status(200).json(body);
        else sendJson(res.status(200), serializer.check(op.operationId, 200, body));
      },
    ];
  });
}

/** The server's handlers, run for the operations the validator matches (see {@link dispatchOperations}). */
export function mountOperations(router: IRouter, operations: readonly SpecOperation[], deps: HandlerDeps): void {
  router.use(dispatchOperations(operations, createHandlers(deps)));
}
