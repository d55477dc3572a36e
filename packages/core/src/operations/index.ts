// One handler per operation of the spec, framework-free: each takes the validated request and resolves to the
// operation's 200 body. The Express server and the in-process handlers both run these.
import type { Authority } from "../auth.js";
import type { NonInsurancePayerRefundService } from "../service/non-insurance-payer-refunds.js";
import type { PatientRefundService } from "../service/patient-refunds.js";
import { authHandlers } from "./auth.js";
import { nonInsurancePayerRefundHandlers } from "./non-insurance-payer-refunds.js";
import { patientRefundHandlers } from "./patient-refunds.js";
import type { OperationHandlers } from "./types.js";

/** What the handlers call. */
export interface HandlerDeps {
  patientRefunds: PatientRefundService;
  nonInsurancePayerRefunds: NonInsurancePayerRefundService;
  auth: Pick<Authority, "issue">;
}

/** A handler for every operation of the spec. */
export function createHandlers(deps: HandlerDeps): OperationHandlers {
  return {
    ...authHandlers(deps.auth),
    ...patientRefundHandlers(deps.patientRefunds),
    ...nonInsurancePayerRefundHandlers(deps.nonInsurancePayerRefunds),
  };
}
