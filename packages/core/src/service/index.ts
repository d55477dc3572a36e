// The refund rules, independent of HTTP and of how refunds are stored.
import { NonInsurancePayerRefundService } from "./non-insurance-payer-refunds.js";
import { PatientRefundService, type ServiceDeps } from "./patient-refunds.js";

/** The organization id the server stamps on refunds unless told otherwise. */
export const defaultOrganizationId = "0b4f7d2e-8c1a-4f55-9a3e-2d6c1b7e9f10";

/** Both services over one store and directory. */
export interface Services {
  patientRefunds: PatientRefundService;
  nonInsurancePayerRefunds: NonInsurancePayerRefundService;
}

/** Builds the services. */
export function createServices(deps: ServiceDeps): Services {
  return {
    patientRefunds: new PatientRefundService(deps),
    nonInsurancePayerRefunds: new NonInsurancePayerRefundService(deps),
  };
}
