import { defaultPathSerializer } from "openapi-fetch";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  AbortedError,
  createRefundsClient,
  EntityNotFoundError,
  NetworkError,
  RateLimitError,
  type RefundsClient,
  ServerError,
  TimeoutError,
  UnexpectedResponseError,
} from "../src/index.js";
import { createPathSerializer } from "../src/path-serializer.js";
import { backoffDelay, isRetryableStatus, parseRetryAfter } from "../src/transport.js";
import { examples } from "./support/examples.js";
import { clientWith, hangingFetch, json, type Script } from "./support/fake-fetch.js";

const ok = () => json(200, examples.patientRefund);
const status = (code: number, headers: Record<string, string> = {}) => json(code, { message: "busy" }, headers);
const offline = () => new TypeError("fetch failed", { cause: new Error("ECONNREFUSED") });
const get = (c: RefundsClient) => c.patientRefunds.get("r-1");
const create = (c: RefundsClient) => c.patientRefunds.create(examples.patientRefundCreate);
const update = (c: RefundsClient) => c.patientRefunds.update("r-1", {});
const remove = (c: RefundsClient) => c.patientRefunds.delete("r-1");

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, "random").mockReturnValue(0.5);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Runs `call` to completion while advancing fake time; returns its outcome and how long it took. */
async function settle<T>(call: Promise<T>): Promise<{ value?: T; error?: unknown; elapsedMs: number }> {
  const start = Date.now();
  const outcome = call.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  return { ...(await outcome), elapsedMs: Date.now() - start };
}

describe("retries", () => {
  it.each<{
    name: string;
    call: (c: RefundsClient) => Promise<unknown>;
    script: Script[];
    want: { attempts: number; ok: boolean };
  }>([
    { name: "GET retries 500 then succeeds", call: get, script: [status(500), ok()], want: { attempts: 2, ok: true } },
    { name: "GET retries 502", call: get, script: [status(502), ok()], want: { attempts: 2, ok: true } },
    { name: "GET retries 503", call: get, script: [status(503), ok()], want: { attempts: 2, ok: true } },
    { name: "GET retries 408", call: get, script: [status(408), ok()], want: { attempts: 2, ok: true } },
    { name: "GET retries 429", call: get, script: [status(429), ok()], want: { attempts: 2, ok: true } },
    { name: "GET retries a network error", call: get, script: [offline(), ok()], want: { attempts: 2, ok: true } },
    { name: "GET gives up after maxRetries", call: get, script: [status(500)], want: { attempts: 3, ok: false } },
    {
      name: "GET does not retry 404",
      call: get,
      script: [json(404, examples.entityNotFoundError)],
      want: { attempts: 1, ok: false },
    },
    {
      name: "GET does not retry 422",
      call: get,
      script: [json(422, examples.unprocessableEntityError)],
      want: { attempts: 1, ok: false },
    },
    { name: "GET does not retry 400", call: get, script: [status(400), ok()], want: { attempts: 1, ok: false } },
    {
      name: "DELETE retries 503",
      call: remove,
      script: [status(503), new Response(null, { status: 200 })],
      want: { attempts: 2, ok: true },
    },
    { name: "POST does not retry 503", call: create, script: [status(503), ok()], want: { attempts: 1, ok: false } },
    {
      name: "POST does not retry a network error",
      call: create,
      script: [offline(), ok()],
      want: { attempts: 1, ok: false },
    },
    { name: "PATCH does not retry 500", call: update, script: [status(500), ok()], want: { attempts: 1, ok: false } },
    {
      name: "POST retries when asked",
      call: (c) => c.patientRefunds.create(examples.patientRefundCreate, { retry: true }),
      script: [status(503), offline(), ok()],
      want: { attempts: 3, ok: true },
    },
    {
      name: "GET does not retry when told not to",
      call: (c) => c.patientRefunds.get("r-1", { retry: false }),
      script: [status(503), ok()],
      want: { attempts: 1, ok: false },
    },
    {
      name: "per-call maxRetries",
      call: (c) => c.patientRefunds.get("r-1", { maxRetries: 4 }),
      script: [status(500), status(500), status(500), status(500), ok()],
      want: { attempts: 5, ok: true },
    },
    {
      name: "maxRetries 0 sends once",
      call: (c) => c.patientRefunds.get("r-1", { maxRetries: 0 }),
      script: [status(500), ok()],
      want: { attempts: 1, ok: false },
    },
  ])("$name", async ({ call, script, want }) => {
    const { client, requests } = clientWith(script);
    const outcome = await settle(call(client));
    expect(requests).toHaveLength(want.attempts);
    expect(outcome.error === undefined).toBe(want.ok);
  });

  it("sends the same request on every attempt, body included", async () => {
    const { client, requests } = clientWith([status(503), status(503), ok()]);
    await settle(client.patientRefunds.create(examples.patientRefundCreate, { retry: true }));
    expect(requests).toHaveLength(3);
    for (const r of requests) {
      expect(r.method).toBe("POST");
      expect(JSON.parse(r.body ?? "")).toEqual(examples.patientRefundCreate);
      expect(r.headers.get("Authorization")).toBe("Bearer test-token");
    }
  });

  it("client-wide retryMethods and maxRetries", async () => {
    const { client, requests } = clientWith([status(500)], { retryMethods: ["POST"], maxRetries: 1 });
    await settle(create(client));
    expect(requests).toHaveLength(2);
    const again = clientWith([status(500)], { retryMethods: ["POST"] });
    await settle(get(again.client));
    expect(again.requests).toHaveLength(1);
  });

  it("surfaces the last failure: a typed API error after retries", async () => {
    const { client } = clientWith([status(503), json(404, examples.entityNotFoundError)]);
    const { error } = await settle(get(client));
    expect(error).toBeInstanceOf(EntityNotFoundError);
  });

  it.each([
    { name: "network error", script: [offline()], want: NetworkError },
    { name: "5xx status", script: [status(503)], want: ServerError },
    { name: "429 status", script: [status(429)], want: RateLimitError },
    { name: "400 status", script: [status(400)], want: UnexpectedResponseError },
  ])("surfaces the last failure: $name", async ({ script, want }) => {
    const { client } = clientWith(script);
    const { error } = await settle(get(client));
    expect(error).toBeInstanceOf(want);
  });

  it("surfaces the last 429 with its Retry-After and request id once the retries are spent", async () => {
    const { client, requests } = clientWith([
      status(429, { "Retry-After": "1", "X-Request-Id": "first" }),
      status(429, { "Retry-After": "2", "X-Request-Id": "second" }),
      status(429, { "Retry-After": "3", "X-Request-Id": "last" }),
    ]);
    const { error, elapsedMs } = await settle(get(client));
    expect(requests).toHaveLength(3);
    expect(elapsedMs).toBe(3000);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, retryAfter: 3, requestId: "last" });
  });

  it("keeps the network error as the cause", async () => {
    const { client } = clientWith([offline()], { maxRetries: 0 });
    const { error } = await settle(get(client));
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).cause).toBeInstanceOf(TypeError);
  });
});

describe("backoff", () => {
  it.each([
    { attempt: 0, random: 0, want: 250 },
    { attempt: 0, random: 1, want: 500 },
    { attempt: 1, random: 0.5, want: 750 },
    { attempt: 2, random: 0, want: 1000 },
    { attempt: 3, random: 1, want: 4000 },
    { attempt: 4, random: 1, want: 8000 },
    { attempt: 10, random: 0, want: 4000 },
  ])("attempt $attempt with random $random waits $want ms", ({ attempt, random, want }) => {
    vi.mocked(Math.random).mockReturnValue(random);
    expect(backoffDelay(attempt, { initialDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 60_000 })).toBe(want);
  });

  it("waits between attempts, doubling each time", async () => {
    // random 0.5: 375 ms, then 750 ms, then 1500 ms.
    const { client, requests } = clientWith([status(500)], { maxRetries: 3 });
    const call = get(client).catch(() => {});
    const attemptsAt = async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms);
      return requests.length;
    };
    expect(await attemptsAt(0)).toBe(1);
    expect(await attemptsAt(374)).toBe(1);
    expect(await attemptsAt(1)).toBe(2);
    expect(await attemptsAt(749)).toBe(2);
    expect(await attemptsAt(1)).toBe(3);
    expect(await attemptsAt(1499)).toBe(3);
    expect(await attemptsAt(1)).toBe(4);
    await call;
  });

  it("uses the client's backoff options", async () => {
    const { client } = clientWith([status(500), status(500), ok()], {
      backoff: { initialDelayMs: 2000, maxDelayMs: 3000 },
    });
    const { elapsedMs } = await settle(get(client));
    // random 0.5: 1500 ms, then the 3000 ms ceiling's 2250 ms.
    expect(elapsedMs).toBe(1500 + 2250);
  });
});

describe("Retry-After", () => {
  it.each([
    { name: "seconds", header: "3", want: { attempts: 2, elapsedMs: 3000 } },
    { name: "zero seconds", header: "0", want: { attempts: 2, elapsedMs: 0 } },
    { name: "an HTTP date", header: "in 5s", want: { attempts: 2, elapsedMs: 5000 } },
    { name: "a date in the past", header: "Thu, 01 Jan 2015 00:00:00 GMT", want: { attempts: 2, elapsedMs: 0 } },
    { name: "unreadable, so backoff", header: "soon", want: { attempts: 2, elapsedMs: 375 } },
    { name: "longer than maxRetryAfterMs, so no retry", header: "120", want: { attempts: 1, elapsedMs: 0 } },
  ])("$name", async ({ header, want }) => {
    vi.setSystemTime(Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"));
    const value = header === "in 5s" ? "Wed, 21 Oct 2015 07:28:05 GMT" : header;
    const { client, requests } = clientWith([status(429, { "Retry-After": value }), ok()]);
    const { elapsedMs } = await settle(get(client));
    expect(requests).toHaveLength(want.attempts);
    expect(elapsedMs).toBe(want.elapsedMs);
  });

  it("is honoured on a 503 too, and capped by the client's maxRetryAfterMs", async () => {
    const { client, requests } = clientWith([status(503, { "Retry-After": "20" }), ok()], {
      backoff: { maxRetryAfterMs: 10_000 },
    });
    const { error } = await settle(get(client));
    expect(requests).toHaveLength(1);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 503 });
  });

  it.each([
    { given: "120", want: 120_000 },
    { given: "1.5", want: 1500 },
    { given: " 7 ", want: 7000 },
    { given: "Wed, 21 Oct 2015 07:28:10 GMT", want: 10_000 },
    { given: "", want: undefined },
    { given: "-1", want: undefined },
    { given: null, want: undefined },
  ])("parseRetryAfter($given) is $want", ({ given, want }) => {
    expect(parseRetryAfter(given, Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(want);
  });

  it.each([
    [200, false],
    [400, false],
    [404, false],
    [408, true],
    [429, true],
    [500, true],
    [599, true],
  ])("status %i is retryable: %s", (code, want) => {
    expect(isRetryableStatus(code)).toBe(want);
  });
});

describe("timeouts", () => {
  it("times out a hanging attempt with a TimeoutError", async () => {
    const { client } = clientWith([hangingFetch()], { timeoutMs: 1000 });
    const { error, elapsedMs } = await settle(client.patientRefunds.create(examples.patientRefundCreate));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(1000);
    expect(elapsedMs).toBe(1000);
  });

  it("aborts the timed-out request's signal", async () => {
    const { client, requests } = clientWith([hangingFetch()], { timeoutMs: 1000, maxRetries: 0 });
    await settle(get(client));
    expect(requests[0]?.signal.aborted).toBe(true);
  });

  it("retries a timed-out GET, each attempt with its own timeout", async () => {
    const { client, requests } = clientWith([hangingFetch(), ok()], { timeoutMs: 1000 });
    const { value, elapsedMs } = await settle(get(client));
    expect(value).toEqual(examples.patientRefund);
    expect(requests).toHaveLength(2);
    expect(elapsedMs).toBe(1000 + 375);
  });

  it("covers a body that never finishes", async () => {
    const stalled = () =>
      new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("{")) }), { status: 200 });
    const { client } = clientWith([stalled], { timeoutMs: 500, maxRetries: 0 });
    const { error } = await settle(get(client));
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it("a per-call timeout overrides the client's", async () => {
    const { client } = clientWith([hangingFetch()], { timeoutMs: 60_000 });
    const { error, elapsedMs } = await settle(client.patientRefunds.get("r-1", { timeoutMs: 50, retry: false }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(elapsedMs).toBe(50);
  });
});

describe("abort", () => {
  it("rejects at once when the signal already fired, sending nothing", async () => {
    const { client, requests } = clientWith([ok()]);
    const reason = new Error("user left");
    const { error } = await settle(client.patientRefunds.get("r-1", { signal: AbortSignal.abort(reason) }));
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).name).toBe("AbortError");
    expect((error as AbortedError).cause).toBe(reason);
    expect(requests).toHaveLength(0);
  });

  it("aborts a request in flight and its fetch", async () => {
    const controller = new AbortController();
    const { client, requests } = clientWith([hangingFetch()]);
    const call = settle(client.patientRefunds.get("r-1", { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    const { error, elapsedMs } = await call;
    expect(error).toBeInstanceOf(AbortedError);
    expect(elapsedMs).toBe(100);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.signal.aborted).toBe(true);
  });

  it("aborts the wait between retries", async () => {
    const controller = new AbortController();
    const { client, requests } = clientWith([status(503)]);
    const call = client.patientRefunds.get("r-1", { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    expect(await call).toBeInstanceOf(AbortedError);
    expect(requests).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("aborts an iteration of listAll between pages", async () => {
    const controller = new AbortController();
    const { client, requests } = clientWith([json(200, { items: [examples.patientRefund], next_page_token: "t" })]);
    const seen: unknown[] = [];
    const run = async () => {
      for await (const r of client.patientRefunds.listAll({}, { signal: controller.signal })) {
        seen.push(r);
        controller.abort();
      }
    };
    await expect(run()).rejects.toBeInstanceOf(AbortedError);
    expect(seen).toHaveLength(1);
    expect(requests).toHaveLength(1);
  });
});

describe("the global fetch", () => {
  /** Stubs `globalThis.fetch` with the fake's script; the fake sees each call as the Request it describes. */
  function stubGlobalFetch(script: Script[]) {
    const calls: { input: unknown; init: RequestInit | undefined }[] = [];
    const fake = clientWith(script);
    vi.stubGlobal("fetch", (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ input, init });
      return fake.fetch(new Request(input, init));
    });
    const client = createRefundsClient({ baseUrl: "https://api.test", auth: "test-token", timeoutMs: 1000 });
    return { client, calls, requests: fake.requests };
  }
  afterEach(() => vi.unstubAllGlobals());

  it.each<{ name: string; call: (c: RefundsClient) => Promise<unknown>; want: { method: string; body?: unknown } }>([
    { name: "GET", call: get, want: { method: "GET" } },
    { name: "POST", call: create, want: { method: "POST", body: examples.patientRefundCreate } },
    { name: "PATCH", call: update, want: { method: "PATCH", body: {} } },
  ])("is called with the URL and an init, not a Request: $name", async ({ call, want }) => {
    const { client, calls, requests } = stubGlobalFetch([ok()]);
    await settle(call(client));
    expect(calls).toHaveLength(1);
    const [{ input, init } = { input: undefined, init: undefined }] = calls;
    expect(typeof input).toBe("string");
    expect(init?.method).toBe(want.method);
    expect(init?.signal).toBeInstanceOf(AbortSignal);
    expect(typeof init?.body === "string" ? JSON.parse(init.body) : init?.body).toEqual(want.body);
    expect(requests[0]?.headers.get("Authorization")).toBe("Bearer test-token");
  });

  it("sends the same body and token on every attempt", async () => {
    const { client, requests } = stubGlobalFetch([status(503), offline(), ok()]);
    const { value } = await settle(client.patientRefunds.create(examples.patientRefundCreate, { retry: true }));
    expect(value).toEqual(examples.patientRefund);
    expect(requests.map((r) => JSON.parse(r.body ?? ""))).toEqual(Array(3).fill(examples.patientRefundCreate));
    expect(requests.map((r) => r.headers.get("Authorization"))).toEqual(Array(3).fill("Bearer test-token"));
  });

  it("times out with a TimeoutError and aborts the fetch's signal", async () => {
    const { client, calls } = stubGlobalFetch([hangingFetch()]);
    const { error } = await settle(client.patientRefunds.get("r-1", { retry: false }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(calls[0]?.init?.signal?.aborted).toBe(true);
  });
});

describe("the request openapi-fetch builds", () => {
  const note = { refund_note: { type: "set", value: "set by a middleware" } };

  it("is sent with the body of a request a middleware returns in its place", async () => {
    const { client, requests } = clientWith([ok()]);
    client.use({ onRequest: ({ request }) => new Request(request, { body: JSON.stringify(note) }) });
    const { value } = await settle(update(client));
    expect(value).toEqual(examples.patientRefund);
    expect(requests[0]?.method).toBe("PATCH");
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual(note);
  });

  it("keeps its body for a middleware that reads a clone, and sends it", async () => {
    const seen: unknown[] = [];
    const { client, requests } = clientWith([ok()]);
    client.use({
      async onRequest({ request }) {
        seen.push(await request.clone().json());
      },
    });
    await settle(create(client));
    expect(seen).toEqual([examples.patientRefundCreate]);
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual(examples.patientRefundCreate);
  });

  it("is not sent once a middleware has read its body, as a fetch of it would not be", async () => {
    const { client, requests } = clientWith([ok()]);
    client.use({
      async onRequest({ request }) {
        await request.text();
      },
    });
    const { error } = await settle(create(client));
    expect(error).toBeInstanceOf(TypeError);
    expect(requests).toHaveLength(0);
  });
});

describe("paths", () => {
  const base = "https://api.test/api/patient-refunds/v1";
  it.each<{ name: string; pathname: string; params: Record<string, unknown> }>([
    { name: "one parameter", pathname: `${base}/{patient_refund_id}`, params: { patient_refund_id: "r-1" } },
    { name: "reserved characters", pathname: `${base}/{id}`, params: { id: "a/b c?d#é%" } },
    { name: "a number and a boolean", pathname: `${base}/{a}/x/{b}`, params: { a: 42, b: true } },
    { name: "no parameter", pathname: base, params: {} },
    { name: "a missing value", pathname: `${base}/{id}/{other}`, params: { id: "r-1" } },
    { name: "a null value", pathname: `${base}/{id}`, params: { id: null } },
    { name: "an array", pathname: `${base}/{ids}`, params: { ids: ["a", "b"] } },
    { name: "an object", pathname: `${base}/{o}`, params: { o: { a: "1", b: "2" } } },
    { name: "label style", pathname: `${base}/{.id}`, params: { id: "r-1" } },
    { name: "matrix style", pathname: `${base}/{;id}`, params: { id: "r-1" } },
    { name: "explode", pathname: `${base}/{ids*}`, params: { ids: ["a", "b"] } },
  ])("are built as openapi-fetch's default builds them: $name", ({ pathname, params }) => {
    const serialize = createPathSerializer();
    const want = defaultPathSerializer(pathname, params);
    expect(serialize(pathname, params)).toBe(want);
    // A second time, from the pieces kept for this path.
    expect(serialize(pathname, params)).toBe(want);
  });

  it("carry an id percent-encoded", async () => {
    const { client, requests } = clientWith([ok()]);
    await settle(client.patientRefunds.get("a/b c"));
    expect(requests[0]?.url.pathname).toBe("/api/patient-refunds/v1/a%2Fb%20c");
  });
});
