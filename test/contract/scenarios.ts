// The client's scenario suite, written once and run against every target (mock and servers). Rows run in order and
// may build on earlier ones (create, then get, then delete). Each says what the client does, which operation its
// last request calls and what that must answer; on the mock, `prefer` picks that answer where the request alone
// cannot (Prism is stateless). `behaves` and `errorContent` check behaviour, on the servers only.
import type {
  ApiErrorName,
  ListNonInsurancePayerRefundsQuery,
  ListPatientRefundsQuery,
  NonInsurancePayerRefund,
  NonInsurancePayerRefundCreate,
  NonInsurancePayerRefundsPage,
  NonInsurancePayerRefundUpdate,
  PatientRefund,
  PatientRefundCreate,
  PatientRefundsPage,
  PatientRefundUpdate,
  RefundsClient,
  TokenRequest,
  TokenResponse,
} from "@refunds-api/client";
import { expect } from "vitest";
import { ids, paid } from "./seed.js";
import type { Context, Route } from "./targets.js";

/** One step of the suite. */
export interface Scenario<R = unknown> {
  /** What the client does, in words. */
  name: string;
  /** The operation the last request calls, and what it must answer. */
  want: { operationId: string; status: number; errorName?: ApiErrorName };
  /** On the mock: the `Prefer` header that selects this answer. */
  prefer?: string;
  /** On the servers: how the requests travel (see `Route`); through the validation proxy by default. */
  route?: Route;
  /** Why the mock cannot play this step; set, the step runs on the servers only. */
  serversOnly?: string;
  act(t: Context): Promise<R>;
  /** Saves what later steps need, on every target. */
  keep?(result: R, state: State): void;
  /** Behaviour of a success, checked on the servers. */
  behaves?(result: R, state: State): void;
  /** Behaviour of an error: its envelope's content, checked on the servers. */
  errorContent?(content: Record<string, unknown>, state: State): void;
}

/** What steps leave for later ones. */
export interface State {
  patientRefund?: PatientRefund;
  otherPatientRefund?: PatientRefund;
  pastBalance?: PatientRefund;
  payerRefund?: NonInsurancePayerRefund;
  otherPayerRefund?: NonInsurancePayerRefund;
}

const step = <R>(scenario: Scenario<R>) => scenario as Scenario<unknown>;
const state = (t: Context) => t.state as State;
function need<K extends keyof State>(t: Context | State, key: K): NonNullable<State[K]> {
  const value = ("state" in t ? state(t as Context) : (t as State))[key];
  if (!value) throw new Error(`an earlier step should have left ${key}`);
  return value as NonNullable<State[K]>;
}
const all = async <T>(items: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};
/** A value the spec forbids, sent anyway. */
const breaking = <T>(value: unknown) => value as T;

const patientRefundIds = (page: PatientRefundsPage | PatientRefund[]) =>
  ("items" in page ? page.items : page).map((r) => r.patient_refund_id);
const payerRefundIds = (page: NonInsurancePayerRefundsPage | NonInsurancePayerRefund[]) =>
  ("items" in page ? page.items : page).map((r) => r.non_insurance_payer_refund_id);

const serviceLineTarget = {
  type: "service_line",
  service_line_id: ids.serviceLine,
  claim_id: ids.claim,
  encounter_id: ids.encounter,
} as const;

const patientRefundCreate: PatientRefundCreate = {
  amount_cents: 3000,
  patient_external_id: ids.patient,
  allocations: [
    { amount_cents: 1000, target: { type: "service_line_by_id", value: ids.serviceLine } },
    { amount_cents: 1500, target: { type: "claim_by_id", value: ids.claim } },
    { amount_cents: 500, target: { type: "unattributed" } },
  ],
  refund_timestamp: "2024-05-01T10:00:00Z",
  refund_note: "Double charge at check-out.",
  invoice: ids.invoice,
  refund_reason: "OVERCHARGED",
};

const otherPatientRefundCreate: PatientRefundCreate = {
  amount_cents: 700,
  patient_external_id: ids.otherPatient,
  allocations: [{ amount_cents: 700, target: { type: "billing_provider_by_id", value: ids.billingProvider } }],
  refund_timestamp: "2024-04-01T08:00:00Z",
};

/** A refund of `cents` from the service line's balance. */
const fromServiceLine = (cents: number, raise: boolean): PatientRefundCreate => ({
  amount_cents: cents,
  patient_external_id: ids.patient,
  allocations: [{ amount_cents: cents, target: { type: "service_line_by_id", value: ids.serviceLine } }],
  raise_on_overdraft: raise,
});

const payerRefundCreate: NonInsurancePayerRefundCreate = {
  non_insurance_payer_id: ids.payer,
  amount_cents: 2500,
  allocations: [{ amount_cents: 2500, target: { type: "claim_by_id", value: ids.claim } }],
  refund_timestamp: "2024-06-03T16:00:00Z",
  refund_note: "Sponsor overpaid the June invoice.",
  check_number: "5001",
  refund_reason: "OVERCHARGED",
  invoice_id: ids.invoice,
};

const otherPayerRefundCreate: NonInsurancePayerRefundCreate = {
  non_insurance_payer_id: ids.otherPayer,
  amount_cents: 900,
  allocations: [],
  check_number: "5002",
};

// Every patient refund operation refuses a token it does not know with its declared 403.
type Call = (api: RefundsClient, t: Context) => Promise<unknown>;
const patientCalls: [string, Call][] = [
  ["listPatientRefunds", (api, t) => api.patientRefunds.list({}, t.o)],
  ["createPatientRefund", (api, t) => api.patientRefunds.create(patientRefundCreate, t.o)],
  ["getPatientRefund", (api, t) => api.patientRefunds.get(ids.missing, t.o)],
  ["updatePatientRefund", (api, t) => api.patientRefunds.update(ids.missing, {}, t.o)],
  ["deletePatientRefund", (api, t) => api.patientRefunds.delete(ids.missing, t.o)],
];
const payerCalls: [string, Call][] = [
  ["listNonInsurancePayerRefunds", (api, t) => api.nonInsurancePayerRefunds.list({}, t.o)],
  ["createNonInsurancePayerRefund", (api, t) => api.nonInsurancePayerRefunds.create(payerRefundCreate, t.o)],
  ["getNonInsurancePayerRefund", (api, t) => api.nonInsurancePayerRefunds.get(ids.missing, t.o)],
  ["updateNonInsurancePayerRefund", (api, t) => api.nonInsurancePayerRefunds.update(ids.missing, {}, t.o)],
  ["deleteNonInsurancePayerRefund", (api, t) => api.nonInsurancePayerRefunds.delete(ids.missing, t.o)],
];

const authScenarios: Scenario[] = [
  step<TokenResponse>({
    name: "getToken with the server's client credentials",
    want: { operationId: "getToken", status: 200 },
    act: (t) => t.api.getToken(t.credentials, t.o),
    behaves: (token) => {
      expect(token.token_type).toBe("Bearer");
      expect(token.expires_in).toBeGreaterThan(0);
      expect(token.access_token.length).toBeGreaterThan(0);
    },
  }),
  step<PatientRefundsPage>({
    name: "a client with client credentials exchanges them for a token, then lists",
    want: { operationId: "listPatientRefunds", status: 200 },
    act: (t) =>
      t
        .client({ auth: { clientId: t.credentials.client_id, clientSecret: t.credentials.client_secret } })
        .patientRefunds.list({}, t.o),
    behaves: (page) => expect(page.items).toEqual([]),
  }),
  step({
    name: "getToken with a wrong secret",
    want: { operationId: "getToken", status: 403, errorName: "UnauthorizedError" },
    prefer: "code=403",
    act: (t) => t.api.getToken({ ...t.credentials, client_secret: "wrong" }, t.o),
  }),
  step({
    name: "getToken without a secret",
    want: { operationId: "getToken", status: 422, errorName: "UnprocessableEntityError" },
    route: "direct",
    act: (t) => t.api.getToken(breaking<TokenRequest>({ client_id: t.credentials.client_id }), t.o),
    errorContent: (content) => expect(content.message).toMatch(/client_secret/),
  }),
  step({
    name: "listPatientRefunds without a token",
    want: { operationId: "listPatientRefunds", status: 403, errorName: "UnauthorizedError" },
    route: "direct",
    act: (t) => t.client({ auth: null }).patientRefunds.list({}, t.o),
  }),
  ...patientCalls.map(([operationId, call]) =>
    step({
      name: `${operationId} with a token the server does not know`,
      want: { operationId, status: 403, errorName: "UnauthorizedError" },
      prefer: "code=403",
      act: (t) => call(t.client({ auth: "not-a-known-token" }), t),
    }),
  ),
  // The spec declares no 403 on these operations, like the real service's, which answers 403 all the same.
  ...payerCalls.map(([operationId, call]) =>
    step({
      name: `${operationId} without a token (403, undeclared)`,
      want: { operationId, status: 403, errorName: "UnauthorizedError" },
      route: "direct",
      act: (t) => call(t.client({ auth: null }), t),
    }),
  ),
  step({
    name: "listNonInsurancePayerRefunds with a token the server does not know (403, undeclared)",
    want: { operationId: "listNonInsurancePayerRefunds", status: 403, errorName: "UnauthorizedError" },
    route: "direct",
    serversOnly: "the mock accepts any token and cannot answer a status the operation does not declare",
    act: (t) => t.client({ auth: "not-a-known-token" }).nonInsurancePayerRefunds.list({}, t.o),
  }),
];

const patientListCases: {
  name: string;
  query: ListPatientRefundsQuery;
  want: ("patientRefund" | "otherPatientRefund")[];
}[] = [
  { name: "by patient", query: { patient_external_id: ids.patient }, want: ["patientRefund"] },
  { name: "by claim (its service lines included)", query: { claim_id: ids.claim }, want: ["patientRefund"] },
  { name: "by service line", query: { service_line_id: ids.serviceLine }, want: ["patientRefund"] },
  { name: "by billing provider", query: { billing_provider_id: ids.billingProvider }, want: ["otherPatientRefund"] },
  { name: "with unattributed money", query: { unattributed: true }, want: ["patientRefund"] },
  { name: "without unattributed money", query: { unattributed: false }, want: ["otherPatientRefund"] },
  { name: "by invoice", query: { invoice_id: ids.invoice }, want: ["patientRefund"] },
  { name: "by sources, as repeated keys", query: { sources: ["STRIPE", "SQUARE"] }, want: [] },
  {
    name: "by source, sorted by amount ascending",
    query: { sources: ["MANUAL_ENTRY"], sort: "amount_cents", sort_direction: "asc" },
    want: ["otherPatientRefund", "patientRefund"],
  },
  { name: "newest first by default", query: {}, want: ["patientRefund", "otherPatientRefund"] },
];

const patientRefundScenarios: Scenario[] = [
  step<PatientRefund>({
    name: "create a patient refund on a service line, a claim and unattributed money",
    want: { operationId: "createPatientRefund", status: 200 },
    act: (t) => t.api.patientRefunds.create(patientRefundCreate, t.o),
    keep: (refund, s) => {
      s.patientRefund = refund;
    },
    behaves: (refund) => {
      const { allocations, raise_on_overdraft: _, ...fields } = patientRefundCreate;
      expect(refund).toMatchObject({ ...fields, refund_source: "MANUAL_ENTRY" });
      expect(refund.allocations.map((a) => [a.amount_cents, a.target])).toEqual([
        [1000, serviceLineTarget],
        [1500, { type: "claim", claim_id: ids.claim, encounter_id: ids.encounter }],
        [500, { type: "unattributed" }],
      ]);
      expect(new Set(refund.allocations.map((a) => a.allocation_id)).size).toBe(allocations.length);
    },
  }),
  step<PatientRefund>({
    name: "create another patient's refund on a billing provider",
    want: { operationId: "createPatientRefund", status: 200 },
    act: (t) => t.api.patientRefunds.create(otherPatientRefundCreate, t.o),
    keep: (refund, s) => {
      s.otherPatientRefund = refund;
    },
    behaves: (refund) =>
      expect(refund.allocations[0]?.target).toEqual({
        type: "billing_provider_id",
        billing_provider_id: ids.billingProvider,
      }),
  }),
  step<PatientRefund>({
    name: "get the patient refund as created",
    want: { operationId: "getPatientRefund", status: 200 },
    act: (t) => t.api.patientRefunds.get(need(t, "patientRefund").patient_refund_id, t.o),
    behaves: (refund, s) => expect(refund).toEqual(need(s, "patientRefund")),
  }),
  ...patientListCases.map(({ name, query, want }) =>
    step<PatientRefundsPage>({
      name: `list patient refunds ${name}`,
      want: { operationId: "listPatientRefunds", status: 200 },
      act: (t) => t.api.patientRefunds.list(query, t.o),
      behaves: (page, s) => expect(patientRefundIds(page)).toEqual(want.map((k) => need(s, k).patient_refund_id)),
    }),
  ),
  step<PatientRefund[]>({
    name: "listAll patient refunds one per page, following next_page_token to the end",
    want: { operationId: "listPatientRefunds", status: 200 },
    act: (t) => all(t.api.patientRefunds.listAll({ limit: 1, sort: "amount_cents", sort_direction: "asc" }, t.o)),
    behaves: (refunds, s) =>
      expect(patientRefundIds(refunds)).toEqual([
        need(s, "otherPatientRefund").patient_refund_id,
        need(s, "patientRefund").patient_refund_id,
      ]),
  }),
  step<PatientRefund>({
    name: "update a patient refund: set note, reason and invoice",
    want: { operationId: "updatePatientRefund", status: 200 },
    act: (t) =>
      t.api.patientRefunds.update(
        need(t, "patientRefund").patient_refund_id,
        {
          refund_note: { type: "set", value: "Refunded by check instead." },
          refund_reason: { type: "set", value: "ENTERED_IN_ERROR" },
          invoice: { type: "set", value: ids.otherInvoice },
        } satisfies PatientRefundUpdate,
        t.o,
      ),
    behaves: (refund, s) =>
      expect(refund).toEqual({
        ...need(s, "patientRefund"),
        refund_note: "Refunded by check instead.",
        refund_reason: "ENTERED_IN_ERROR",
        invoice: ids.otherInvoice,
      }),
  }),
  step<PatientRefund>({
    name: "update a patient refund: remove note and invoice, leave the reason",
    want: { operationId: "updatePatientRefund", status: 200 },
    act: (t) =>
      t.api.patientRefunds.update(
        need(t, "patientRefund").patient_refund_id,
        { refund_note: { type: "remove" }, invoice: { type: "remove" } },
        t.o,
      ),
    keep: (refund, s) => {
      s.patientRefund = refund;
    },
    behaves: (refund) => {
      expect(refund).not.toHaveProperty("refund_note");
      expect(refund).not.toHaveProperty("invoice");
      expect(refund.refund_reason).toBe("ENTERED_IN_ERROR");
      expect(refund.amount_cents).toBe(patientRefundCreate.amount_cents);
    },
  }),
  step<PatientRefund>({
    name: "get the patient refund as updated",
    want: { operationId: "getPatientRefund", status: 200 },
    act: (t) => t.api.patientRefunds.get(need(t, "patientRefund").patient_refund_id, t.o),
    behaves: (refund, s) => expect(refund).toEqual(need(s, "patientRefund")),
  }),
  // The service line's patient paid 5000; the first refund took 1000 of it.
  step({
    name: "create with raise_on_overdraft, beyond the service line's balance",
    want: { operationId: "createPatientRefund", status: 422, errorName: "ReallocationWouldOverdraftError" },
    prefer: "code=422, example=ReallocationWouldOverdraftError",
    act: (t) => t.api.patientRefunds.create(fromServiceLine(4500, true), t.o),
    errorContent: (content) =>
      expect(content).toEqual({
        messages: [expect.any(String)],
        allocation_details: [
          {
            allocation_target: serviceLineTarget,
            patient_paid_amount_cents: paid.serviceLine,
            current_balance_cents: paid.serviceLine - 1000,
            overage_amount_cents: 500,
            error_message: expect.any(String),
          },
        ],
      }),
  }),
  step<PatientRefund>({
    name: "create without raise_on_overdraft, beyond the balance: recorded all the same",
    want: { operationId: "createPatientRefund", status: 200 },
    act: (t) => t.api.patientRefunds.create(fromServiceLine(4500, false), t.o),
    keep: (refund, s) => {
      s.pastBalance = refund;
    },
    behaves: (refund) => expect(refund.amount_cents).toBe(4500),
  }),
  step({
    name: "create with raise_on_overdraft while the balance is below zero",
    want: { operationId: "createPatientRefund", status: 422, errorName: "ReallocationWouldOverdraftError" },
    prefer: "code=422, example=ReallocationWouldOverdraftError",
    act: (t) => t.api.patientRefunds.create(fromServiceLine(1, true), t.o),
    errorContent: (content) =>
      expect(content.allocation_details).toMatchObject([{ current_balance_cents: -500, overage_amount_cents: 501 }]),
  }),
  step<undefined>({
    name: "delete the refund that went past the balance",
    want: { operationId: "deletePatientRefund", status: 200 },
    act: (t) => t.api.patientRefunds.delete(need(t, "pastBalance").patient_refund_id, t.o) as Promise<undefined>,
    behaves: (result) => expect(result).toBeUndefined(),
  }),
  step<PatientRefund>({
    name: "create with raise_on_overdraft exactly to the balance given back by the delete",
    want: { operationId: "createPatientRefund", status: 200 },
    act: (t) => t.api.patientRefunds.create(fromServiceLine(paid.serviceLine - 1000, true), t.o),
    behaves: (refund) => expect(refund.amount_cents).toBe(4000),
  }),
  step({
    name: "create a patient refund on a claim the server does not know",
    want: { operationId: "createPatientRefund", status: 404, errorName: "EntityNotFoundError" },
    prefer: "code=404",
    act: (t) =>
      t.api.patientRefunds.create(
        {
          ...patientRefundCreate,
          allocations: [{ amount_cents: 1, target: { type: "claim_by_id", value: ids.missing } }],
        },
        t.o,
      ),
    errorContent: (content) => expect(content).toEqual({ id: ids.missing }),
  }),
  step({
    name: "create a patient refund with a negative amount",
    want: { operationId: "createPatientRefund", status: 422, errorName: "UnprocessableEntityError" },
    route: "direct",
    act: (t) => t.api.patientRefunds.create({ ...patientRefundCreate, amount_cents: -1 }, t.o),
    errorContent: (content) => expect(content.message).toMatch(/amount_cents/),
  }),
  step({
    name: "list patient refunds with limit 0",
    want: { operationId: "listPatientRefunds", status: 422, errorName: "UnprocessableEntityError" },
    route: "direct",
    act: (t) => t.api.patientRefunds.list({ limit: 0 }, t.o),
    errorContent: (content) => expect(content.message).toMatch(/limit/),
  }),
  step({
    name: "update a patient refund with a note that is not an update object",
    want: { operationId: "updatePatientRefund", status: 422, errorName: "UnprocessableEntityError" },
    route: "direct",
    act: (t) =>
      t.api.patientRefunds.update(
        need(t, "patientRefund").patient_refund_id,
        breaking<PatientRefundUpdate>({ refund_note: "a bare string" }),
        t.o,
      ),
    errorContent: (content) => expect(content.message).toMatch(/refund_note/),
  }),
  step({
    name: "delete a patient refund with a query parameter the operation does not know",
    want: { operationId: "deletePatientRefund", status: 422, errorName: "UnprocessableEntityError" },
    prefer: "code=422",
    act: (t) =>
      t.client({ query: { force: "true" } }).patientRefunds.delete(need(t, "patientRefund").patient_refund_id, t.o),
    errorContent: (content) => expect(content.message).toMatch(/force/),
  }),
  step<undefined>({
    name: "delete the patient refund",
    want: { operationId: "deletePatientRefund", status: 200 },
    act: (t) => t.api.patientRefunds.delete(need(t, "patientRefund").patient_refund_id, t.o) as Promise<undefined>,
    behaves: (result) => expect(result).toBeUndefined(),
  }),
  step({
    name: "get the deleted patient refund",
    want: { operationId: "getPatientRefund", status: 404, errorName: "EntityNotFoundError" },
    prefer: "code=404",
    act: (t) => t.api.patientRefunds.get(need(t, "patientRefund").patient_refund_id, t.o),
    errorContent: (content, s) => expect(content).toEqual({ id: need(s, "patientRefund").patient_refund_id }),
  }),
  step({
    name: "update the deleted patient refund",
    want: { operationId: "updatePatientRefund", status: 404, errorName: "EntityNotFoundError" },
    prefer: "code=404",
    act: (t) =>
      t.api.patientRefunds.update(need(t, "patientRefund").patient_refund_id, { refund_note: { type: "remove" } }, t.o),
    errorContent: (content, s) => expect(content).toEqual({ id: need(s, "patientRefund").patient_refund_id }),
  }),
  step({
    name: "delete the deleted patient refund",
    want: { operationId: "deletePatientRefund", status: 404, errorName: "EntityNotFoundError" },
    prefer: "code=404",
    act: (t) => t.api.patientRefunds.delete(need(t, "patientRefund").patient_refund_id, t.o),
    errorContent: (content, s) => expect(content).toEqual({ id: need(s, "patientRefund").patient_refund_id }),
  }),
  step<PatientRefundsPage>({
    name: "list patient refunds of the patient: the deleted one is gone",
    want: { operationId: "listPatientRefunds", status: 200 },
    act: (t) => t.api.patientRefunds.list({ patient_external_id: ids.patient, sort: "amount_cents" }, t.o),
    behaves: (page, s) => {
      expect(patientRefundIds(page)).not.toContain(need(s, "patientRefund").patient_refund_id);
      expect(page.items.map((r) => r.amount_cents)).toEqual([4000]);
    },
  }),
  step({
    name: "get a patient refund by a malformed id",
    want: { operationId: "getPatientRefund", status: 404, errorName: "EntityNotFoundError" },
    route: "direct",
    act: (t) => t.api.patientRefunds.get("not-a-uuid", t.o),
    errorContent: (content) => expect(content).toEqual({ id: "not-a-uuid" }),
  }),
];

const payerListCases: {
  name: string;
  query: ListNonInsurancePayerRefundsQuery;
  want: ("payerRefund" | "otherPayerRefund")[];
}[] = [
  { name: "by payer", query: { non_insurance_payer_id: ids.payer }, want: ["payerRefund"] },
  {
    name: "by check numbers, as repeated keys, sorted by amount ascending",
    query: { check_number: ["5001", "5002"], sort: "amount_cents", sort_direction: "asc" },
    want: ["otherPayerRefund", "payerRefund"],
  },
  { name: "by check number", query: { check_number: ["5002"] }, want: ["otherPayerRefund"] },
  { name: "by invoice", query: { invoice_id: ids.invoice }, want: ["payerRefund"] },
];

const payerRefundScenarios: Scenario[] = [
  step<NonInsurancePayerRefund>({
    name: "create a non-insurance payer refund on a claim",
    want: { operationId: "createNonInsurancePayerRefund", status: 200 },
    act: (t) => t.api.nonInsurancePayerRefunds.create(payerRefundCreate, t.o),
    keep: (refund, s) => {
      s.payerRefund = refund;
    },
    behaves: (refund) => {
      const { non_insurance_payer_id, allocations: _, ...fields } = payerRefundCreate;
      expect(refund).toMatchObject(fields);
      expect(refund.non_insurance_payer).toEqual({
        non_insurance_payer_id,
        name: "Contract Research Fund",
        enabled: true,
        clinical_trials: [],
      });
      expect(refund.allocations.map((a) => a.target)).toEqual([
        { type: "claim", claim_id: ids.claim, encounter_id: ids.encounter },
      ]);
    },
  }),
  step<NonInsurancePayerRefund>({
    name: "create another payer's refund without allocations",
    want: { operationId: "createNonInsurancePayerRefund", status: 200 },
    act: (t) => t.api.nonInsurancePayerRefunds.create(otherPayerRefundCreate, t.o),
    keep: (refund, s) => {
      s.otherPayerRefund = refund;
    },
    behaves: (refund) => expect(refund.allocations).toEqual([]),
  }),
  step<NonInsurancePayerRefund>({
    name: "get the non-insurance payer refund as created",
    want: { operationId: "getNonInsurancePayerRefund", status: 200 },
    act: (t) => t.api.nonInsurancePayerRefunds.get(need(t, "payerRefund").non_insurance_payer_refund_id, t.o),
    behaves: (refund, s) => expect(refund).toEqual(need(s, "payerRefund")),
  }),
  ...payerListCases.map(({ name, query, want }) =>
    step<NonInsurancePayerRefundsPage>({
      name: `list non-insurance payer refunds ${name}`,
      want: { operationId: "listNonInsurancePayerRefunds", status: 200 },
      act: (t) => t.api.nonInsurancePayerRefunds.list(query, t.o),
      behaves: (page, s) =>
        expect(payerRefundIds(page)).toEqual(want.map((k) => need(s, k).non_insurance_payer_refund_id)),
    }),
  ),
  step<NonInsurancePayerRefund[]>({
    name: "listAll non-insurance payer refunds one per page",
    want: { operationId: "listNonInsurancePayerRefunds", status: 200 },
    act: (t) => all(t.api.nonInsurancePayerRefunds.listAll({ limit: 1, sort: "amount_cents" }, t.o)),
    behaves: (refunds, s) =>
      expect(payerRefundIds(refunds)).toEqual([
        need(s, "payerRefund").non_insurance_payer_refund_id,
        need(s, "otherPayerRefund").non_insurance_payer_refund_id,
      ]),
  }),
  step<NonInsurancePayerRefund>({
    name: "update a non-insurance payer refund: set note, reason and invoice",
    want: { operationId: "updateNonInsurancePayerRefund", status: 200 },
    act: (t) =>
      t.api.nonInsurancePayerRefunds.update(
        need(t, "payerRefund").non_insurance_payer_refund_id,
        {
          refund_note: { type: "set", value: "Reissued." },
          refund_reason: { type: "set", value: "TRANSFER" },
          invoice_id: { type: "set", value: ids.otherInvoice },
        } satisfies NonInsurancePayerRefundUpdate,
        t.o,
      ),
    behaves: (refund, s) =>
      expect(refund).toEqual({
        ...need(s, "payerRefund"),
        refund_note: "Reissued.",
        refund_reason: "TRANSFER",
        invoice_id: ids.otherInvoice,
      }),
  }),
  step<NonInsurancePayerRefund>({
    name: "update a non-insurance payer refund: remove note, reason and invoice",
    want: { operationId: "updateNonInsurancePayerRefund", status: 200 },
    act: (t) =>
      t.api.nonInsurancePayerRefunds.update(
        need(t, "payerRefund").non_insurance_payer_refund_id,
        { refund_note: { type: "remove" }, refund_reason: { type: "remove" }, invoice_id: { type: "remove" } },
        t.o,
      ),
    behaves: (refund, s) => {
      const { refund_note: _n, refund_reason: _r, invoice_id: _i, ...rest } = need(s, "payerRefund");
      expect(refund).toEqual(rest);
    },
  }),
  step({
    name: "create a non-insurance payer refund for a payer the server does not know",
    want: { operationId: "createNonInsurancePayerRefund", status: 404, errorName: "EntityNotFoundError" },
    prefer: "code=404",
    act: (t) =>
      t.api.nonInsurancePayerRefunds.create({ ...payerRefundCreate, non_insurance_payer_id: ids.missing }, t.o),
    errorContent: (content) => expect(content).toEqual({ id: ids.missing }),
  }),
  step({
    name: "create a non-insurance payer refund for a disabled payer",
    want: { operationId: "createNonInsurancePayerRefund", status: 422, errorName: "UnprocessableEntityError" },
    prefer: "code=422",
    act: (t) =>
      t.api.nonInsurancePayerRefunds.create({ ...payerRefundCreate, non_insurance_payer_id: ids.disabledPayer }, t.o),
    errorContent: (content) => expect(content.message).toMatch(/disabled|enabled/i),
  }),
  step({
    name: "create a non-insurance payer refund with a negative amount",
    want: { operationId: "createNonInsurancePayerRefund", status: 422, errorName: "UnprocessableEntityError" },
    route: "direct",
    act: (t) => t.api.nonInsurancePayerRefunds.create({ ...payerRefundCreate, amount_cents: -1 }, t.o),
    errorContent: (content) => expect(content.message).toMatch(/amount_cents/),
  }),
  step({
    name: "list non-insurance payer refunds sorted by a field it cannot sort by",
    want: { operationId: "listNonInsurancePayerRefunds", status: 422, errorName: "UnprocessableEntityError" },
    route: "direct",
    act: (t) =>
      t.api.nonInsurancePayerRefunds.list(breaking<ListNonInsurancePayerRefundsQuery>({ sort: "refund_note" }), t.o),
    errorContent: (content) => expect(content.message).toMatch(/sort/),
  }),
  step({
    name: "update a non-insurance payer refund with a note update of no known type",
    want: { operationId: "updateNonInsurancePayerRefund", status: 422, errorName: "UnprocessableEntityError" },
    route: "direct",
    act: (t) =>
      t.api.nonInsurancePayerRefunds.update(
        need(t, "payerRefund").non_insurance_payer_refund_id,
        breaking<NonInsurancePayerRefundUpdate>({ refund_note: { type: "append", value: "x" } }),
        t.o,
      ),
    errorContent: (content) => expect(content.message).toMatch(/refund_note/),
  }),
  step({
    name: "delete a non-insurance payer refund with a query parameter the operation does not know",
    want: { operationId: "deleteNonInsurancePayerRefund", status: 422, errorName: "UnprocessableEntityError" },
    prefer: "code=422",
    act: (t) =>
      t
        .client({ query: { force: "true" } })
        .nonInsurancePayerRefunds.delete(need(t, "payerRefund").non_insurance_payer_refund_id, t.o),
    errorContent: (content) => expect(content.message).toMatch(/force/),
  }),
  step<undefined>({
    name: "delete the non-insurance payer refund",
    want: { operationId: "deleteNonInsurancePayerRefund", status: 200 },
    act: (t) =>
      t.api.nonInsurancePayerRefunds.delete(
        need(t, "payerRefund").non_insurance_payer_refund_id,
        t.o,
      ) as Promise<undefined>,
    behaves: (result) => expect(result).toBeUndefined(),
  }),
  step({
    name: "get the deleted non-insurance payer refund",
    want: { operationId: "getNonInsurancePayerRefund", status: 404, errorName: "EntityNotFoundError" },
    prefer: "code=404",
    act: (t) => t.api.nonInsurancePayerRefunds.get(need(t, "payerRefund").non_insurance_payer_refund_id, t.o),
    errorContent: (content, s) => expect(content).toEqual({ id: need(s, "payerRefund").non_insurance_payer_refund_id }),
  }),
  step({
    name: "update the deleted non-insurance payer refund",
    want: { operationId: "updateNonInsurancePayerRefund", status: 404, errorName: "EntityNotFoundError" },
    prefer: "code=404",
    act: (t) =>
      t.api.nonInsurancePayerRefunds.update(
        need(t, "payerRefund").non_insurance_payer_refund_id,
        { refund_note: { type: "remove" } },
        t.o,
      ),
    errorContent: (content, s) => expect(content).toEqual({ id: need(s, "payerRefund").non_insurance_payer_refund_id }),
  }),
  step({
    name: "delete the deleted non-insurance payer refund",
    want: { operationId: "deleteNonInsurancePayerRefund", status: 404, errorName: "EntityNotFoundError" },
    prefer: "code=404",
    act: (t) => t.api.nonInsurancePayerRefunds.delete(need(t, "payerRefund").non_insurance_payer_refund_id, t.o),
    errorContent: (content, s) => expect(content).toEqual({ id: need(s, "payerRefund").non_insurance_payer_refund_id }),
  }),
  step<NonInsurancePayerRefundsPage>({
    name: "list non-insurance payer refunds: only the other one is left",
    want: { operationId: "listNonInsurancePayerRefunds", status: 200 },
    act: (t) => t.api.nonInsurancePayerRefunds.list({}, t.o),
    behaves: (page, s) =>
      expect(payerRefundIds(page)).toEqual([need(s, "otherPayerRefund").non_insurance_payer_refund_id]),
  }),
];

/** The whole suite, in the order it runs. */
export const scenarios: Scenario[] = [...authScenarios, ...patientRefundScenarios, ...payerRefundScenarios];
