import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSeed } from "../../src/index.js";
import { type Harness, startHarness } from "../support/harness.js";

const base = "/api/non-insurance-payer-refunds/v1";
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const payers = Object.fromEntries((defaultSeed.non_insurance_payers ?? []).map((p) => [p.name, p]));
const northwind = payers["Northwind Research Foundation"];
const harbor = payers["Harbor Employers Health Trust"];
const lakeside = payers["Lakeside Community Charity"];
const unknownId = "0e1d2c3b-4a59-4867-9a5b-4c3d2e1f0a99";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ seed: defaultSeed });
});
afterAll(() => h?.close());

const create = (overrides: Record<string, unknown> = {}) =>
  h.request("POST", base, {
    body: {
      non_insurance_payer_id: northwind?.non_insurance_payer_id,
      amount_cents: 15000,
      allocations: [
        { amount_cents: 15000, target: { type: "claim_by_id", value: "7a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a40" } },
      ],
      ...overrides,
    },
  });

describe("createNonInsurancePayerRefund", () => {
  it.each([
    { name: "Northwind", payer: northwind },
    { name: "Harbor", payer: harbor },
  ])("embeds the whole payer ($name)", async ({ payer }) => {
    const reply = await create({
      non_insurance_payer_id: payer?.non_insurance_payer_id,
      refund_timestamp: "2024-03-04T16:00:00Z",
      refund_note: "Sponsor overpaid.",
      check_number: "100234",
      refund_reason: "OVERCHARGED",
      invoice_id: "c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e90",
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      non_insurance_payer_refund_id: expect.stringMatching(uuidPattern),
      non_insurance_payer: payer,
      amount_cents: 15000,
      allocations: [
        {
          amount_cents: 15000,
          target: {
            type: "claim",
            claim_id: "7a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a40",
            encounter_id: "8b2f3c4d-5e6f-4a71-9b8c-0d1e2f3a4b50",
          },
          allocation_id: expect.stringMatching(uuidPattern),
          allocated_on: h.clock.iso(),
        },
      ],
      refund_timestamp: "2024-03-04T16:00:00Z",
      refund_note: "Sponsor overpaid.",
      check_number: "100234",
      refund_reason: "OVERCHARGED",
      invoice_id: "c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e90",
    });
    expect((await h.request("GET", `${base}/${reply.body.non_insurance_payer_refund_id}`)).body).toEqual(reply.body);
  });

  it("accepts the live service's documentation example as is", async () => {
    // The request from the live service's docs, verbatim: its payer id is one of the seeded payers.
    const { default: body } = await import(
      "../../../../test/fixtures/seeds/create-non-insurance-payer-refund.request.json",
      {
        with: { type: "json" },
      }
    );
    const reply = await h.request("POST", base, { body });
    expect(reply.status).toBe(200);
    expect(reply.body.allocations.map((a: { target: { type: string } }) => a.target.type)).toEqual([
      "service_line",
      "service_line",
    ]);
  });

  it("answers 404 EntityNotFoundError with the payer id for an unknown payer", async () => {
    const reply = await create({ non_insurance_payer_id: unknownId });
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ errorName: "EntityNotFoundError", content: { id: unknownId } });
  });

  it("answers 422 for a disabled payer", async () => {
    const reply = await create({ non_insurance_payer_id: lakeside?.non_insurance_payer_id });
    expect(reply.status).toBe(422);
    expect(reply.body.errorName).toBe("UnprocessableEntityError");
    expect(reply.body.content.message).toMatch(/^body\.non_insurance_payer_id: payer .* is disabled/);
  });
});

describe("getNonInsurancePayerRefund", () => {
  it("returns a seeded refund as seeded", async () => {
    const seeded = defaultSeed.non_insurance_payer_refunds?.[0];
    const reply = await h.request("GET", `${base}/${seeded?.non_insurance_payer_refund_id}`);
    expect(reply.body).toEqual(seeded);
  });

  it.each([unknownId, "42"])("answers 404 with the id for %s", async (id) => {
    const reply = await h.request("GET", `${base}/${id}`);
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ errorName: "EntityNotFoundError", content: { id } });
  });
});

describe("updateNonInsurancePayerRefund", () => {
  const full = {
    refund_timestamp: "2024-03-04T16:00:00Z",
    refund_note: "old",
    check_number: "1001",
    refund_reason: "OVERCHARGED",
    invoice_id: "c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e90",
  };
  it.each([
    { given: {}, want: {} },
    {
      given: { refund_timestamp: "2024-04-01T00:00:00+02:00" },
      want: { refund_timestamp: "2024-04-01T00:00:00+02:00" },
    },
    { given: { refund_note: { type: "set", value: "new" } }, want: { refund_note: "new" } },
    { given: { refund_note: { type: "remove" } }, want: { refund_note: undefined } },
    {
      given: { refund_reason: { type: "set", value: "ENTERED_IN_ERROR" } },
      want: { refund_reason: "ENTERED_IN_ERROR" },
    },
    { given: { refund_reason: { type: "remove" } }, want: { refund_reason: undefined } },
    { given: { invoice_id: { type: "set", value: unknownId } }, want: { invoice_id: unknownId } },
    { given: { invoice_id: { type: "remove" } }, want: { invoice_id: undefined } },
  ])("applies $given and keeps every other field", async ({ given, want }) => {
    const before = (await create(full)).body;
    const reply = await h.request("PATCH", `${base}/${before.non_insurance_payer_refund_id}`, { body: given });
    expect(reply.status).toBe(200);
    const expected = { ...before, ...want };
    for (const [key, value] of Object.entries(expected)) if (value === undefined) delete expected[key];
    expect(reply.body).toEqual(expected);
    expect((await h.request("GET", `${base}/${before.non_insurance_payer_refund_id}`)).body).toEqual(expected);
  });

  it("answers 404 for an unknown refund", async () => {
    const reply = await h.request("PATCH", `${base}/${unknownId}`, { body: {} });
    expect(reply.body).toEqual({ errorName: "EntityNotFoundError", content: { id: unknownId } });
  });
});

describe("deleteNonInsurancePayerRefund", () => {
  it("answers 200 with an empty body, after which the refund is gone", async () => {
    const id = (await create()).body.non_insurance_payer_refund_id;
    const reply = await h.request("DELETE", `${base}/${id}`);
    expect([reply.status, reply.text]).toEqual([200, ""]);
    const again = await h.request("DELETE", `${base}/${id}`);
    expect(again.body).toEqual({ errorName: "EntityNotFoundError", content: { id } });
    expect((await h.request("GET", `${base}/${id}`)).status).toBe(404);
  });
});
