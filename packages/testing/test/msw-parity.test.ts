// The MSW handlers answer as the server does: the same requests, in the same order, against `startServer()` and
// against `createRefundsHandlers()` (msw/node), give the same status, `Allow`/`Retry-After` headers and body, with
// generated ids, tokens and request ids set aside. Both start from the default seed, so state evolves alike.
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRefundsHandlers } from "../src/msw.js";
import { type RunningServer, startServer } from "../src/server.js";

const mswBase = "http://refunds.msw.test";
const token = "test-token";
const patient = "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10";
const payerRefund = "f6a7b8c9-d0e1-4f2a-9b3c-5d6e7f8a9bc0";
const missing = "0e0e0e0e-0e0e-4e0e-8e0e-0e0e0e0e0e0e";
const patients = "/api/patient-refunds/v1";
const payers = "/api/non-insurance-payer-refunds/v1";

const patientCreate = {
  amount_cents: 2500,
  patient_external_id: "PAT-00042",
  refund_timestamp: "2024-01-15T09:30:00Z",
  refund_note: "Copay charged twice at check-in.",
  allocations: [
    {
      amount_cents: 2500,
      target: { type: "service_line_by_id", value: "9c3a4d5e-6f70-4b82-8c9d-1e2f3a4b5c60" },
      earmark: { type: "date_of_service", value: "2024-01-10" },
    },
  ],
  invoice: "c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e90",
  refund_reason: "OVERCHARGED",
  raise_on_overdraft: true,
};
const payerCreate = {
  non_insurance_payer_id: "d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7fa0",
  amount_cents: 15000,
  allocations: [
    { amount_cents: 15000, target: { type: "claim_by_id", value: "7a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a40" } },
  ],
  invoice_id: "c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e90",
  refund_timestamp: "2024-03-04T16:00:00Z",
  check_number: "100234",
  refund_reason: "OVERCHARGED",
};

interface Case {
  name: string;
  method: string;
  path: string;
  /** An object is sent as JSON; a string as it is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** `null` sends no Authorization header. */
  auth?: string | null;
}

const json = { "content-type": "application/json" };

const cases: Case[] = [
  // Reads and paging.
  { name: "list patient refunds", method: "GET", path: `${patients}?limit=2` },
  {
    name: "list with every filter",
    method: "GET",
    path: `${patients}?patient_external_id=PAT-00042&sources=STRIPE&sources=CASH&sort=amount_cents&direction=desc`,
  },
  { name: "list payer refunds", method: "GET", path: payers },
  { name: "get a patient refund", method: "GET", path: `${patients}/${patient}` },
  { name: "get by an upper-case id", method: "GET", path: `${patients}/${patient.toUpperCase()}` },
  { name: "get a payer refund", method: "GET", path: `${payers}/${payerRefund}` },
  { name: "HEAD of a get", method: "HEAD", path: `${patients}/${patient}` },
  { name: "OPTIONS of a known path", method: "OPTIONS", path: patients, auth: null },
  // Writes.
  { name: "create a patient refund", method: "POST", path: patients, body: patientCreate },
  { name: "create a payer refund", method: "POST", path: payers, body: payerCreate },
  {
    name: "update a patient refund",
    method: "PATCH",
    path: `${patients}/${patient}`,
    body: { refund_note: "Corrected." },
  },
  { name: "update a payer refund", method: "PATCH", path: `${payers}/${payerRefund}`, body: { check_number: "9" } },
  { name: "delete a patient refund", method: "DELETE", path: `${patients}/${patient}` },
  { name: "get it after the delete", method: "GET", path: `${patients}/${patient}` },
  // Tokens.
  {
    name: "token for good credentials",
    method: "POST",
    path: "/api/auth/v2/token",
    auth: null,
    body: { client_id: "dev-client", client_secret: "dev-secret" },
  },
  {
    name: "token, form-encoded",
    method: "POST",
    path: "/api/auth/v2/token",
    auth: null,
    body: "client_id=dev-client&client_secret=dev-secret&grant_type=client_credentials",
    headers: { "content-type": "application/x-www-form-urlencoded" },
  },
  {
    name: "token for wrong credentials",
    method: "POST",
    path: "/api/auth/v2/token",
    auth: null,
    body: { client_id: "dev-client", client_secret: "wrong" },
  },
  {
    name: "token without a secret",
    method: "POST",
    path: "/api/auth/v2/token",
    auth: null,
    body: { client_id: "dev-client" },
  },
  { name: "no token", method: "GET", path: patients, auth: null },
  { name: "a forged token", method: "GET", path: patients, auth: "not-a-token" },
  { name: "no token, with a broken body", method: "POST", path: patients, auth: null, body: "{bad" },
  // Routes and methods.
  { name: "an unknown route", method: "GET", path: "/api/nothing-here" },
  { name: "a method the path lacks", method: "PUT", path: patients, body: {} },
  { name: "a malformed id", method: "GET", path: `${patients}/not-a-uuid` },
  { name: "an id that names nothing", method: "GET", path: `${patients}/${missing}` },
  { name: "an update of nothing", method: "PATCH", path: `${payers}/${missing}`, body: { refund_note: "x" } },
  // Query parameters.
  { name: "an unknown query parameter", method: "GET", path: `${patients}?colour=blue` },
  { name: "a hex limit", method: "GET", path: `${patients}?limit=0x10` },
  { name: "a limit that is no number", method: "GET", path: `${patients}?limit=ten` },
  { name: "a limit too large", method: "GET", path: `${patients}?limit=100000` },
  { name: "a limit of zero", method: "GET", path: `${patients}?limit=0` },
  { name: "an unknown sort", method: "GET", path: `${patients}?sort=colour` },
  { name: "an unknown source", method: "GET", path: `${patients}?sources=GOLD` },
  { name: "a claim id that is no UUID", method: "GET", path: `${patients}?claim_id=12` },
  { name: "a forged page token", method: "GET", path: `${patients}?page_token=abc` },
  { name: "an empty query value", method: "GET", path: `${patients}?patient_external_id=` },
  { name: "an unknown parameter where no 422 is declared", method: "GET", path: `${payers}/${payerRefund}?x=1` },
  {
    name: "too many query parameters",
    method: "GET",
    path: `${patients}?${Array.from({ length: 1001 }, () => "sources=CASH").join("&")}`,
  },
  // Bodies.
  { name: "a body that is not JSON", method: "POST", path: patients, body: "{bad" },
  { name: "a body of the wrong type", method: "POST", path: patients, body: '"refund"', headers: json },
  { name: "a text body", method: "POST", path: patients, body: "hello", headers: { "content-type": "text/plain" } },
  {
    name: "a Latin-1 body",
    method: "POST",
    path: patients,
    body: "{}",
    headers: { "content-type": "application/json; charset=latin1" },
  },
  { name: "an empty create", method: "POST", path: patients, body: {} },
  { name: "an empty PATCH", method: "PATCH", path: `${payers}/${payerRefund}`, body: "", headers: json },
  { name: "an unknown field", method: "POST", path: patients, body: { ...patientCreate, colour: "blue" } },
  { name: "a field of the wrong type", method: "POST", path: patients, body: { ...patientCreate, amount_cents: "25" } },
  { name: "a negative amount", method: "POST", path: patients, body: { ...patientCreate, amount_cents: -1 } },
  {
    name: "an unknown refund reason",
    method: "POST",
    path: patients,
    body: { ...patientCreate, refund_reason: "BORED" },
  },
  {
    name: "a bad timestamp",
    method: "POST",
    path: patients,
    body: { ...patientCreate, refund_timestamp: "yesterday" },
  },
  {
    name: "a bad allocation target",
    method: "POST",
    path: patients,
    body: { ...patientCreate, allocations: [{ amount_cents: 1, target: { type: "planet", value: "x" } }] },
  },
  {
    name: "an allocation without a tag",
    method: "POST",
    path: patients,
    body: { ...patientCreate, allocations: [{ amount_cents: 1, target: { value: "x" } }] },
  },
  { name: "a read-only field", method: "POST", path: patients, body: { ...patientCreate, patient_refund_id: missing } },
  {
    name: "too many allocations",
    method: "POST",
    path: patients,
    body: { ...patientCreate, allocations: Array.from({ length: 101 }, () => patientCreate.allocations[0]) },
  },
  {
    name: "an unpaired surrogate",
    method: "POST",
    path: patients,
    body: `{"amount_cents":1,"patient_external_id":"X\\ud800","refund_timestamp":"2024-01-15T09:30:00Z","allocations":[],"refund_reason":"OVERCHARGED"}`,
    headers: json,
  },
  {
    name: "an overdraft",
    method: "POST",
    path: patients,
    body: {
      ...patientCreate,
      amount_cents: 99999999,
      allocations: [{ ...patientCreate.allocations[0], amount_cents: 99999999 }],
    },
  },
  { name: "an unknown payer", method: "POST", path: payers, body: { ...payerCreate, non_insurance_payer_id: missing } },
  {
    name: "an update with an unknown field",
    method: "PATCH",
    path: `${payers}/${payerRefund}`,
    body: { amount_cents: 1 },
  },
];

/** Sends `c` to `base` the way a client would. */
async function send(
  base: string,
  c: Case,
): Promise<{ status: number; allow: string | null; retryAfter: string | null; body: string }> {
  const headers: Record<string, string> = { ...(c.headers ?? {}) };
  if (c.auth !== null) headers.authorization = `Bearer ${c.auth ?? token}`;
  let body: string | undefined;
  if (typeof c.body === "string") body = c.body;
  else if (c.body !== undefined) {
    body = JSON.stringify(c.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(`${base}${c.path}`, { method: c.method, headers, body });
  return {
    status: response.status,
    allow: response.headers.get("allow"),
    retryAfter: response.headers.get("retry-after"),
    body: await response.text(),
  };
}

const seedIds = new Set([patient, payerRefund, missing]);
const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The body with what differs by nature between two runs (new ids, tokens, request ids) set aside. */
function comparable(body: string): unknown {
  if (body === "") return "";
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return body;
  }
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) => {
      if (typeof v !== "string") return v;
      if (/_page_token$|^access_token$|^request_id$/.test(key)) return `<${key}>`;
      return v.replace(uuid, (id) => (seedIds.has(id.toLowerCase()) ? id : "<new id>"));
    }),
  );
}

describe("the MSW handlers answer as startServer() does", () => {
  let server: RunningServer;
  // One clock for both, so timestamps agree.
  const now = () => Date.parse("2026-01-02T03:04:05.678Z");
  const refunds = createRefundsHandlers({ baseUrl: mswBase, token, now });
  const msw = setupServer(...refunds);

  beforeAll(async () => {
    server = await startServer({ token, now });
    msw.listen({ onUnhandledRequest: "bypass" });
  });
  afterAll(async () => {
    msw.close();
    await server?.stop();
  });

  it.each(cases)("$name", async (c) => {
    const fromServer = await send(server.url, c);
    const fromHandlers = await send(mswBase, c);
    expect({ ...fromHandlers, body: comparable(fromHandlers.body) }).toEqual({
      ...fromServer,
      body: comparable(fromServer.body),
    });
  });
});
