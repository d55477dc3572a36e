import { readFileSync } from "node:fs";
import { derivedId } from "@refunds-api/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultOrganizationId, defaultSeed } from "../../src/index.js";
import { type Harness, startHarness } from "../support/harness.js";

const base = "/api/patient-refunds/v1";
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const serviceLine = "9c3a4d5e-6f70-4b82-8c9d-1e2f3a4b5c60";
const claim = "7a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a40";
const encounter = "8b2f3c4d-5e6f-4a71-9b8c-0d1e2f3a4b50";
const unknownId = "0e1d2c3b-4a59-4867-9a5b-4c3d2e1f0a99";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ seed: defaultSeed });
});
afterAll(() => h?.close());

const create = (overrides: Record<string, unknown> = {}) =>
  h.request("POST", base, {
    body: {
      amount_cents: 500,
      patient_external_id: "PAT-7",
      allocations: [{ amount_cents: 500, target: { type: "unattributed" } }],
      ...overrides,
    },
  });

describe("createPatientRefund", () => {
  it("records a refund made through the API, with server-assigned ids and times", async () => {
    const reply = await create({
      refund_timestamp: "2024-01-15T09:30:00Z",
      refund_note: "Copay charged twice.",
      invoice: "c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e90",
      refund_reason: "OVERCHARGED",
      allocations: [
        {
          amount_cents: 500,
          target: { type: "service_line_by_id", value: serviceLine },
          earmark: { type: "date_of_service", value: "2024-01-10" },
        },
      ],
    });
    expect(reply.status).toBe(200);
    const refund = reply.body;
    const allocation = refund.allocations[0];
    expect(refund).toEqual({
      patient_refund_id: expect.stringMatching(uuidPattern),
      organization_id: defaultOrganizationId,
      refund_source: "MANUAL_ENTRY",
      amount_cents: 500,
      patient_external_id: "PAT-7",
      allocations: [
        {
          amount_cents: 500,
          target: { type: "service_line", claim_id: claim, encounter_id: encounter, service_line_id: serviceLine },
          allocation_id: expect.stringMatching(uuidPattern),
          earmark: {
            id: expect.stringMatching(uuidPattern),
            target: { type: "date_of_service", value: "2024-01-10" },
            amount_earmarked_cents: 500,
            created_by_allocation_id: allocation.allocation_id,
          },
          allocated_on: h.clock.iso(),
        },
      ],
      refund_timestamp: "2024-01-15T09:30:00Z",
      refund_note: "Copay charged twice.",
      invoice: "c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e90",
      refund_reason: "OVERCHARGED",
    });
    expect((await h.request("GET", `${base}/${refund.patient_refund_id}`)).body).toEqual(refund);
  });

  it("orders fields as the live service does", async () => {
    // The documentation sample of the live service lists every field; ours must be a subsequence of its order.
    const sample = JSON.parse(
      readFileSync(
        new URL("../../../../test/fixtures/seeds/update-patient-refund.response.json", import.meta.url),
        "utf8",
      ),
    );
    const refund = (
      await create({
        refund_timestamp: "2024-01-15T09:30:00Z",
        refund_note: "n",
        invoice: unknownId,
        refund_reason: "TRANSFER",
        allocations: [
          {
            amount_cents: 500,
            target: { type: "service_line_by_id", value: serviceLine },
            earmark: { type: "date_of_service", value: "2024-01-10" },
          },
        ],
      })
    ).body;
    const order = (ours: object, theirs: object) =>
      expect(Object.keys(ours)).toEqual(Object.keys(theirs).filter((k) => k in ours));
    order(refund, sample);
    order(refund.allocations[0], sample.allocations[0]);
    order(refund.allocations[0].target, sample.allocations[0].target);
    order(refund.allocations[0].earmark, sample.allocations[0].earmark);
  });

  // The create-target → response-target mapping. Known claims and service lines come from the seed; unknown ones
  // get ids derived from the given id, the same every time.
  it.each([
    {
      given: { type: "service_line_by_id", value: serviceLine },
      want: { type: "service_line", claim_id: claim, encounter_id: encounter, service_line_id: serviceLine },
    },
    {
      given: { type: "service_line_by_id", value: unknownId },
      want: {
        type: "service_line",
        claim_id: derivedId(`claim-of-service-line:${unknownId}`),
        encounter_id: derivedId(`encounter-of-claim:${derivedId(`claim-of-service-line:${unknownId}`)}`),
        service_line_id: unknownId,
      },
    },
    { given: { type: "claim_by_id", value: claim }, want: { type: "claim", claim_id: claim, encounter_id: encounter } },
    {
      given: { type: "claim_by_id", value: unknownId },
      want: { type: "claim", claim_id: unknownId, encounter_id: derivedId(`encounter-of-claim:${unknownId}`) },
    },
    {
      given: { type: "claim_by_encounter_external_id", value: "ENC-00042" },
      want: { type: "claim", claim_id: claim, encounter_id: encounter },
    },
    {
      given: { type: "claim_by_encounter_external_id", value: "ENC-NEW" },
      want: {
        type: "claim",
        claim_id: derivedId("claim-of-encounter:ENC-NEW"),
        encounter_id: derivedId(`encounter-of-claim:${derivedId("claim-of-encounter:ENC-NEW")}`),
      },
    },
    {
      given: { type: "billing_provider_by_id", value: unknownId },
      want: { type: "billing_provider_id", billing_provider_id: unknownId },
    },
    {
      given: {
        type: "appointment_by_id_and_patient_external_id",
        appointment_id: unknownId,
        patient_external_id: "PAT-7",
      },
      want: { type: "appointment", appointment_id: unknownId, patient_external_id: "PAT-7" },
    },
    { given: { type: "unattributed" }, want: { type: "unattributed" } },
  ])("resolves target $given.type ($given.value) to $want.type", async ({ given, want }) => {
    const reply = await create({ allocations: [{ amount_cents: 1, target: given }] });
    expect(reply.status).toBe(200);
    expect(reply.body.allocations[0].target).toEqual(want);
    expect(Object.keys(reply.body.allocations[0].target)).toEqual(Object.keys(want));
  });

  it("resolves an unknown claim to the same encounter every time", async () => {
    const target = { type: "claim_by_id", value: unknownId };
    const [a, b] = await Promise.all([
      create({ allocations: [{ amount_cents: 1, target }] }),
      create({ allocations: [{ amount_cents: 1, target }] }),
    ]);
    expect(a.body.allocations[0].target).toEqual(b.body.allocations[0].target);
    expect(a.body.patient_refund_id).not.toBe(b.body.patient_refund_id);
  });

  it("accepts a refund without allocations and leaves absent fields out", async () => {
    const reply = await create({ allocations: [] });
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body)).toEqual([
      "patient_refund_id",
      "organization_id",
      "refund_source",
      "amount_cents",
      "patient_external_id",
      "allocations",
    ]);
  });
});

describe("getPatientRefund", () => {
  it("returns a seeded refund as seeded", async () => {
    const seeded = defaultSeed.patient_refunds?.[0];
    const reply = await h.request("GET", `${base}/${seeded?.patient_refund_id}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(seeded);
  });

  it.each([
    { given: unknownId, want: unknownId },
    // A malformed id names no refund either.
    { given: "not-a-uuid", want: "not-a-uuid" },
  ])("answers 404 EntityNotFoundError with the id for $given", async ({ given, want }) => {
    const reply = await h.request("GET", `${base}/${given}`);
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ errorName: "EntityNotFoundError", content: { id: want } });
  });
});

describe("updatePatientRefund", () => {
  const full = {
    refund_timestamp: "2024-01-15T09:30:00Z",
    refund_note: "old note",
    invoice: "c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e90",
    refund_reason: "OVERCHARGED",
  };
  it.each([
    { given: {}, want: {} },
    { given: { refund_timestamp: "2024-06-01T08:00:00.000Z" }, want: { refund_timestamp: "2024-06-01T08:00:00.000Z" } },
    { given: { refund_note: { type: "set", value: "new note" } }, want: { refund_note: "new note" } },
    { given: { refund_note: { type: "remove" } }, want: { refund_note: undefined } },
    { given: { invoice: { type: "set", value: unknownId } }, want: { invoice: unknownId } },
    { given: { invoice: { type: "remove" } }, want: { invoice: undefined } },
    { given: { refund_reason: { type: "set", value: "TRANSFER" } }, want: { refund_reason: "TRANSFER" } },
    { given: { refund_reason: { type: "remove" } }, want: { refund_reason: undefined } },
    {
      given: {
        refund_note: { type: "remove" },
        invoice: { type: "remove" },
        refund_reason: { type: "set", value: "TRANSFER" },
      },
      want: { refund_note: undefined, invoice: undefined, refund_reason: "TRANSFER" },
    },
  ])("applies $given and keeps every other field", async ({ given, want }) => {
    const before = (await create(full)).body;
    const reply = await h.request("PATCH", `${base}/${before.patient_refund_id}`, { body: given });
    expect(reply.status).toBe(200);
    const expected = { ...before, ...want };
    for (const [key, value] of Object.entries(expected)) if (value === undefined) delete expected[key];
    expect(reply.body).toEqual(expected);
    expect((await h.request("GET", `${base}/${before.patient_refund_id}`)).body).toEqual(expected);
  });

  it("answers the live service's documentation example as printed (PATCH {} on its refund id)", async () => {
    const reply = await h.request("PATCH", `${base}/d5e9c84f-c2b2-4bf4-b4b0-7ffd7a9ffc32`, { body: {} });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(defaultSeed.patient_refunds?.find((r) => r.patient_refund_id.startsWith("d5e9c84f")));
  });

  it("removing a field that is not set leaves it unset", async () => {
    const before = (await create()).body;
    const reply = await h.request("PATCH", `${base}/${before.patient_refund_id}`, {
      body: { refund_note: { type: "remove" } },
    });
    expect(reply.body).toEqual(before);
  });

  it("answers 404 for an unknown refund", async () => {
    const reply = await h.request("PATCH", `${base}/${unknownId}`, { body: { refund_note: { type: "remove" } } });
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ errorName: "EntityNotFoundError", content: { id: unknownId } });
  });
});

describe("deletePatientRefund", () => {
  it("answers 200 with an empty body, after which the refund is gone", async () => {
    const id = (await create()).body.patient_refund_id;
    const reply = await h.request("DELETE", `${base}/${id}`);
    expect(reply.status).toBe(200);
    expect(reply.text).toBe("");
    expect(reply.headers.get("content-length")).toBe("0");
    for (const [method, body] of [["GET"], ["PATCH", {}], ["DELETE"]] as const) {
      const again = await h.request(method, `${base}/${id}`, { body });
      expect(again.status).toBe(404);
      expect(again.body).toEqual({ errorName: "EntityNotFoundError", content: { id } });
    }
  });
});

describe("listPatientRefunds query values", () => {
  it.each([
    { name: "a space sent as +", raw: "Ann+O%27Neil", id: "Ann O'Neil" },
    { name: "the characters encodeURIComponent leaves as they are", raw: "O'Neil*(1)!", id: "O'Neil*(1)!" },
    { name: "every reserved character percent-encoded", raw: encodeURIComponent("a+b/c?d#e&f=g"), id: "a+b/c?d#e&f=g" },
  ])("filter by a patient id sent with $name", async ({ raw, id }) => {
    const created = await create({ patient_external_id: id });
    const reply = await h.request("GET", `${base}?patient_external_id=${raw}`);
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body.items.map((r: { patient_refund_id: string }) => r.patient_refund_id)).toEqual([
      created.body.patient_refund_id,
    ]);
  });
});
