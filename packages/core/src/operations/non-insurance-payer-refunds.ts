// Non-insurance payer refund operations: HTTP input (validated, typed from the spec) to the service and back.
import type { NonInsurancePayerRefundService } from "../service/non-insurance-payer-refunds.js";
import { compact } from "../service/updates.js";
import type { OperationHandlers } from "./types.js";

type Ops =
  | "listNonInsurancePayerRefunds"
  | "createNonInsurancePayerRefund"
  | "getNonInsurancePayerRefund"
  | "updateNonInsurancePayerRefund"
  | "deleteNonInsurancePayerRefund";

/** Handlers of the five non-insurance payer refund operations. */
export function nonInsurancePayerRefundHandlers(service: NonInsurancePayerRefundService): Pick<OperationHandlers, Ops> {
  return {
    listNonInsurancePayerRefunds: ({ query }) =>
      service.list({
        filter: compact({
          non_insurance_payer_id: query.non_insurance_payer_id,
          check_number: query.check_number,
          invoice_id: query.invoice_id,
        }),
        sort: query.sort ?? "refund_timestamp",
        direction: query.sort_direction ?? "desc",
        limit: query.limit ?? 100,
        pageToken: query.page_token,
      }),
    createNonInsurancePayerRefund: ({ body }) => service.create(body),
    getNonInsurancePayerRefund: ({ path }) => service.get(path.non_insurance_payer_refund_id),
    updateNonInsurancePayerRefund: ({ path, body }) => service.update(path.non_insurance_payer_refund_id, body),
    deleteNonInsurancePayerRefund: async ({ path }) => {
      await service.delete(path.non_insurance_payer_refund_id);
    },
  };
}
