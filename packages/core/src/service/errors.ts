// The service's failures, in the terms of the domain: what went wrong and with which entity. They carry no HTTP
// status and no request path; the HTTP edge (`toApiError` in ../errors.ts) turns each into the API's envelope.
import type { AllocationOverdraftDetail } from "../types.js";

/** A failure of a rule of the service. */
export abstract class DomainError extends Error {}

/** The refund, payer or claim with this id does not exist (or was deleted). */
export class NotFoundError extends DomainError {
  constructor(
    readonly entity: "patient refund" | "non-insurance payer refund" | "payer" | "claim" | "service line",
    readonly id: string,
  ) {
    super(`No ${entity} with id ${id}`);
    this.name = "NotFoundError";
  }
}

/** A page token that this list did not issue, or one that does not decode. */
export class InvalidPageTokenError extends DomainError {
  constructor(readonly token: string) {
    super("is not a page token of this list");
    this.name = "InvalidPageTokenError";
  }
}

/** The payer exists but takes no new refunds. */
export class PayerDisabledError extends DomainError {
  constructor(readonly payerId: string) {
    super(`payer ${payerId} is disabled; no new refunds can be recorded against it`);
    this.name = "PayerDisabledError";
  }
}

/** The allocations would take at least one paid balance below zero. */
export class OverdraftError extends DomainError {
  constructor(readonly details: AllocationOverdraftDetail[]) {
    super(details.map((d) => d.error_message).join(" "));
    this.name = "OverdraftError";
  }
}
