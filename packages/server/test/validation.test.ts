import type { Request, Response } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSeed, readSpec, specOperations, TokenAuthority } from "../src/index.js";
import { validatorSpec } from "../src/spec.js";
import { chain, nextTurnForLargeBody, openApiValidator } from "../src/validation.js";
import { type Harness, startHarness } from "./support/harness.js";

const patientRefunds = "/api/patient-refunds/v1";
const seededRefund = `${patientRefunds}/5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10`;
const payerRefunds = "/api/non-insurance-payer-refunds/v1";
const seededPayerRefund = `${payerRefunds}/f6a7b8c9-d0e1-4f2a-9b3c-5d6e7f8a9bc0`;
const payer = "d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7fa0";
const targetTags =
  "service_line_by_id, claim_by_id, claim_by_encounter_external_id, billing_provider_by_id, appointment_by_id_and_patient_external_id, unattributed";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ seed: defaultSeed });
});
afterAll(() => h?.close());

const refund = (patch: Record<string, unknown>) => ({
  amount_cents: 100,
  patient_external_id: "PAT-1",
  allocations: [{ amount_cents: 100, target: { type: "unattributed" } }],
  ...patch,
});
const allocation = (target: unknown, extra: Record<string, unknown> = {}) =>
  refund({ allocations: [{ amount_cents: 100, target, ...extra }] });

// Each failing field is named by its path, in plain words; for a union only the branch its tag selects is reported.
describe.each([
  {
    op: "createPatientRefund",
    method: "POST",
    path: patientRefunds,
    cases: [
      { given: { patient_external_id: "P", allocations: [] }, want: "body.amount_cents: is required" },
      { given: refund({ amount_cents: -1 }), want: "body.amount_cents: must be at least 0" },
      { given: refund({ amount_cents: 1.5 }), want: "body.amount_cents: must be an integer" },
      { given: refund({ amount_cents: "100" }), want: "body.amount_cents: must be an integer" },
      { given: refund({ patient_external_id: "" }), want: "body.patient_external_id: must not be empty" },
      { given: refund({ surprise: true }), want: "body.surprise: is not a known field" },
      {
        given: refund({ refund_reason: "OOPS" }),
        want: "body.refund_reason: must be one of OVERCHARGED, ENTERED_IN_ERROR, TRANSFER",
      },
      {
        given: refund({ refund_timestamp: "2024-02-30T10:00:00Z" }),
        want: "body.refund_timestamp: must be an RFC 3339 date-time such as 2024-01-15T09:30:00Z",
      },
      { given: refund({ invoice: "INV-1" }), want: "body.invoice: must be a UUID" },
      { given: refund({ allocations: "none" }), want: "body.allocations: must be an array" },
      { given: refund({ raise_on_overdraft: "yes" }), want: "body.raise_on_overdraft: must be true or false" },
      {
        given: refund({ allocation_restrictions: { restriction_type: "npi", restriction_value: "1" } }),
        want: "body.allocation_restrictions.restriction_type: must be one of billing_provider_npi, service_facility_id",
      },
      {
        given: allocation({ type: "claim_by_id", value: "C-1" }),
        want: "body.allocations[0].target.value: must be a UUID",
      },
      { given: allocation("claim_by_id"), want: "body.allocations[0].target: must be an object" },
      {
        given: allocation({ type: "unattributed" }, { earmark: "2024-01-10" }),
        want: "body.allocations[0].earmark: must be an object",
      },
      {
        given: allocation({ type: "invoice_by_id", value: "x" }),
        want: `body.allocations[0].target.type: must be one of ${targetTags}`,
      },
      {
        given: allocation({ value: "x" }),
        want: `body.allocations[0].target.type: is required and must be one of ${targetTags}`,
      },
      // Only the claim_by_id branch speaks: no word about the appointment or unattributed variants.
      {
        given: allocation({
          type: "claim_by_id",
          value: "7a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a40",
          patient_external_id: "P",
        }),
        want: "body.allocations[0].target.patient_external_id: is not a known field",
      },
      {
        given: allocation({
          type: "appointment_by_id_and_patient_external_id",
          appointment_id: "7a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a40",
        }),
        want: "body.allocations[0].target.patient_external_id: is required",
      },
      {
        given: allocation({ type: "unattributed", value: "x" }),
        want: "body.allocations[0].target.value: is not a known field",
      },
      {
        given: allocation({ type: "unattributed" }, { earmark: { type: "date_of_service", value: "target" } }),
        want: "body.allocations[0].earmark.value: must be a date such as 2024-01-15",
      },
      {
        given: allocation({ type: "unattributed" }, { earmark: { type: "encounter", value: "E" } }),
        want: "body.allocations[0].earmark.type: must be one of date_of_service, external_encounter_id",
      },
      {
        given: refund({
          amount_cents: -5,
          allocations: [
            { amount_cents: 1, target: { type: "unattributed" } },
            { amount_cents: 1, target: { type: "claim_by_id" } },
          ],
        }),
        want: "body.amount_cents: must be at least 0; body.allocations[1].target.value: is required",
      },
    ],
  },
  {
    op: "updatePatientRefund",
    method: "PATCH",
    path: seededRefund,
    cases: [
      { given: { refund_note: { type: "set" } }, want: "body.refund_note.value: is required" },
      { given: { refund_note: { type: "clear" } }, want: "body.refund_note.type: must be one of set, remove" },
      { given: { refund_note: "plain text" }, want: "body.refund_note: must be an object" },
      { given: { invoice: { type: "set", value: "INV-1" } }, want: "body.invoice.value: must be a UUID" },
      {
        given: { refund_reason: { type: "remove", value: "TRANSFER" } },
        want: "body.refund_reason.value: is not a known field",
      },
      {
        given: { refund_reason: { type: "set", value: "NOPE" } },
        want: "body.refund_reason.value: must be one of OVERCHARGED, ENTERED_IN_ERROR, TRANSFER",
      },
      { given: { refund_timestamp: { type: "remove" } }, want: "body.refund_timestamp: must be a string" },
      { given: { amount_cents: 5 }, want: "body.amount_cents: is not a known field" },
      { given: [], want: "body: must be an object" },
    ],
  },
  {
    op: "createNonInsurancePayerRefund",
    method: "POST",
    path: payerRefunds,
    cases: [
      { given: { amount_cents: 1, allocations: [] }, want: "body.non_insurance_payer_id: is required" },
      {
        given: { non_insurance_payer_id: "P-1", amount_cents: 1, allocations: [] },
        want: "body.non_insurance_payer_id: must be a UUID",
      },
      {
        given: { non_insurance_payer_id: payer, amount_cents: 1, allocations: [], invoice: payer },
        want: "body.invoice: is not a known field",
      },
      {
        given: {
          non_insurance_payer_id: payer,
          amount_cents: 1,
          allocations: [{ amount_cents: 1, target: { type: "service_line" } }],
        },
        want: `body.allocations[0].target.type: must be one of ${targetTags}`,
      },
    ],
  },
  {
    op: "updateNonInsurancePayerRefund",
    method: "PATCH",
    path: seededPayerRefund,
    cases: [
      { given: { invoice_id: { type: "set", value: "x" } }, want: "body.invoice_id.value: must be a UUID" },
      { given: { check_number: "1" }, want: "body.check_number: is not a known field" },
    ],
  },
  {
    op: "listPatientRefunds",
    method: "GET",
    path: patientRefunds,
    cases: [
      { given: "?limit=0", want: "query.limit: must be at least 1" },
      { given: "?limit=1000", want: "query.limit: must be at most 999" },
      { given: "?limit=ten", want: "query.limit: must be an integer" },
      {
        given: "?sources=STRIPE&sources=CASH",
        want: expect.stringMatching(/^query.sources\[1\]: must be one of MANUAL_ENTRY, /),
      },
      {
        given: "?sort=created_at",
        want: "query.sort: must be one of refund_source, amount_cents, refund_timestamp, refund_reason, refund_note",
      },
      { given: "?sort_direction=up", want: "query.sort_direction: must be one of asc, desc" },
      { given: "?unattributed=maybe", want: "query.unattributed: must be true or false" },
      { given: "?claim_id=C-1", want: "query.claim_id: must be a UUID" },
      { given: "?page_token=", want: "query.page_token: must not be empty" },
      { given: "?page_token=garbage", want: "query.page_token: is not a page token of this list" },
      { given: "?patient=P", want: "query.patient: is not a known query parameter" },
    ],
  },
  {
    op: "listNonInsurancePayerRefunds",
    method: "GET",
    path: payerRefunds,
    cases: [
      { given: "?sort=refund_source", want: "query.sort: must be one of amount_cents, refund_timestamp" },
      { given: "?non_insurance_payer_id=x", want: "query.non_insurance_payer_id: must be a UUID" },
    ],
  },
])("$op answers 422 UnprocessableEntityError", ({ method, path, cases }) => {
  it.each(cases as { given: unknown; want: unknown }[])("for $given", async ({ given, want }) => {
    const reply =
      method === "GET" ? await h.request(method, `${path}${given}`) : await h.request(method, path, { body: given });
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({ errorName: "UnprocessableEntityError", content: { message: want } });
  });
});

describe("query parameters", () => {
  it("a single value of a repeatable parameter is a one-element array", async () => {
    const reply = await h.request("GET", `${patientRefunds}?sources=STRIPE`);
    expect(reply.status).toBe(200);
    expect(reply.body.items.map((r: { refund_source: string }) => r.refund_source)).toEqual(["STRIPE"]);
  });

  it("operations that declare no 422 ignore unknown query parameters instead of answering one", async () => {
    expect((await h.request("GET", `${seededPayerRefund}?cache=1`)).status).toBe(200);
    expect((await h.request("GET", `${seededRefund}?cache=1`)).status).toBe(200);
    expect((await h.request("DELETE", `${seededPayerRefund}?cache=1`)).status).toBe(422);
  });
});

describe("openApiValidator", () => {
  const auth = new TokenAuthority({ clientId: "c", clientSecret: "s" });
  // The response check wraps `res.json` ahead of the validator's own steps, so their error responses are checked too.
  it.each([
    { validateResponses: true, first: "responseValidation", checks: 1 },
    { validateResponses: false, first: undefined, checks: 0 },
  ])(
    "validateResponses: $validateResponses puts the response check first ($checks)",
    ({ validateResponses, first, checks }) => {
      const names = openApiValidator({ spec: readSpec(), auth, validateResponses }).map((m) => m.name);
      expect(names.filter((n) => n === "responseValidation")).toHaveLength(checks);
      if (first) expect(names[0]).toBe(first);
      expect(names.length).toBeGreaterThan(checks);
    },
  );

  it("refuses a security scheme other than HTTP bearer", () => {
    const spec = readSpec();
    (spec.components.securitySchemes as Record<string, unknown>).apiKey = { type: "apiKey", in: "header", name: "X" };
    expect(() => openApiValidator({ spec, auth, validateResponses: false })).toThrow(/apiKey is not HTTP bearer/);
  });
});

describe("chain", () => {
  type Step = "next" | "fail" | "throw" | "reject" | "end" | "async next";
  const boom = new Error("boom");
  const handler =
    (step: Step, ran: string[], name: string) => (_req: unknown, _res: unknown, next: (e?: unknown) => void) => {
      ran.push(name);
      if (step === "next") next();
      else if (step === "fail") next(boom);
      else if (step === "throw") throw boom;
      else if (step === "reject") return Promise.reject(boom);
      else if (step === "async next") return Promise.resolve().then(() => next());
      return undefined;
    };
  it.each([
    { steps: ["next", "next", "next"], ran: ["a", "b", "c"], want: "next()" },
    { steps: ["next", "async next", "next"], ran: ["a", "b", "c"], want: "next()" },
    { steps: ["next", "fail", "next"], ran: ["a", "b"], want: "next(boom)" },
    { steps: ["throw", "next", "next"], ran: ["a"], want: "next(boom)" },
    { steps: ["next", "reject", "next"], ran: ["a", "b"], want: "next(boom)" },
    { steps: ["next", "end", "next"], ran: ["a", "b"], want: "nothing" },
  ] as { steps: Step[]; ran: string[]; want: string }[])(
    "$steps runs $ran and calls $want",
    async ({ steps, ran, want }) => {
      const seen: string[] = [];
      const called: string[] = [];
      const names = ["a", "b", "c"];
      const middleware = chain(steps.map((s, i) => handler(s, seen, names[i] as string)) as never);
      middleware({} as never, {} as never, (e?: unknown) => called.push(e === boom ? "next(boom)" : "next()"));
      // Every step settles in microtasks: once the next macrotask runs, the chain has done all it will.
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen).toEqual(ran);
      expect(called).toEqual(want === "nothing" ? [] : [want]);
    },
  );
});

describe("nextTurnForLargeBody", () => {
  /** When the middleware lets a request with `headers` go on: at once, or in a later turn than an immediate set now. */
  async function goesOn(headers: Record<string, string | undefined>): Promise<string> {
    let went = false;
    nextTurnForLargeBody()({ headers } as unknown as Request, {} as Response, () => {
      went = true;
    });
    if (went) return "at once";
    const withImmediate = await new Promise<boolean>((resolve) => setImmediate(() => resolve(went)));
    await new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
    return withImmediate ? "with an immediate set now" : went ? "in a later turn" : "never";
  }

  it.each([
    { name: "no body", headers: {}, want: "at once" },
    { name: "a body under 64 KiB", headers: { "content-length": "65535" }, want: "at once" },
    {
      name: "a body sent as is",
      headers: { "content-length": "100", "content-encoding": "identity" },
      want: "at once",
    },
    { name: "a body of 64 KiB", headers: { "content-length": "65536" }, want: "in a later turn" },
    { name: "a chunked body", headers: { "transfer-encoding": "chunked" }, want: "in a later turn" },
    {
      name: "a small compressed body",
      headers: { "content-length": "100", "content-encoding": "gzip" },
      want: "in a later turn",
    },
  ])("lets a request with $name go on $want", async ({ headers, want }) => {
    expect(await goesOn(headers)).toBe(want);
  });
});

describe("validatorSpec", () => {
  it("drops every discriminator mapping and keeps the unions", () => {
    const spec = readSpec();
    const text = JSON.stringify(validatorSpec(spec));
    expect(text).not.toContain('"mapping"');
    expect(text.match(/"discriminator"/g)?.length).toBe(JSON.stringify(spec).match(/"discriminator"/g)?.length);
  });

  it("writes out every operation's parameters and their top-level schema refs, keeping defaults", () => {
    const copy = validatorSpec(readSpec());
    const parameters = Object.values(copy.paths).flatMap((item) =>
      Object.values(item).flatMap((op) => ((op as { parameters?: unknown[] }).parameters ?? []) as never[]),
    ) as { $ref?: string; name: string; schema: { $ref?: string; default?: unknown; enum?: unknown } }[];
    expect(parameters.length).toBeGreaterThan(0);
    expect(parameters.filter((p) => p.$ref || p.schema.$ref)).toEqual([]);
    const sort = parameters.find((p) => p.name === "sort");
    expect(sort?.schema).toMatchObject({ default: "refund_timestamp", enum: expect.any(Array) });
  });

  it("refuses a mapping that does not match the branches' consts", () => {
    const spec = readSpec();
    const union = spec.components.schemas.NoteUpdate;
    if (union?.discriminator?.mapping) union.discriminator.mapping.set = "#/components/schemas/UpdateRemove";
    expect(() => validatorSpec(spec)).toThrow(/mapping sends "set"/);
  });

  it("lists all 10 operations and the token endpoint", () => {
    expect(specOperations(readSpec()).map((op) => op.operationId)).toHaveLength(11);
  });
});
