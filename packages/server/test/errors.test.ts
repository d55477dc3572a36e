import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSeed, readSpec, specOperations } from "../src/index.js";
import { type Call, type Harness, startHarness } from "./support/harness.js";

const pr = "/api/patient-refunds/v1";
const nip = "/api/non-insurance-payer-refunds/v1";
const seededRefund = "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10";
const seededPayerRefund = "f6a7b8c9-d0e1-4f2a-9b3c-5d6e7f8a9bc0";
const payer = "d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7fa0";
const missing = "0e1d2c3b-4a59-4867-9a5b-4c3d2e1f0a99";
const creds = { client_id: "dev-client", client_secret: "dev-secret" };
const patientRefund = (target: object, extra: object = {}) => ({
  amount_cents: 100,
  patient_external_id: "PAT-00042",
  allocations: [{ amount_cents: 100, target }],
  ...extra,
});
const payerRefund = (extra: object = {}) => ({
  non_insurance_payer_id: payer,
  amount_cents: 1,
  allocations: [],
  ...extra,
});

interface Case {
  op: string;
  status: number;
  errorName: string;
  method: string;
  path: string;
  call?: Call;
  /** The content the error must carry, beyond its shape. */
  content?: object;
}

// Every error each operation declares, each provoked by a request that should cause it. The `strict` server
// refuses allocation targets it does not know, which is what makes createPatientRefund's 404 reachable.
const cases: Case[] = [
  {
    op: "getToken",
    status: 403,
    errorName: "UnauthorizedError",
    method: "POST",
    path: "/api/auth/v2/token",
    call: { token: null, body: { ...creds, client_secret: "x" } },
  },
  {
    op: "getToken",
    status: 422,
    errorName: "UnprocessableEntityError",
    method: "POST",
    path: "/api/auth/v2/token",
    call: { token: null, body: { client_id: "dev-client" } },
  },
  {
    op: "listPatientRefunds",
    status: 403,
    errorName: "UnauthorizedError",
    method: "GET",
    path: pr,
    call: { token: null },
  },
  {
    op: "listPatientRefunds",
    status: 422,
    errorName: "UnprocessableEntityError",
    method: "GET",
    path: `${pr}?limit=0`,
  },
  {
    op: "createPatientRefund",
    status: 403,
    errorName: "UnauthorizedError",
    method: "POST",
    path: pr,
    call: { token: "nope", body: {} },
  },
  {
    op: "createPatientRefund",
    status: 404,
    errorName: "EntityNotFoundError",
    method: "POST",
    path: `strict:${pr}`,
    call: { body: patientRefund({ type: "claim_by_id", value: missing }) },
    content: { id: missing },
  },
  {
    op: "createPatientRefund",
    status: 422,
    errorName: "UnprocessableEntityError",
    method: "POST",
    path: pr,
    call: { body: {} },
  },
  {
    op: "createPatientRefund",
    status: 422,
    errorName: "ReallocationWouldOverdraftError",
    method: "POST",
    path: pr,
    call: {
      body: patientRefund(
        { type: "unattributed" },
        {
          amount_cents: 5000,
          raise_on_overdraft: true,
          allocations: [{ amount_cents: 5000, target: { type: "unattributed" } }],
        },
      ),
    },
  },
  {
    op: "getPatientRefund",
    status: 403,
    errorName: "UnauthorizedError",
    method: "GET",
    path: `${pr}/${seededRefund}`,
    call: { token: null },
  },
  {
    op: "getPatientRefund",
    status: 404,
    errorName: "EntityNotFoundError",
    method: "GET",
    path: `${pr}/${missing}`,
    content: { id: missing },
  },
  {
    op: "updatePatientRefund",
    status: 403,
    errorName: "UnauthorizedError",
    method: "PATCH",
    path: `${pr}/${seededRefund}`,
    call: { token: null, body: {} },
  },
  {
    op: "updatePatientRefund",
    status: 404,
    errorName: "EntityNotFoundError",
    method: "PATCH",
    path: `${pr}/${missing}`,
    call: { body: {} },
    content: { id: missing },
  },
  {
    op: "updatePatientRefund",
    status: 422,
    errorName: "UnprocessableEntityError",
    method: "PATCH",
    path: `${pr}/${seededRefund}`,
    call: { body: { refund_note: "x" } },
  },
  {
    op: "deletePatientRefund",
    status: 403,
    errorName: "UnauthorizedError",
    method: "DELETE",
    path: `${pr}/${seededRefund}`,
    call: { token: null },
  },
  {
    op: "deletePatientRefund",
    status: 404,
    errorName: "EntityNotFoundError",
    method: "DELETE",
    path: `${pr}/${missing}`,
    content: { id: missing },
  },
  {
    op: "deletePatientRefund",
    status: 422,
    errorName: "UnprocessableEntityError",
    method: "DELETE",
    path: `${pr}/${seededRefund}?force=true`,
  },
  {
    op: "listNonInsurancePayerRefunds",
    status: 422,
    errorName: "UnprocessableEntityError",
    method: "GET",
    path: `${nip}?sort=refund_note`,
  },
  {
    op: "createNonInsurancePayerRefund",
    status: 404,
    errorName: "EntityNotFoundError",
    method: "POST",
    path: nip,
    call: { body: payerRefund({ non_insurance_payer_id: missing }) },
    content: { id: missing },
  },
  {
    op: "createNonInsurancePayerRefund",
    status: 422,
    errorName: "UnprocessableEntityError",
    method: "POST",
    path: nip,
    call: { body: payerRefund({ amount_cents: -1 }) },
  },
  {
    op: "getNonInsurancePayerRefund",
    status: 404,
    errorName: "EntityNotFoundError",
    method: "GET",
    path: `${nip}/${missing}`,
    content: { id: missing },
  },
  {
    op: "updateNonInsurancePayerRefund",
    status: 404,
    errorName: "EntityNotFoundError",
    method: "PATCH",
    path: `${nip}/${missing}`,
    call: { body: {} },
    content: { id: missing },
  },
  {
    op: "updateNonInsurancePayerRefund",
    status: 422,
    errorName: "UnprocessableEntityError",
    method: "PATCH",
    path: `${nip}/${seededPayerRefund}`,
    call: { body: { refund_note: {} } },
  },
  {
    op: "deleteNonInsurancePayerRefund",
    status: 404,
    errorName: "EntityNotFoundError",
    method: "DELETE",
    path: `${nip}/${missing}`,
    content: { id: missing },
  },
  {
    op: "deleteNonInsurancePayerRefund",
    status: 422,
    errorName: "UnprocessableEntityError",
    method: "DELETE",
    path: `${nip}/${seededPayerRefund}?force=true`,
  },
];

let h: Harness;
let strict: Harness;
beforeAll(async () => {
  [h, strict] = await Promise.all([
    startHarness({ seed: defaultSeed }),
    startHarness({
      seed: { ...defaultSeed, unknown_targets: "reject", patient_refunds: [], non_insurance_payer_refunds: [] },
    }),
  ]);
});
afterAll(() => Promise.all([h?.close(), strict?.close()]));

describe("declared errors", () => {
  it("the table covers every error status every operation declares", () => {
    const declared = specOperations(readSpec()).flatMap((op) =>
      [...op.statuses].filter((s) => s >= 400).map((s) => `${op.operationId} ${s}`),
    );
    expect([...new Set(cases.map((c) => `${c.op} ${c.status}`))].sort()).toEqual(declared.sort());
  });

  it.each(cases)("$op answers $status $errorName", async ({ status, errorName, method, path, call, content }) => {
    const server = path.startsWith("strict:") ? strict : h;
    const reply = await server.request(method, path.replace(/^strict:/, ""), call);
    expect(reply.status).toBe(status);
    expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
    expect(reply.body.errorName).toBe(errorName);
    expect(Object.keys(reply.body)).toEqual(["errorName", "content"]);
    if (content) expect(reply.body.content).toEqual(content);
    else expect(JSON.stringify(reply.body.content)).not.toBe("{}");
  });
});

describe("unknown_targets: reject", () => {
  it.each([
    { target: { type: "service_line_by_id", value: missing }, want: missing },
    { target: { type: "claim_by_encounter_external_id", value: "ENC-404" }, want: "ENC-404" },
  ])("refuses $target.type $target.value", async ({ target, want }) => {
    const reply = await strict.request("POST", pr, { body: patientRefund(target) });
    expect(reply.body).toEqual({ errorName: "EntityNotFoundError", content: { id: want } });
  });

  it("still resolves known claims and passes through targets it does not resolve", async () => {
    const reply = await strict.request("POST", pr, {
      body: {
        amount_cents: 2,
        patient_external_id: "P",
        allocations: [
          { amount_cents: 1, target: { type: "claim_by_encounter_external_id", value: "ENC-00042" } },
          { amount_cents: 1, target: { type: "billing_provider_by_id", value: missing } },
        ],
      },
    });
    expect(reply.status).toBe(200);
  });
});
