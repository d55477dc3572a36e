// msw.test.ts in the scratch project: a vitest file of a team that installed the packed packages and msw from npm.
// It mocks the API with `createRefundsHandlers()` from `@refunds-api/testing/msw` under `setupServer()` (msw/node),
// no server and no port, and drives it with the packed client: the handlers keep state and apply the API's rules,
// and refuse an invalid create with the very 422 body the reference server (`startServer()`) answers. The packaging
// test runs it with the team's own vitest and reads its report.
import {
  createRefundsClient,
  EntityNotFoundError,
  type PatientRefundCreate,
  ReallocationWouldOverdraftError,
  UnprocessableEntityError,
} from "@refunds-api/client";
import { type RunningServer, startServer } from "@refunds-api/testing";
import { createRefundsHandlers, type RefundsHandlers } from "@refunds-api/testing/msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const baseUrl = "https://refunds.example.test";
const refunds: RefundsHandlers = createRefundsHandlers({ baseUrl });
const msw = setupServer(...refunds);
const client = createRefundsClient({ baseUrl, auth: refunds.token, maxRetries: 0 });

// A service line of the default seed: its balance is 5000 cents.
const serviceLine = "9c3a4d5e-6f70-4b82-8c9d-1e2f3a4b5c60";
const onServiceLine = (amount: number): PatientRefundCreate => ({
  amount_cents: amount,
  patient_external_id: "PAT-MSW-1",
  raise_on_overdraft: true,
  allocations: [{ amount_cents: amount, target: { type: "service_line_by_id", value: serviceLine } }],
});
const invalid = JSON.stringify({ amount_cents: -5, patient_external_id: "PAT-MSW-1", colour: "blue", allocations: [] });

let reference: RunningServer | undefined;
beforeAll(async () => {
  // Requests to the reference server on 127.0.0.1 pass; anything else the handlers do not answer is an error.
  msw.listen({
    onUnhandledRequest: (request, print) => {
      if (new URL(request.url).hostname !== "127.0.0.1") print.error();
    },
  });
  reference = await startServer();
});
afterEach(() => refunds.reset());
afterAll(async () => {
  msw.close();
  await reference?.stop();
});

describe("createRefundsHandlers() under setupServer()", () => {
  it("creates, lists, updates and deletes a refund, keeping state between requests", async () => {
    const created = await client.patientRefunds.create(onServiceLine(1200));
    // A rule of the service: the target by id is resolved to the service line's claim and encounter.
    expect(created.allocations[0]?.target).toMatchObject({ type: "service_line", service_line_id: serviceLine });
    expect(created.allocations[0]?.target).toHaveProperty("claim_id");

    const listed = await client.patientRefunds.list({ patient_external_id: "PAT-MSW-1" });
    expect(listed.items.map((refund) => refund.patient_refund_id)).toEqual([created.patient_refund_id]);

    const updated = await client.patientRefunds.update(created.patient_refund_id, {
      refund_note: { type: "set", value: "Checked." },
    });
    expect(updated).toMatchObject({ refund_note: "Checked.", amount_cents: 1200 });
    expect((await client.patientRefunds.get(created.patient_refund_id)).refund_note).toBe("Checked.");

    await client.patientRefunds.delete(created.patient_refund_id);
    await expect(client.patientRefunds.get(created.patient_refund_id)).rejects.toBeInstanceOf(EntityNotFoundError);
    expect((await refunds.requests()).map((entry) => `${entry.operationId} ${entry.status}`)).toEqual([
      "createPatientRefund 200",
      "listPatientRefunds 200",
      "updatePatientRefund 200",
      "getPatientRefund 200",
      "deletePatientRefund 200",
      "getPatientRefund 404",
    ]);
  });

  it("applies the balance rule to what earlier requests allocated", async () => {
    await client.patientRefunds.create(onServiceLine(3000));
    const error = await client.patientRefunds.create(onServiceLine(3000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReallocationWouldOverdraftError);
    expect((error as ReallocationWouldOverdraftError).content.allocation_details?.[0]).toMatchObject({
      current_balance_cents: 2000,
      overage_amount_cents: 1000,
    });
  });

  it("starts again from the seed after reset()", async () => {
    const created = await client.patientRefunds.create(onServiceLine(100));
    await refunds.reset();
    await expect(client.patientRefunds.get(created.patient_refund_id)).rejects.toBeInstanceOf(EntityNotFoundError);
  });

  it("fails the next call as inject() says", async () => {
    await refunds.inject({ operationId: "listPatientRefunds", status: 503 });
    await expect(client.patientRefunds.list()).rejects.toMatchObject({ status: 503 });
    expect((await client.patientRefunds.list()).items.length).toBeGreaterThan(0);
  });

  it("refuses an invalid create with the reference server's 422, byte for byte", async () => {
    const error = await client.patientRefunds
      .create(JSON.parse(invalid) as PatientRefundCreate)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessableEntityError);

    const send = (url: string, token: string) =>
      fetch(`${url}/api/patient-refunds/v1`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: invalid,
      });
    const fromHandlers = await send(baseUrl, refunds.token);
    const fromServer = await send(reference?.url ?? "", reference?.token ?? "");
    const body = await fromHandlers.text();
    expect(fromHandlers.status).toBe(422);
    expect(fromHandlers.headers.get("content-type")).toBe(fromServer.headers.get("content-type"));
    expect(body).toBe(await fromServer.text());
    expect(JSON.parse(body)).toEqual({
      errorName: "UnprocessableEntityError",
      content: { message: expect.stringContaining("body.amount_cents: must be at least 0") },
    });
    expect(JSON.parse(body).content.message).toContain("body.colour: is not a known field");
  });
});
