// One wording: the mock refuses an invalid request with the same status and body as the server, because its wire
// front runs the server's own validation and error words before Prism sees the request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningMock, type RunningServer, startMock, startServer } from "../src/index.js";

let server: RunningServer;
let mock: RunningMock;
beforeAll(async () => {
  [server, mock] = await Promise.all([startServer(), startMock()]);
}, 120_000);
afterAll(() => Promise.all([server?.stop(), mock?.stop()]));

const patient = "/api/patient-refunds/v1";
const payer = "/api/non-insurance-payer-refunds/v1";
const seeded = "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10";
const allocation = { amount_cents: 100, target: { type: "unattributed" } };
const validCreate = { amount_cents: 100, patient_external_id: "PAT-1", allocations: [allocation] };

const cases: { name: string; method?: string; path: string; body?: unknown; token?: string | null; status: number }[] =
  [
    { name: "a limit over the bound", path: `${patient}?limit=5000`, status: 422 },
    { name: "a limit of 0", path: `${patient}?limit=0`, status: 422 },
    { name: "an unknown source", path: `${patient}?sources=STRIPE&sources=CASH`, status: 422 },
    { name: "an unknown sort", path: `${patient}?sort=nope&sort_direction=up`, status: 422 },
    { name: "an unknown query parameter", path: `${patient}?colour=red`, status: 422 },
    { name: "a boolean that is not", path: `${patient}?unattributed=maybe`, status: 422 },
    { name: "a create with nothing", method: "POST", path: patient, body: {}, status: 422 },
    {
      name: "a bad allocation target",
      method: "POST",
      path: patient,
      body: { ...validCreate, allocations: [{ amount_cents: 1, target: { type: "claim_by_id", value: "nope" } }] },
      status: 422,
    },
    {
      name: "an unknown target type",
      method: "POST",
      path: patient,
      body: { ...validCreate, allocations: [{ amount_cents: 1, target: { type: "somewhere" } }] },
      status: 422,
    },
    {
      name: "wrong types and an unknown field",
      method: "POST",
      path: patient,
      body: { ...validCreate, amount_cents: "12", refund_reason: "BORED", colour: "red" },
      status: 422,
    },
    { name: "a body that is not an object", method: "POST", path: patient, body: "refund", status: 422 },
    {
      name: "an update of the wrong shape",
      method: "PATCH",
      path: `${patient}/${seeded}`,
      body: { refund_note: "plain", refund_timestamp: "yesterday" },
      status: 422,
    },
    {
      name: "a payer refund without its payer",
      method: "POST",
      path: payer,
      body: { amount_cents: 1, allocations: [allocation] },
      status: 422,
    },
    { name: "a payer list with a bad limit", path: `${payer}?limit=-1`, status: 422 },
    {
      name: "a token request without a secret",
      method: "POST",
      path: "/api/auth/v2/token",
      body: { client_id: "x" },
      token: null,
      status: 422,
    },
    { name: "a malformed id", path: `${patient}/not-a-uuid`, status: 404 },
    { name: "a malformed id on delete", method: "DELETE", path: `${payer}/12`, status: 404 },
    { name: "no bearer token", path: patient, token: null, status: 403 },
    { name: "an unknown route", path: "/api/nothing/v1", status: 404 },
    { name: "a method the path does not have", method: "PUT", path: patient, body: validCreate, status: 405 },
  ];

async function answer(url: string, c: (typeof cases)[number]) {
  const token = c.token === undefined ? "test-token" : c.token;
  const response = await fetch(`${url}${c.path}`, {
    method: c.method ?? "GET",
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(c.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: c.body === undefined ? undefined : JSON.stringify(c.body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe("mock and server answer an invalid request with the same body", () => {
  it.each(cases)("$name", async (c) => {
    const [fromServer, fromMock] = await Promise.all([answer(server.url, c), answer(mock.url, c)]);
    expect(fromServer.status).toBe(c.status);
    expect(fromMock).toEqual(fromServer);
  });

  it("the bad allocation target is named once, in plain words", async () => {
    const c = cases.find((x) => x.name === "a bad allocation target") as (typeof cases)[number];
    expect((await answer(mock.url, c)).body).toEqual({
      errorName: "UnprocessableEntityError",
      content: { message: "body.allocations[0].target.value: must be a UUID" },
    });
  });
});
