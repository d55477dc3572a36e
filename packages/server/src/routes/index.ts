// The route table is the spec: each of its operations is bound to the handler of the same operationId.
import type { IRouter, Request, Response } from "express";
import type { TokenAuthority } from "../auth.js";
import type { NonInsurancePayerRefundService } from "../service/non-insurance-payer-refunds.js";
import type { PatientRefundService } from "../service/patient-refunds.js";
import type { SpecOperation } from "../spec.js";
import { authHandlers } from "./auth.js";
import { nonInsurancePayerRefundHandlers } from "./non-insurance-payer-refunds.js";
import { patientRefundHandlers } from "./patient-refunds.js";
import type { OperationHandler, OperationHandlers, OperationId, OperationInput } from "./types.js";

/** What the handlers call. */
export interface HandlerDeps {
  patientRefunds: PatientRefundService;
  nonInsurancePayerRefunds: NonInsurancePayerRefundService;
  auth: TokenAuthority;
}

/** A handler for every operation of the spec. */
export function createHandlers(deps: HandlerDeps): OperationHandlers {
  return {
    ...authHandlers(deps.auth),
    ...patientRefundHandlers(deps.patientRefunds),
    ...nonInsurancePayerRefundHandlers(deps.nonInsurancePayerRefunds),
  };
}

/**
 * Registers each operation of the spec on `router` with its handler. The request reaching a handler has passed
 * validation, which is what makes its typed input true. A 200 with a body is sent as JSON; a handler that returns
 * nothing (delete) answers 200 with an empty body.
 */
export function bindOperations(
  router: IRouter,
  operations: readonly SpecOperation[],
  handlers: OperationHandlers,
): void {
  const unknown = Object.keys(handlers).filter((id) => !operations.some((op) => op.operationId === id));
  if (unknown.length > 0) throw new Error(`Handlers for operations the spec does not have: ${unknown.join(", ")}`);
  for (const op of operations) {
    const handler = handlers[op.operationId] as OperationHandler<OperationId> | undefined;
    if (!handler) throw new Error(`The spec's operation ${op.operationId} has no handler.`);
    router[op.method](op.expressPath, async (req: Request, res: Response) => {
      const input = { path: req.params, query: req.query, body: req.body } as unknown as OperationInput<OperationId>;
      const body = await handler(input);
      if (body === undefined) res.status(200).end();
      else res.status(200).json(body);
    });
  }
}

/** Binds every operation of the spec to the server's handlers. */
export function mountOperations(router: IRouter, operations: readonly SpecOperation[], deps: HandlerDeps): void {
  bindOperations(router, operations, createHandlers(deps));
}
