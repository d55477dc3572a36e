// Compile-time guarantees of the handler map. Each `@ts-expect-error` names the case and the error it must cause;
// typecheck.test.ts checks that the file compiles with the directives and fails at each one without them.
// (Extra fields in a body are not among them: the response schemas allow additional properties.)
import type { OperationHandler, OperationHandlers } from "../../src/index.js";

declare const handlers: OperationHandlers;
const { getToken: _getToken, ...withoutGetToken } = handlers;

// @ts-expect-error missing handler (TS2741)
export const missingHandler: OperationHandlers = withoutGetToken;

export const unknownOperation: OperationHandlers = {
  ...handlers,
  // @ts-expect-error handler for an operation the spec does not have (TS2353)
  getRefund: handlers.getPatientRefund,
};

// @ts-expect-error path parameter declared with the wrong type (TS2322)
export const wrongParameterType: OperationHandler<"getPatientRefund"> = async (input: {
  path: { patient_refund_id: number };
}) =>
  handlers.getPatientRefund({
    path: { patient_refund_id: String(input.path.patient_refund_id) },
    query: {},
    body: undefined,
  });

export const wrongParameterUse: OperationHandler<"listPatientRefunds"> = async ({ query }) => {
  // @ts-expect-error query parameter used as the wrong type (TS2322)
  const limit: string = query.limit;
  return { items: [], next_page_token: limit };
};

// @ts-expect-error body missing required fields of the response schema (TS2322)
export const incompleteBody: OperationHandler<"getPatientRefund"> = async () => ({ patient_refund_id: "x" });

// @ts-expect-error body field of the wrong type (TS2322)
export const wrongFieldType: OperationHandler<"getToken"> = async () => ({
  access_token: "t",
  expires_in: "3600",
  token_type: "Bearer",
});

// @ts-expect-error body value outside the schema's enum (TS2322)
export const wrongEnum: OperationHandler<"getNonInsurancePayerRefund"> = async () => ({
  ...(await handlers.getNonInsurancePayerRefund({
    path: { non_insurance_payer_refund_id: "x" },
    query: {},
    body: undefined,
  })),
  refund_reason: "GOODWILL",
});

// @ts-expect-error body on an operation whose 200 is empty (TS2322)
export const bodyOnDelete: OperationHandler<"deletePatientRefund"> = async () => ({ deleted: true });
