import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningMock, startMock } from "../src/index.js";

let mock: RunningMock;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock?.stop());

const auth = { authorization: "Bearer test" };
const json = { ...auth, "content-type": "application/json" };
const patient = "/api/patient-refunds/v1";

describe("the wire front before Prism", () => {
  it.each<{
    given: string;
    path: string;
    init?: RequestInit;
    want: { status: number; errorName?: string; content?: Record<string, unknown>; messageHas?: string[] };
  }>([
    {
      given: "no bearer token",
      path: patient,
      want: { status: 403, errorName: "UnauthorizedError" },
    },
    {
      given: "no bearer token on an operation without a declared 403",
      path: "/api/non-insurance-payer-refunds/v1",
      want: { status: 403, errorName: "UnauthorizedError" },
    },
    {
      given: "a limit over the bound",
      path: `${patient}?limit=5000`,
      init: { headers: auth },
      want: { status: 422, errorName: "UnprocessableEntityError", messageHas: ["query.limit"] },
    },
    {
      given: "a body with a wrong type and missing fields",
      path: patient,
      init: { method: "POST", headers: json, body: JSON.stringify({ amount_cents: "x" }) },
      want: {
        status: 422,
        errorName: "UnprocessableEntityError",
        messageHas: ["body.patient_external_id: is required", "body.allocations: is required", "body.amount_cents"],
      },
    },
    {
      given: "a malformed id",
      path: `${patient}/not-a-uuid`,
      init: { headers: auth },
      want: { status: 404, errorName: "EntityNotFoundError", content: { id: "not-a-uuid" } },
    },
    {
      given: "an unknown route",
      path: "/api/nothing-here/v1",
      init: { headers: auth },
      want: { status: 404, errorName: "NotFoundError" },
    },
    {
      given: "Prefer: code=404",
      path: `${patient}/5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10`,
      init: { headers: { ...auth, prefer: "code=404" } },
      want: { status: 404, errorName: "EntityNotFoundError", content: { id: "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10" } },
    },
  ])("answers $given in the API's envelope", async ({ path, init, want }) => {
    const response = await fetch(`${mock.url}${path}`, init);
    expect(response.status).toBe(want.status);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await response.json()) as { errorName: string; content: { message?: string } };
    expect(body.errorName).toBe(want.errorName);
    if (want.content) expect(body.content).toEqual(want.content);
    for (const part of want.messageHas ?? []) expect(body.content.message).toContain(part);
  });

  it("ends pagination: the first page links onward, a page fetched by token is the last", async () => {
    const first = (await (await fetch(`${mock.url}${patient}`, { headers: auth })).json()) as Record<string, unknown>;
    expect(first.next_page_token).toEqual(expect.any(String));
    const next = await fetch(`${mock.url}${patient}?page_token=${first.next_page_token}`, { headers: auth });
    const second = (await next.json()) as Record<string, unknown>;
    expect(next.status).toBe(200);
    expect(second.items).toEqual(first.items);
    expect(second).not.toHaveProperty("next_page_token");
  });

  it("passes valid requests through unchanged", async () => {
    const [front, raw] = await Promise.all([
      fetch(`${mock.url}${patient}/5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10`, { headers: auth }),
      startMock({ wire: false }).then(async (prism) => {
        try {
          const r = await fetch(`${prism.url}${patient}/5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10`, { headers: auth });
          return { status: r.status, body: await r.json() };
        } finally {
          await prism.stop();
        }
      }),
    ]);
    expect(front.status).toBe(200);
    expect({ status: front.status, body: await front.json() }).toEqual(raw);
  });
});

describe("Prefer, checked against the operation", () => {
  it.each<{
    given: string;
    prefer: string;
    path?: string;
    want: { status: number; errorName?: string; messageHas?: string };
  }>([
    {
      given: "an example the operation does not have",
      prefer: "example=Nope",
      want: { status: 400, errorName: "BadRequestError", messageHas: "there are PatientRefundsPage (200)" },
    },
    {
      given: "an example of an error answer, without its code",
      prefer: "example=UnprocessableEntityError",
      want: { status: 422, errorName: "UnprocessableEntityError" },
    },
    {
      given: "an example under another code",
      prefer: "code=200, example=UnprocessableEntityError",
      want: { status: 400, errorName: "BadRequestError", messageHas: "the 200 answer of listPatientRefunds" },
    },
    {
      given: "a named success variant",
      prefer: "example=PatientRefundsEmptyPage",
      want: { status: 200 },
    },
    {
      given: "a named error variant",
      prefer: "example=UnauthorizedErrorExpired",
      want: { status: 403, errorName: "UnauthorizedError", messageHas: "has expired" },
    },
    {
      given: "a retryable status the spec does not declare",
      prefer: "code=503",
      want: { status: 503, errorName: "ServiceUnavailableError" },
    },
    {
      given: "another status the spec does not declare",
      prefer: "code=418",
      want: { status: 400, errorName: "BadRequestError", messageHas: "declares 200, 403, 422" },
    },
  ])("$given", async ({ prefer, path, want }) => {
    const response = await fetch(`${mock.url}${path ?? patient}`, { headers: { ...auth, prefer } });
    expect(response.status).toBe(want.status);
    expect(response.headers.get("x-request-id")).toEqual(expect.any(String));
    const body = (await response.json()) as { errorName: string; content: { message?: string } };
    expect(body.errorName).toBe(want.errorName);
    if (want.messageHas) expect(body.content.message).toContain(want.messageHas);
  });
});
