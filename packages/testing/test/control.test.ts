// The control surface, the same on the three doubles (the server, the mock, the MSW handlers): reset, the journal,
// and every kind of fault.
import { setupServer } from "msw/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DoubleControl } from "../src/control.js";
import { startMock, startServer } from "../src/index.js";
import { createRefundsHandlers } from "../src/msw.js";

const patient = "/api/patient-refunds/v1";
const seeded = "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10";
const newRefund = {
  amount_cents: 100,
  patient_external_id: "PAT-1",
  allocations: [{ amount_cents: 100, target: { type: "unattributed" } }],
};

/** A double as these tests use it: where it answers, and its control surface. */
type Double = DoubleControl & { url: string; stop(): Promise<void> };

/** The MSW handlers in this process (msw/node), at an origin of their own. */
function startHandlers(): Double {
  const url = "http://refunds.msw.test";
  const refunds = createRefundsHandlers({ baseUrl: url });
  const msw = setupServer(...refunds);
  msw.listen({ onUnhandledRequest: "bypass" });
  return { ...refunds, url, stop: async () => msw.close() };
}

const doubles: Record<string, Double> = {};
beforeAll(async () => {
  [doubles.server, doubles.mock] = await Promise.all([startServer(), startMock()]);
  doubles.msw = startHandlers();
}, 120_000);
afterAll(() => Promise.all(Object.values(doubles).map((d) => d.stop())));

describe.each(["server", "mock", "msw"])("the %s's control surface", (name) => {
  const double = () => doubles[name] as Double;
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${double().url}${path}`, {
      ...init,
      headers: { authorization: "Bearer test-token", "content-type": "application/json", ...init.headers },
    });
  beforeEach(() => double().reset());

  it("journals each request, oldest first, with what was sent and what was answered", async () => {
    await call(`${patient}?limit=2&sources=STRIPE&sources=SQUARE`);
    await call(patient, { method: "POST", body: JSON.stringify(newRefund) });
    await call(`${patient}/not-a-uuid`);
    await call("/api/nowhere");
    const entries = await double().requests();
    expect(entries.map((e) => [e.operationId, e.method, e.path, e.status, e.errorName])).toEqual([
      ["listPatientRefunds", "GET", patient, 200, undefined],
      ["createPatientRefund", "POST", patient, 200, undefined],
      ["getPatientRefund", "GET", `${patient}/not-a-uuid`, 404, "EntityNotFoundError"],
      [null, "GET", "/api/nowhere", 404, "NotFoundError"],
    ]);
    expect(entries[0]?.query).toEqual({ limit: "2", sources: ["STRIPE", "SQUARE"] });
    // As sent: the validator's defaults (raise_on_overdraft) are not in it.
    expect(entries[1]?.body).toEqual(newRefund);
    expect(entries[1]?.headers.authorization).toBe("Bearer test-token");
    expect(entries[0]?.body).toBeNull();
    for (const entry of entries) expect(entry.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await double().requests({ operationId: "createPatientRefund" })).toHaveLength(1);
  });

  it("answers an injected status the next `times` calls, in the envelope, with Retry-After and a request id", async () => {
    const fault = await double().inject({
      operationId: "listPatientRefunds",
      status: 429,
      retryAfterSeconds: 3,
      times: 2,
    });
    expect(fault).toEqual({ operationId: "listPatientRefunds", status: 429, retryAfterSeconds: 3, times: 2 });
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const response = await call(patient, { headers: { "x-request-id": `req-${i}` } });
      const body = (await response.json()) as { errorName?: string; content?: { request_id?: string } };
      answers.push([
        response.status,
        response.headers.get("retry-after"),
        response.headers.get("x-request-id"),
        body.errorName,
      ]);
      if (i === 0) expect(body.content?.request_id).toBe("req-0");
    }
    expect(answers).toEqual([
      [429, "3", "req-0", "TooManyRequestsError"],
      [429, "3", "req-1", "TooManyRequestsError"],
      [200, null, "req-2", undefined],
    ]);
    const journal = await double().requests();
    expect(journal[0]?.fault).toEqual({ operationId: "listPatientRefunds", status: 429, retryAfterSeconds: 3 });
    expect(journal[2]?.fault).toBeUndefined();
  });

  it.each([
    { status: 500, errorName: "InternalServerError" },
    { status: 502, errorName: "BadGatewayError" },
    { status: 503, errorName: "ServiceUnavailableError" },
    { status: 504, errorName: "GatewayTimeoutError" },
  ] as const)("answers an injected $status as $errorName, only on its operation", async ({ status, errorName }) => {
    await double().inject({ operationId: "getPatientRefund", status });
    expect((await call(patient)).status).toBe(200);
    const response = await call(`${patient}/${seeded}`);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(((await response.json()) as { errorName: string }).errorName).toBe(errorName);
    expect((await call(`${patient}/${seeded}`)).status).toBe(200);
  });

  it("applies the faults of one operation in the order they were injected; clearFaults drops the rest", async () => {
    await double().inject({ operationId: "listPatientRefunds", status: 503 });
    await double().inject({ operationId: "listPatientRefunds", status: 502 });
    await double().inject({ operationId: "listPatientRefunds", status: 500 });
    expect((await call(patient)).status).toBe(503);
    expect((await call(patient)).status).toBe(502);
    await double().clearFaults();
    expect((await call(patient)).status).toBe(200);
  });

  it("delays the normal answer by delayMs", async () => {
    await double().inject({ operationId: "getPatientRefund", delayMs: 400 });
    const started = performance.now();
    const response = await call(`${patient}/${seeded}`);
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
  });

  it("drops the connection without an answer", async () => {
    await double().inject({ operationId: "getPatientRefund", drop: true });
    await expect(call(`${patient}/${seeded}`)).rejects.toThrow(/fetch failed|Failed to fetch/);
    const [entry] = await double().requests();
    expect(entry).toMatchObject({ operationId: "getPatientRefund", status: null, fault: { drop: true } });
    expect((await call(`${patient}/${seeded}`)).status).toBe(200);
  });

  it("refuses a fault it cannot apply, naming each field", async () => {
    await expect(double().inject({ operationId: "nope", status: 418 as 500, times: 0 })).rejects.toThrow(
      /body.operationId: must be one of getToken, .*; body.status: must be one of 429, 500, 502, 503, 504; body.times: must be an integer of at least 1/,
    );
    await expect(double().inject({ operationId: "listPatientRefunds" })).rejects.toThrow(
      /body: give a status, drop: true or a delayMs/,
    );
  });

  it("reset clears the journal and the faults", async () => {
    await double().inject({ operationId: "listPatientRefunds", status: 503 });
    await call(`${patient}/${seeded}`);
    await double().reset();
    expect(await double().requests()).toEqual([]);
    expect((await call(patient)).status).toBe(200);
  });

  // The handlers have no control endpoints: their control surface is the returned object's methods.
  it.runIf(name !== "msw")("answers unknown control endpoints and methods in the envelope", async () => {
    const unknown = await fetch(`${double().url}/__control/nothing`);
    expect(unknown.status).toBe(404);
    const wrongMethod = await fetch(`${double().url}/__control/reset`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
  });
});

describe.each(["server", "msw"])("the %s's reset", (name) => {
  it("brings the store back to the seed, quickly", async () => {
    const double = doubles[name] as Double;
    const headers = { authorization: "Bearer test-token", "content-type": "application/json" };
    const created = await fetch(`${double.url}${patient}`, {
      method: "POST",
      headers,
      body: JSON.stringify(newRefund),
    });
    const { patient_refund_id: id } = (await created.json()) as { patient_refund_id: string };
    await fetch(`${double.url}${patient}/${seeded}`, { method: "DELETE", headers });
    expect((await fetch(`${double.url}${patient}/${seeded}`, { headers })).status).toBe(404);
    const started = performance.now();
    await double.reset();
    const ms = performance.now() - started;
    expect((await fetch(`${double.url}${patient}/${id}`, { headers })).status).toBe(404);
    expect((await fetch(`${double.url}${patient}/${seeded}`, { headers })).status).toBe(200);
    // 10 ms on a quiet machine; generous here for a busy one.
    expect(ms).toBeLessThan(250);
  });
});
