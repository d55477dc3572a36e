import { describe, expect, it } from "vitest";
import {
  EntityNotFoundError,
  errorFromResponse,
  ReallocationWouldOverdraftError,
  UnauthorizedError,
  UnexpectedResponseError,
  UnprocessableEntityError,
} from "../src/errors.js";
import { isRefundsError, type RefundsClient } from "../src/index.js";
import { examples } from "./support/examples.js";
import { clientWith, json } from "./support/fake-fetch.js";

interface ErrorCase {
  name: string;
  answer: Response;
  call?: (client: RefundsClient) => Promise<unknown>;
  want: {
    type: abstract new (...args: never[]) => Error;
    kind: string;
    status: number;
    errorName?: string;
    content?: unknown;
    body?: unknown;
  };
}

const getRefund = (client: RefundsClient) => client.patientRefunds.get("r-1");

describe("errors", () => {
  it.each<ErrorCase>([
    {
      name: "403 UnauthorizedError",
      answer: json(403, examples.unauthorizedError),
      want: { type: UnauthorizedError, kind: "api", status: 403, ...examples.unauthorizedError },
    },
    {
      name: "404 EntityNotFoundError",
      answer: json(404, examples.entityNotFoundError),
      want: { type: EntityNotFoundError, kind: "api", status: 404, ...examples.entityNotFoundError },
    },
    {
      name: "422 UnprocessableEntityError",
      answer: json(422, examples.unprocessableEntityError),
      call: (c) => c.patientRefunds.list({ limit: 5000 }),
      want: { type: UnprocessableEntityError, kind: "api", status: 422, ...examples.unprocessableEntityError },
    },
    {
      name: "422 ReallocationWouldOverdraftError",
      answer: json(422, examples.reallocationWouldOverdraftError),
      call: (c) => c.patientRefunds.create(examples.patientRefundCreate),
      want: {
        type: ReallocationWouldOverdraftError,
        kind: "api",
        status: 422,
        ...examples.reallocationWouldOverdraftError,
      },
    },
    {
      name: "an envelope with content-less optional fields",
      answer: json(403, { errorName: "UnauthorizedError", content: {} }),
      want: { type: UnauthorizedError, kind: "api", status: 403, errorName: "UnauthorizedError", content: {} },
    },
    {
      name: "an errorName this client does not know",
      answer: json(409, { errorName: "ConflictError", content: { id: "x" } }),
      want: {
        type: UnexpectedResponseError,
        kind: "unexpected_response",
        status: 409,
        errorName: "ConflictError",
        body: { errorName: "ConflictError", content: { id: "x" } },
      },
    },
    {
      name: "a known errorName without its required content",
      answer: json(404, { errorName: "EntityNotFoundError", content: {} }),
      want: {
        type: UnexpectedResponseError,
        kind: "unexpected_response",
        status: 404,
        errorName: "EntityNotFoundError",
      },
    },
    {
      name: "a known errorName with content that is not an object",
      answer: json(422, { errorName: "UnprocessableEntityError", content: "bad" }),
      want: { type: UnexpectedResponseError, kind: "unexpected_response", status: 422 },
    },
    {
      name: "an HTML error page",
      answer: new Response("<html><body>Bad gateway</body></html>", {
        status: 502,
        headers: { "Content-Type": "text/html" },
      }),
      call: (c) => c.patientRefunds.create(examples.patientRefundCreate),
      want: {
        type: UnexpectedResponseError,
        kind: "unexpected_response",
        status: 502,
        body: "<html><body>Bad gateway</body></html>",
      },
    },
    {
      name: "an empty error body",
      answer: new Response(null, { status: 401, headers: { "Content-Length": "0" } }),
      want: { type: UnexpectedResponseError, kind: "unexpected_response", status: 401, body: undefined },
    },
    {
      name: "a problem+json body, as Prism sends for requests it rejects",
      answer: json(422, { type: "https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY", title: "Invalid request" }),
      want: { type: UnexpectedResponseError, kind: "unexpected_response", status: 422, errorName: undefined },
    },
    {
      name: "a JSON array",
      answer: json(400, [1, 2]),
      want: { type: UnexpectedResponseError, kind: "unexpected_response", status: 400, body: [1, 2] },
    },
    {
      name: "a 200 whose body is not JSON",
      answer: new Response("<html>maintenance</html>", { status: 200, headers: { "Content-Type": "text/html" } }),
      want: {
        type: UnexpectedResponseError,
        kind: "unexpected_response",
        status: 200,
        body: "<html>maintenance</html>",
      },
    },
    {
      name: "a 200 without the body the operation promises",
      answer: new Response(null, { status: 200, headers: { "Content-Length": "0" } }),
      want: { type: UnexpectedResponseError, kind: "unexpected_response", status: 200, body: undefined },
    },
  ])("$name", async ({ answer, call = getRefund, want }) => {
    const { client } = clientWith([answer]);
    const error = await call(client).then(
      () => expect.unreachable("the call should fail"),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(want.type);
    if (!isRefundsError(error)) return expect.unreachable("not a client error");
    expect(error.kind).toBe(want.kind);
    expect(error.message).toMatch(new RegExp(`^${want.status} `));
    if (error.kind === "api") {
      expect(error.status).toBe(want.status);
      expect(error.errorName).toBe(want.errorName);
      expect(error.content).toEqual(want.content);
      expect(error.headers.get("Content-Type")).toBe("application/json");
    } else if (error.kind === "unexpected_response") {
      expect(error.status).toBe(want.status);
      if ("errorName" in want) expect(error.errorName).toBe(want.errorName);
      if ("body" in want) expect(error.body).toEqual(want.body);
    }
  });

  it("narrows by errorName to typed content, no casts", () => {
    const error = errorFromResponse(422, examples.reallocationWouldOverdraftError, new Headers());
    if (error.kind !== "api") return expect.unreachable("should be an API error");
    switch (error.errorName) {
      case "ReallocationWouldOverdraftError":
        expect(error.content.messages).toHaveLength(1);
        expect(error.content.allocation_details?.[0]?.overage_amount_cents).toBe(1000);
        break;
      default:
        expect.unreachable(`narrowed to ${error.errorName}`);
    }
  });

  it.each([
    {
      given: examples.entityNotFoundError,
      want: `404 EntityNotFoundError: no entity with id ${examples.entityNotFoundError.content.id}`,
    },
    { given: { errorName: "UnauthorizedError", content: {} }, want: "404 UnauthorizedError: not authorized" },
    { given: "x".repeat(300), want: `404 unexpected response: ${"x".repeat(200)}…` },
  ])("message of $want", ({ given, want }) => {
    expect(errorFromResponse(404, given, new Headers()).message).toBe(want);
  });
});
