// Patient refund operations: HTTP input (validated, typed from the spec) to the service and back.
import type { PatientRefundService } from "../service/patient-refunds.js";
import { compact } from "../service/updates.js";
import type { OperationHandlers } from "./types.js";

type Ops =
  | "listPatientRefunds"
  | "createPatientRefund"
  | "getPatientRefund"
  | "updatePatientRefund"
  | "deletePatientRefund";

/** Handlers of the five patient refund operations. */
export function patientRefundHandlers(service: PatientRefundService): Pick<OperationHandlers, Ops> {
  return {
    listPatientRefunds: ({ query }) =>
      service.list({
        filter: compact({
          patient_external_id: query.patient_external_id,
          claim_id: query.claim_id,
          service_line_id: query.service_line_id,
          billing_provider_id: query.billing_provider_id,
          unattributed: query.unattributed,
          invoice_id: query.invoice_id,
          sources: query.sources,
        }),
        sort: query.sort ?? "refund_timestamp",
        direction: query.sort_direction ?? "desc",
        limit: query.limit ?? 100,
        pageToken: query.page_token,
      }),
    createPatientRefund: ({ body }) => service.create(body),
    getPatientRefund: ({ path }) => service.get(path.patient_refund_id),
    updatePatientRefund: ({ path, body }) => service.update(path.patient_refund_id, body),
    deletePatientRefund: async ({ path }) => {
      await service.delete(path.patient_refund_id);
    },
  };
}
