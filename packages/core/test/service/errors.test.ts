import { describe, expect, it } from "vitest";
import { fromDomainError } from "../../src/errors.js";
import {
  type DomainError,
  InvalidPageTokenError,
  NotFoundError,
  OverdraftError,
  PayerDisabledError,
} from "../../src/service/errors.js";

const detail = {
  allocation_index: 0,
  error_message: "Claim c-1 would go below zero.",
} as unknown as ConstructorParameters<typeof OverdraftError>[0][number];

// The service's errors say what failed in the domain's terms; the HTTP edge alone gives them a status, an errorName
// and the request field they are about.
describe("fromDomainError", () => {
  it.each<{ error: DomainError; status: number; envelope: object }>([
    {
      error: new NotFoundError("patient refund", "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10"),
      status: 404,
      envelope: { errorName: "EntityNotFoundError", content: { id: "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10" } },
    },
    {
      error: new NotFoundError("payer", "d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7fa0"),
      status: 404,
      envelope: { errorName: "EntityNotFoundError", content: { id: "d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7fa0" } },
    },
    {
      error: new InvalidPageTokenError("garbage"),
      status: 422,
      envelope: {
        errorName: "UnprocessableEntityError",
        content: { message: "query.page_token: is not a page token of this list" },
      },
    },
    {
      error: new PayerDisabledError("p-1"),
      status: 422,
      envelope: {
        errorName: "UnprocessableEntityError",
        content: {
          message: "body.non_insurance_payer_id: payer p-1 is disabled; no new refunds can be recorded against it",
        },
      },
    },
    {
      error: new OverdraftError([detail]),
      status: 422,
      envelope: {
        errorName: "ReallocationWouldOverdraftError",
        content: { messages: ["Claim c-1 would go below zero."], allocation_details: [detail] },
      },
    },
  ])("$error.name → $status", ({ error, status, envelope }) => {
    const wire = fromDomainError(error);
    expect(wire.status).toBe(status);
    expect(wire.envelope()).toEqual(envelope);
  });

  it("domain errors carry no HTTP status or request path", () => {
    for (const error of [
      new NotFoundError("claim", "c"),
      new InvalidPageTokenError("t"),
      new PayerDisabledError("p"),
    ]) {
      expect(error).not.toHaveProperty("status");
      expect(error.message).not.toMatch(/^(body|query|path)\./);
    }
  });
});
