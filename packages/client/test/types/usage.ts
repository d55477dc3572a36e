// Compiled by test/typecheck.test.ts, never run: what callers write must type-check, and what they must not write
// must fail (each `@ts-expect-error` is itself an error when the line below it compiles).
import {
  type AllocationCreate,
  type ApiResponse,
  EntityNotFoundError,
  isRefundsError,
  type Middleware,
  type PatientRefund,
  type PatientRefundCreate,
  type PatientRefundsPage,
  RateLimitError,
  type RefundReason,
  type RefundsClient,
  refundReasons,
} from "../../src/index.js";

export async function narrowing(client: RefundsClient, id: string): Promise<string> {
  try {
    const refund = await client.patientRefunds.get(id);
    return refund.patient_refund_id;
  } catch (error) {
    if (error instanceof EntityNotFoundError) return error.content.id;
    if (!isRefundsError(error)) throw error;
    switch (error.kind) {
      case "api":
        switch (error.errorName) {
          case "ReallocationWouldOverdraftError":
            return `${error.status} ${error.content.messages.join()} ${error.content.allocation_details?.length}`;
          case "UnauthorizedError":
          case "UnprocessableEntityError":
            return error.content.message ?? error.errorName;
          case "EntityNotFoundError":
            return error.content.id;
        }
        break;
      case "rate_limited":
        return `${error.status} retry after ${error.retryAfter ?? "?"} s ${error.requestId ?? ""}`;
      case "server":
        return `${error.status} ${error.errorName ?? ""} ${String(error.content)} ${error.requestId ?? ""}`;
      case "unexpected_response":
        return `${error.status} ${String(error.body)} ${error.errorName ?? ""}`;
      case "timeout":
        return `${error.timeoutMs}`;
      case "network":
      case "aborted":
        return String(error.cause);
    }
    throw error;
  }
}

export async function answers(client: RefundsClient, id: string): Promise<string | undefined> {
  const got: ApiResponse<PatientRefund> = await client.withResponse.patientRefunds.get(id);
  const page: ApiResponse<PatientRefundsPage> = await client.withResponse.patientRefunds.list({ limit: 5 });
  const deleted: undefined = (await client.withResponse.patientRefunds.delete(id)).data;
  const status: number = got.response.status;
  // @ts-expect-error: listAll has no withResponse form; it yields refunds, not answers
  void client.withResponse.patientRefunds.listAll;
  const logging: Middleware = { onResponse: ({ response }) => void response.status };
  client.use(logging);
  client.eject(logging);
  try {
    await client.patientRefunds.get(id);
  } catch (error) {
    if (error instanceof RateLimitError) return `${error.retryAfter} ${error.requestId}`;
    if (isRefundsError(error)) return error.requestId;
  }
  return `${got.requestId} ${page.data.items.length} ${deleted} ${status}`;
}

export function mistakes(refund: PatientRefund, client: RefundsClient) {
  // @ts-expect-error: a field the spec does not have
  refund.amount_dollars;
  // @ts-expect-error: content exists only once the error is narrowed
  new Error("x").content;
  // @ts-expect-error: sources takes enum values only
  void client.patientRefunds.list({ sources: ["VENMO"] });
  // @ts-expect-error: allocations are required
  const missing: PatientRefundCreate = { amount_cents: 100, patient_external_id: "p" };
  // @ts-expect-error: a response is not a request (its allocations name resolved targets)
  void client.patientRefunds.create(refund);
  // @ts-expect-error: delete resolves with nothing
  void client.patientRefunds.delete("id").then((r) => r.patient_refund_id);
  return missing;
}

export function enums(value: string): RefundReason | undefined {
  const reason = refundReasons.find((r) => r === value);
  const allocation: AllocationCreate = { amount_cents: 100, target: { type: "unattributed" } };
  void allocation;
  return reason;
}
