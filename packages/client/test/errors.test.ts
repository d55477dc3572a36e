import { afterEach, describe, expect, it, vi } from "vitest";
import {
  EntityNotFoundError,
  errorFromResponse,
  RateLimitError,
  ReallocationWouldOverdraftError,
  ServerError,
  UnauthorizedError,
  UnexpectedResponseError,
  UnprocessableEntityError,
} from "../src/errors.js";
import { isRefundsError, type RefundsClient } from "../src/index.js";
import { examples } from "./support/examples.js";
import { clientWith, hangingFetch, json } from "./support/fake-fetch.js";

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
    retryAfter?: number;
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
      name: "a gateway's HTML error page is a ServerError",
      answer: new Response("<html><body>Bad gateway</body></html>", {
        status: 502,
        headers: { "Content-Type": "text/html" },
      }),
      call: (c) => c.patientRefunds.create(examples.patientRefundCreate),
      want: {
        type: ServerError,
        kind: "server",
        status: 502,
        errorName: undefined,
        content: undefined,
        body: "<html><body>Bad gateway</body></html>",
      },
    },
    {
      name: "a 500 in the envelope is a ServerError that keeps errorName and content",
      answer: json(500, {
        errorName: "InternalServerError",
        content: { message: "The server failed", request_id: "req-9" },
      }),
      call: (c) => c.patientRefunds.get("r-1", { retry: false }),
      want: {
        type: ServerError,
        kind: "server",
        status: 500,
        errorName: "InternalServerError",
        content: { message: "The server failed", request_id: "req-9" },
      },
    },
    {
      name: "a 503 whose envelope names an error of the spec is still a ServerError, by status",
      answer: json(503, examples.unauthorizedError),
      call: (c) => c.patientRefunds.get("r-1", { retry: false }),
      want: { type: ServerError, kind: "server", status: 503, ...examples.unauthorizedError },
    },
    {
      name: "a 429 is a RateLimitError whatever its errorName, with Retry-After in seconds",
      answer: json(
        429,
        { errorName: "TooManyRequestsError", content: { message: "slow down" } },
        { "Retry-After": "7" },
      ),
      call: (c) => c.patientRefunds.create(examples.patientRefundCreate),
      want: {
        type: RateLimitError,
        kind: "rate_limited",
        status: 429,
        errorName: "TooManyRequestsError",
        content: { message: "slow down" },
        retryAfter: 7,
      },
    },
    {
      name: "a 429 without Retry-After nor envelope",
      answer: new Response("Too Many Requests", { status: 429, headers: { "Content-Type": "text/plain" } }),
      call: (c) => c.patientRefunds.get("r-1", { retry: false }),
      want: {
        type: RateLimitError,
        kind: "rate_limited",
        status: 429,
        errorName: undefined,
        content: undefined,
        body: "Too Many Requests",
        retryAfter: undefined,
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
    } else if (error.kind === "server" || error.kind === "rate_limited") {
      expect(error.status).toBe(want.status);
      expect(error.errorName).toBe(want.errorName);
      expect(error.content).toEqual(want.content);
      if ("body" in want) expect(error.body).toEqual(want.body);
      if (error.kind === "rate_limited") expect(error.retryAfter).toBe(want.retryAfter);
    } else {
      expect.unreachable(`an answer made a ${error.kind} error`);
    }
  });

  it.each<{ name: string; call: (c: RefundsClient) => Promise<unknown>; answer: Response }>([
    { name: "an API error", call: getRefund, answer: json(404, examples.entityNotFoundError) },
    { name: "a RateLimitError", call: (c) => c.patientRefunds.get("r", { retry: false }), answer: json(429, {}) },
    { name: "a ServerError", call: (c) => c.patientRefunds.get("r", { retry: false }), answer: json(500, {}) },
    { name: "an UnexpectedResponseError", call: getRefund, answer: json(400, { title: "Bad" }) },
    { name: "a success that is not JSON", call: getRefund, answer: new Response("<html>", { status: 200 }) },
  ])("$name carries the answer's X-Request-Id", async ({ call, answer }) => {
    answer.headers.set("X-Request-Id", "req-42");
    const { client } = clientWith([answer]);
    const error = await call(client).catch((e: unknown) => e);
    expect(isRefundsError(error) && error.requestId).toBe("req-42");
  });

  it("the last page of a listAll that repeats a token carries that page's request id", async () => {
    const page = json(200, { items: [], next_page_token: "t" }, { "X-Request-Id": "req-page" });
    const { client } = clientWith([page]);
    const error = await (async () => {
      for await (const _ of client.patientRefunds.listAll({ page_token: "t" })) void _;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toMatchObject({ requestId: "req-page", status: 200 });
  });

  it.each([
    { name: "a network error", script: [new TypeError("fetch failed")] },
    { name: "a timeout before any answer", script: [hangingFetch()], timeoutMs: 10 },
  ])("$name has no request id", async ({ script, timeoutMs }) => {
    const { client } = clientWith(script, { maxRetries: 0, ...(timeoutMs ? { timeoutMs } : {}) });
    const error = await client.patientRefunds.get("r-1").catch((e: unknown) => e);
    expect(isRefundsError(error) && error.kind).toMatch(/network|timeout/);
    expect(error).toHaveProperty("requestId", undefined);
  });

  it("a timeout while the body arrives carries the answer's request id", async () => {
    const stalled = () =>
      new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("{")) }), {
        status: 200,
        headers: { "X-Request-Id": "req-slow" },
      });
    const { client } = clientWith([stalled], { maxRetries: 0, timeoutMs: 10 });
    const error = await client.patientRefunds.get("r-1").catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "timeout", requestId: "req-slow" });
  });

  it("a body that breaks off is a NetworkError", async () => {
    const broken = () =>
      new Response(
        new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode("{"));
            c.error(new TypeError("terminated"));
          },
        }),
        { status: 200, headers: { "Content-Type": "application/json" } },
      );
    const { client } = clientWith([broken], { maxRetries: 0 });
    const error = await client.patientRefunds.get("r-1").catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "network", cause: new TypeError("terminated") });
  });
});

describe("RateLimitError.retryAfter", () => {
  afterEach(() => vi.useRealTimers());

  it.each([
    { header: "120", want: 120 },
    { header: "0", want: 0 },
    { header: "1.5", want: 2 },
    { header: "Wed, 21 Oct 2015 07:28:09 GMT", want: 9 },
    { header: "Wed, 21 Oct 2015 07:00:00 GMT", want: 0 },
    { header: "soon", want: undefined },
    { header: undefined, want: undefined },
  ])("Retry-After $header is $want s", ({ header, want }) => {
    vi.useFakeTimers({ now: Date.parse("Wed, 21 Oct 2015 07:28:00 GMT") });
    const headers = new Headers(header === undefined ? {} : { "Retry-After": header });
    const error = errorFromResponse(429, undefined, headers);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.kind === "rate_limited" && error.retryAfter).toBe(want);
    expect(error.message).toBe(
      want === undefined ? "429 rate limited: empty body" : `429 rate limited: retry after ${want} s`,
    );
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

  it.each([
    { status: 500, given: { errorName: "InternalServerError", content: { message: "failed" } }, want: "failed" },
    { status: 502, given: "<html>Bad gateway</html>", want: "<html>Bad gateway</html>" },
    { status: 503, given: undefined, want: "empty body" },
  ])("message of a $status ServerError", ({ status, given, want }) => {
    expect(errorFromResponse(status, given, new Headers()).message).toBe(`${status} server error: ${want}`);
  });
});
