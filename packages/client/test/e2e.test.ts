import { type RunningMock, startMock } from "@refunds-api/testing";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import {
  createRefundsClient,
  EntityNotFoundError,
  type NonInsurancePayerRefund,
  type NonInsurancePayerRefundsPage,
  type PatientRefund,
  type PatientRefundsPage,
  type RefundsClient,
  type TokenResponse,
  UnauthorizedError,
  UnprocessableEntityError,
} from "../src/index.js";
import { examples } from "./support/examples.js";

// The client against Prism serving the bundled spec: the real wire, answered with the spec's examples.
let mock: RunningMock;
let client: RefundsClient;
beforeAll(async () => {
  mock = await startMock();
  client = createRefundsClient({ baseUrl: mock.url, auth: { clientId: "client-1", clientSecret: "s3cret" } });
});
afterAll(() => mock?.stop());

const patientRefundId = examples.patientRefund.patient_refund_id;
const payerRefundId = examples.nonInsurancePayerRefund.non_insurance_payer_refund_id;

describe("against the Prism mock", () => {
  it("getToken", async () => {
    const token = await client.getToken(examples.tokenRequest);
    expectTypeOf(token).toEqualTypeOf<TokenResponse>();
    expect(token).toEqual(examples.tokenResponse);
  });

  it("patientRefunds: list, get, create, update, delete", async () => {
    const page = await client.patientRefunds.list({ sources: ["STRIPE", "SQUARE"], limit: 10, unattributed: true });
    expectTypeOf(page).toEqualTypeOf<PatientRefundsPage>();
    expect(page).toEqual(examples.patientRefundsPage);

    const got = await client.patientRefunds.get(patientRefundId);
    expectTypeOf(got).toEqualTypeOf<PatientRefund>();
    expect(got).toEqual(examples.patientRefund);

    const created = await client.patientRefunds.create(examples.patientRefundCreate);
    expectTypeOf(created).toEqualTypeOf<PatientRefund>();
    expect(created).toEqual(examples.patientRefund);

    const updated = await client.patientRefunds.update(patientRefundId, examples.patientRefundUpdate);
    expect(updated).toEqual(examples.patientRefund);

    const deleted = await client.patientRefunds.delete(patientRefundId);
    expectTypeOf(deleted).toEqualTypeOf<void>();
    expect(deleted).toBeUndefined();
  });

  it("nonInsurancePayerRefunds: list, get, create, update, delete", async () => {
    const page = await client.nonInsurancePayerRefunds.list({ check_number: ["1001", "1002"] });
    expectTypeOf(page).toEqualTypeOf<NonInsurancePayerRefundsPage>();
    expect(page).toEqual(examples.nonInsurancePayerRefundsPage);

    const got = await client.nonInsurancePayerRefunds.get(payerRefundId);
    expectTypeOf(got).toEqualTypeOf<NonInsurancePayerRefund>();
    expect(got).toEqual(examples.nonInsurancePayerRefund);

    const created = await client.nonInsurancePayerRefunds.create(examples.nonInsurancePayerRefundCreate);
    expect(created).toEqual(examples.nonInsurancePayerRefund);

    const updated = await client.nonInsurancePayerRefunds.update(payerRefundId, examples.nonInsurancePayerRefundUpdate);
    expect(updated).toEqual(examples.nonInsurancePayerRefund);

    expect(await client.nonInsurancePayerRefunds.delete(payerRefundId)).toBeUndefined();
  });

  it("listAll follows next_page_token to the last page", async () => {
    const payerRefunds: NonInsurancePayerRefund[] = [];
    for await (const refund of client.nonInsurancePayerRefunds.listAll()) payerRefunds.push(refund);
    expect(payerRefunds).toEqual(examples.nonInsurancePayerRefundsPage.items);

    // The mock's first page links onward; the page fetched by its token is the last.
    const patientRefunds: PatientRefund[] = [];
    for await (const refund of client.patientRefunds.listAll()) patientRefunds.push(refund);
    expect(patientRefunds).toEqual([...examples.patientRefundsPage.items, ...examples.patientRefundsPage.items]);
  });

  it.each([
    {
      name: "404 EntityNotFoundError",
      call: (c: RefundsClient) => c.patientRefunds.get(patientRefundId, { headers: { Prefer: "code=404" } }),
      want: EntityNotFoundError,
      content: examples.entityNotFoundError.content,
    },
    {
      name: "403 UnauthorizedError",
      call: (c: RefundsClient) => c.patientRefunds.list({}, { headers: { Prefer: "code=403" } }),
      want: UnauthorizedError,
      content: examples.unauthorizedError.content,
    },
    {
      name: "422 UnprocessableEntityError for a request the mock rejects",
      call: (c: RefundsClient) => c.patientRefunds.list({ limit: 5000 }),
      want: UnprocessableEntityError,
      // The violation named, in whichever wording the validator behind the mock has ("<= 999", "at most 999").
      content: { message: expect.stringMatching(/^query\.limit: must be .*999$/) },
    },
  ])("typed error: $name", async ({ call, want, content }) => {
    const error = await call(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(want);
    expect((error as InstanceType<typeof want>).content).toEqual(content);
  });

  it("a malformed id is an EntityNotFoundError naming it, as the real service answers", async () => {
    const error = await client.nonInsurancePayerRefunds.get("not-a-uuid").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EntityNotFoundError);
    expect(error).toMatchObject({ status: 404, content: { id: "not-a-uuid" } });
  });
});
