import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSeed, type PaidBalance } from "../../src/index.js";
import { type Harness, startHarness } from "../support/harness.js";
import { random } from "../support/refunds.js";

const pr = "/api/patient-refunds/v1";
const r = random(7);
const anyId = "12121212-1212-4121-8121-121212121212";

// Each case gets its own targets, so cases do not share balances.
const targets = Array.from({ length: 40 }, () => r.uuid());
const serviceLine = (id: string) =>
  ({ type: "service_line", claim_id: anyId, encounter_id: anyId, service_line_id: id }) as const;
const paid = (id: string, cents: number): PaidBalance => ({
  target: serviceLine(id),
  patient_paid_amount_cents: cents,
});
const create = (patient: string, allocations: [string | null, number][], raise = true) => ({
  amount_cents: allocations.reduce((n, [, cents]) => n + cents, 0),
  patient_external_id: patient,
  raise_on_overdraft: raise,
  allocations: allocations.map(([id, cents]) => ({
    amount_cents: cents,
    target: id ? { type: "service_line_by_id", value: id } : { type: "unattributed" },
  })),
});
const detail = (id: string | null, paidCents: number, current: number, overage: number, amount: number) => ({
  // Unknown service lines resolve to derived claim and encounter ids; the balance is the service line's.
  allocation_target: id
    ? expect.objectContaining({ type: "service_line", service_line_id: id })
    : { type: "unattributed" },
  patient_paid_amount_cents: paidCents,
  current_balance_cents: current,
  overage_amount_cents: overage,
  error_message: `Allocating ${amount} cents to ${id ? `service line ${id}` : "the unattributed balance of patient PAT-O"} would overdraw its balance by ${overage} cents.`,
});

const [a, b, c, d, e, f, g] = targets as [string, string, string, string, string, string, string];
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    seed: {
      ...defaultSeed,
      balances: [
        ...(defaultSeed.balances ?? []),
        paid(a, 1000),
        paid(b, 1000),
        paid(c, 1000),
        paid(d, 1000),
        paid(e, 100),
        { target: { type: "unattributed" }, patient_external_id: "PAT-O", patient_paid_amount_cents: 300 },
      ],
    },
  });
});
afterAll(() => h?.close());

describe("raise_on_overdraft: true", () => {
  it.each([
    { name: "within the balance", given: create("P", [[a, 600]]), want: [] },
    { name: "the whole balance", given: create("P", [[b, 1000]]), want: [] },
    { name: "one cent over", given: create("P", [[c, 1001]]), want: [detail(c, 1000, 1000, 1, 1001)] },
    { name: "a target nothing was paid toward", given: create("P", [[f, 50]]), want: [detail(f, 0, 0, 50, 50)] },
    { name: "a zero allocation to such a target", given: create("P", [[g, 0]]), want: [] },
    {
      name: "two allocations to one target that together overdraw it",
      given: create("P", [
        [d, 600],
        [d, 600],
      ]),
      want: [detail(d, 1000, 400, 200, 600)],
    },
    {
      name: "two overdrawn targets",
      given: create("P", [
        [e, 150],
        [f, 10],
      ]),
      want: [detail(e, 100, 100, 50, 150), detail(f, 0, 0, 10, 10)],
    },
    { name: "the patient's unattributed balance", given: create("PAT-O", [[null, 300]]), want: [] },
    { name: "another patient's unattributed balance", given: create("PAT-X", [[null, 1]]), want: "other-patient" },
  ])("$name", async ({ given, want }) => {
    const count = async () => (await h.request("GET", `${pr}?limit=999`)).body.items.length;
    const before = await count();
    const reply = await h.request("POST", pr, { body: given });
    if (Array.isArray(want) && want.length === 0) {
      expect(reply.status).toBe(200);
      expect(await count()).toBe(before + 1);
      return;
    }
    expect(reply.status).toBe(422);
    expect(reply.body.errorName).toBe("ReallocationWouldOverdraftError");
    if (Array.isArray(want)) {
      expect(reply.body.content).toEqual({ messages: want.map((x) => x.error_message), allocation_details: want });
    } else {
      expect(reply.body.content.messages).toEqual([
        "Allocating 1 cents to the unattributed balance of patient PAT-X would overdraw its balance by 1 cents.",
      ]);
    }
    // A refused refund is not recorded and takes nothing.
    expect(await count()).toBe(before);
  });
});

describe("balances over time", () => {
  it("without the flag an overdraft is recorded, and later flagged refunds see the negative balance", async () => {
    const id = targets[20] as string;
    expect((await h.request("POST", pr, { body: create("P", [[id, 70]], false) })).status).toBe(200);
    const reply = await h.request("POST", pr, { body: create("P", [[id, 5]]) });
    expect(reply.body.content.allocation_details).toEqual([detail(id, 0, -70, 75, 5)]);
  });

  it("deleting a refund gives its amount back", async () => {
    const id = targets[21] as string;
    const balance = async () =>
      (await h.request("POST", pr, { body: create("P", [[id, 1]]) })).body.content.allocation_details[0]
        .current_balance_cents;
    const taken = (await h.request("POST", pr, { body: create("P", [[id, 40]], false) })).body;
    expect(await balance()).toBe(-40);
    expect((await h.request("DELETE", `${pr}/${taken.patient_refund_id}`)).status).toBe(200);
    expect(await balance()).toBe(0);
  });

  it("seeded refunds count against the seeded balances", async () => {
    // PAT-00042 paid 3000 unattributed; the seeded STRIPE refund took 1200.
    const reply = await h.request("POST", pr, {
      body: {
        amount_cents: 1801,
        patient_external_id: "PAT-00042",
        raise_on_overdraft: true,
        allocations: [{ amount_cents: 1801, target: { type: "unattributed" } }],
      },
    });
    expect(reply.body.content.allocation_details[0]).toMatchObject({
      patient_paid_amount_cents: 3000,
      current_balance_cents: 1800,
      overage_amount_cents: 1,
    });
  });

  it("concurrent flagged refunds never overdraw a balance together", async () => {
    const id = targets[22] as string;
    const server = await startHarness({ seed: { balances: [paid(id, 1000)] } });
    try {
      const replies = await Promise.all(
        Array.from({ length: 30 }, () => server.request("POST", pr, { body: create("P", [[id, 100]]) })),
      );
      expect(replies.filter((x) => x.status === 200)).toHaveLength(10);
      expect(replies.filter((x) => x.status === 422)).toHaveLength(20);
    } finally {
      await server.close();
    }
  });
});
