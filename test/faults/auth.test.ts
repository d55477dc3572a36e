// Auth on every operation: without a token, or with a bad one, each of the ten refund operations answers 403
// UnauthorizedError in the envelope (and never does the work); and no token or secret ever reaches the log.
import { Writable } from "node:stream";
import { createMemoryStore, defaultSeed, type StartedServer, startServer, TokenAuthority } from "@refunds-api/server";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractProblems, fuzzOperations } from "../fuzz/contract.js";
import { rawRequest } from "./support.js";

const staticToken = "static-token-5d1e9a7c3b";
const clientId = "auth-client";
const clientSecret = "auth-secret-0f6b2c8e41";
const operations = fuzzOperations().filter((op) => op.secured);

// A request each operation would carry out with a good token: seeded ids and valid bodies.
const requests: Record<string, { path: string; body?: unknown }> = {
  listPatientRefunds: { path: "/api/patient-refunds/v1" },
  createPatientRefund: {
    path: "/api/patient-refunds/v1",
    body: { amount_cents: 1, patient_external_id: "PAT-AUTH", allocations: [] },
  },
  getPatientRefund: { path: "/api/patient-refunds/v1/5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10" },
  updatePatientRefund: {
    path: "/api/patient-refunds/v1/3e8d1c2b-7a6f-4e5d-9c4b-1a2f3e4d5c60",
    body: { refund_note: { type: "set", value: "changed" } },
  },
  deletePatientRefund: { path: "/api/patient-refunds/v1/d5e9c84f-c2b2-4bf4-b4b0-7ffd7a9ffc32" },
  listNonInsurancePayerRefunds: { path: "/api/non-insurance-payer-refunds/v1" },
  createNonInsurancePayerRefund: {
    path: "/api/non-insurance-payer-refunds/v1",
    body: { non_insurance_payer_id: "d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7fa0", amount_cents: 1, allocations: [] },
  },
  getNonInsurancePayerRefund: { path: "/api/non-insurance-payer-refunds/v1/f6a7b8c9-d0e1-4f2a-9b3c-5d6e7f8a9bc0" },
  updateNonInsurancePayerRefund: {
    path: "/api/non-insurance-payer-refunds/v1/f6a7b8c9-d0e1-4f2a-9b3c-5d6e7f8a9bc0",
    body: { refund_note: { type: "set", value: "changed" } },
  },
  deleteNonInsurancePayerRefund: { path: "/api/non-insurance-payer-refunds/v1/f6a7b8c9-d0e1-4f2a-9b3c-5d6e7f8a9bc0" },
};

// A refund whose read fails in the store, to put a 500 (logged with its stack) among the requests.
const failingId = "0badc0de-0000-4000-8000-000000000500";
function storeFailingOn(id: string) {
  const store = createMemoryStore();
  const get = store.patientRefunds.get.bind(store.patientRefunds);
  store.patientRefunds.get = async (wanted) => {
    if (wanted === id) throw new Error("the store failed");
    return get(wanted);
  };
  return store;
}

let clock = Date.parse("2025-06-01T00:00:00Z");
let server: StartedServer;
const logs: string[] = [];
let issued: string;
let expired: string;
let foreign: string;

beforeAll(async () => {
  server = await startServer({
    seed: defaultSeed,
    store: storeFailingOn(failingId),
    staticTokens: [staticToken],
    clientId,
    clientSecret,
    tokenTtlSeconds: 60,
    now: () => clock,
    // Everything, down to trace: no level may let a token through.
    logger: pino(
      { level: "trace" },
      new Writable({
        write(chunk, _encoding, done) {
          logs.push(String(chunk));
          done();
        },
      }),
    ),
  });
  const exchange = (secret: string) =>
    rawRequest(server.url, {
      method: "POST",
      path: "/api/auth/v2/token",
      headers: { "content-type": "application/json", authorization: null },
      body: JSON.stringify({ client_id: clientId, client_secret: secret }),
    });
  expired = (await exchange(clientSecret)).json.access_token;
  clock += 61_000;
  issued = (await exchange(clientSecret)).json.access_token;
  expect((await exchange("wrong-secret-3e9a")).status).toBe(403);
  foreign = new TokenAuthority({ clientId, clientSecret: "another-secret" }).issue(clientId, "another-secret")
    ?.access_token as string;
});
afterAll(() => server?.stop());

const tamper = (token: string) => `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`;
const credentials: { name: string; authorization: () => string | null }[] = [
  { name: "no Authorization header", authorization: () => null },
  { name: "an unknown bearer token", authorization: () => "Bearer 3f1c0de9-not-a-token" },
  { name: "Bearer and no token", authorization: () => "Bearer " },
  {
    name: "another scheme",
    authorization: () => `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
  },
  { name: "the token without a scheme", authorization: () => staticToken },
  { name: "a static token with a character changed", authorization: () => `Bearer ${staticToken.slice(0, -1)}X` },
  { name: "an issued token with its signature changed", authorization: () => `Bearer ${tamper(issued)}` },
  { name: "an expired token", authorization: () => `Bearer ${expired}` },
  { name: "a token signed with another secret", authorization: () => `Bearer ${foreign}` },
  { name: "a token of 10,000 characters", authorization: () => `Bearer ${"a".repeat(10_000)}` },
];

const send = (operationId: string, authorization: string | null) => {
  const op = operations.find((o) => o.operationId === operationId);
  const request = requests[operationId];
  if (!op || !request) throw new Error(`no request for ${operationId}`);
  return rawRequest(server.url, {
    method: op.method,
    path: request.path,
    headers: { authorization, ...(request.body ? { "content-type": "application/json" } : {}) },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
};

describe("auth on every operation", () => {
  it("covers the ten refund operations", () => {
    expect(operations.map((o) => o.operationId).sort()).toEqual(Object.keys(requests).sort());
  });

  const table = operations.flatMap((op) => credentials.map((c) => ({ op: op.operationId, ...c })));
  it.each(table)("$op with $name: 403 UnauthorizedError, nothing done", async ({ op, authorization }) => {
    const reply = await send(op, authorization());
    expect(reply.status, reply.text).toBe(403);
    expect(reply.json).toEqual({ errorName: "UnauthorizedError", content: { message: expect.any(String) } });
    const operation = operations.find((o) => o.operationId === op);
    if (operation)
      expect(contractProblems(operation, { ...reply, contentType: String(reply.headers["content-type"]) })).toEqual([]);
  });

  it("left every refund as it was", async () => {
    const patients = await send("listPatientRefunds", `Bearer ${staticToken}`);
    expect(patients.json.items.map((r: { patient_refund_id: string }) => r.patient_refund_id).sort()).toEqual(
      (defaultSeed.patient_refunds ?? []).map((r) => r.patient_refund_id).sort(),
    );
    expect(patients.json.items.map((r: { refund_note?: string }) => r.refund_note)).not.toContain("changed");
    const payers = await send("listNonInsurancePayerRefunds", `Bearer ${staticToken}`);
    expect(payers.json.items).toEqual(defaultSeed.non_insurance_payer_refunds);
  });

  it.each(
    operations.flatMap((op) => [
      { op: op.operationId, kind: "the static token", token: (): string => staticToken },
      { op: op.operationId, kind: "an issued token", token: (): string => issued },
    ]),
  )("$op with $kind is let through", async ({ op, kind, token }) => {
    const reply = await send(op, `Bearer ${token()}`);
    // The second delete of the same refund finds it gone: past auth all the same.
    const again = op.startsWith("delete") && kind === "an issued token";
    expect(reply.status, reply.text).toBe(again ? 404 : 200);
  });
});

describe("the log", () => {
  it("never holds a token or a secret, at any level, a failure's stack included", async () => {
    for (const token of [staticToken, issued]) {
      const failed = await rawRequest(server.url, {
        path: `/api/patient-refunds/v1/${failingId}`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(failed.json.errorName).toBe("InternalServerError");
    }
    expect(logs.some((l) => l.includes("the store failed"))).toBe(true);
    expect(logs.length).toBeGreaterThan(100);
    const text = logs.join("");
    for (const secret of [staticToken, clientSecret, issued, expired, foreign, tamper(issued)]) {
      expect(text).not.toContain(secret);
    }
    // Nor the parts of a token one might log by themselves, such as its signature.
    expect(text).not.toContain(issued.split(".")[2]);
    expect(text).not.toMatch(/authorization|bearer /i);
  });

  it("still names each request, so the log is not empty of what matters", () => {
    const lines = logs.map((l) => JSON.parse(l));
    const requests = lines.filter((l) => l.req?.url);
    expect(requests.length).toBeGreaterThan(100);
    expect(requests.some((l) => l.res?.statusCode === 403)).toBe(true);
  });
});
