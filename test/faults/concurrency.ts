// Concurrency: a thousand creates and a thousand updates in flight at once, on every store. Every acknowledged write
// is there exactly once with what was sent, nothing is torn or lost, and pages read meanwhile neither repeat nor skip.
import { defaultSeed } from "@refunds-api/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultServer, rawRequest, startFaultServer, type storeKinds } from "./support.js";

const base = "/api/patient-refunds/v1";
const serviceLine = "9c3a4d5e-6f70-4b82-8c9d-1e2f3a4b5c60";
const reasons = ["OVERCHARGED", "ENTERED_IN_ERROR", "TRANSFER"];

type Refund = { patient_refund_id: string; amount_cents: number; [key: string]: unknown };

/** The concurrency suite on a server over a store of `kind`: concurrency.test.ts (memory), concurrency.embedded.test.ts. */
export function describeConcurrency(kind: (typeof storeKinds)[number]): void {
  describe(`concurrency, ${kind} store`, () => {
    let s: FaultServer;
    // A connection per request: a reused keep-alive connection can meet the server closing it as idle, a race of
    // HTTP/1.1 itself that clients answer by retrying, and no fault of the server's.
    const call = async (method: string, path: string, body?: unknown) => {
      const reply = await rawRequest(s.url, {
        method,
        path,
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: reply.status, body: reply.json };
    };
    const create = (patient: string, amount: number, extra: Record<string, unknown> = {}) =>
      call("POST", base, {
        amount_cents: amount,
        patient_external_id: patient,
        allocations: [{ amount_cents: amount, target: { type: "unattributed" } }],
        ...extra,
      });
    /** Every page of a patient's refunds, by amount; fails on a repeated id. */
    const walk = async (patient: string, limit: number): Promise<Refund[]> => {
      const rows: Refund[] = [];
      let token: string | undefined;
      do {
        const q = new URLSearchParams({ patient_external_id: patient, sort: "amount_cents", sort_direction: "asc" });
        q.set("limit", String(limit));
        if (token) q.set("page_token", token);
        const page = await call("GET", `${base}?${q}`);
        expect(page.status).toBe(200);
        rows.push(...page.body.items);
        token = page.body.next_page_token;
      } while (token);
      return rows;
    };

    beforeAll(async () => {
      s = await startFaultServer({ kind, seed: defaultSeed, level: "warn" });
    });
    afterAll(() => s?.stop());

    it("1,000 concurrent creates: each acknowledged one stored once, counts and sums exact, pages never repeat or skip", async () => {
      const patient = `CONC-CREATE-${kind}`;
      // Refunds there before the inserts: every walk of the pages must meet each of them exactly once.
      const stable = await Promise.all(Array.from({ length: 40 }, (_, i) => create(patient, 1_000_000 + i)));
      const stableIds = stable.map((r) => r.body.patient_refund_id as string);

      let inserting = true;
      const walks: Refund[][] = [];
      const walker = (async () => {
        while (inserting) walks.push(await walk(patient, 97));
      })();
      const created = await Promise.all(Array.from({ length: 1000 }, (_, i) => create(patient, i + 1)));
      inserting = false;
      await walker;

      expect(created.map((r) => r.status)).toEqual(Array(1000).fill(200));
      const ids = created.map((r) => r.body.patient_refund_id as string);
      expect(new Set(ids).size).toBe(1000);

      expect(walks.length).toBeGreaterThan(0);
      for (const rows of walks) {
        const seen = rows.map((r) => r.patient_refund_id);
        expect(new Set(seen).size, "a page repeated a refund").toBe(seen.length);
        for (const id of stableIds) expect(seen, "a page skipped a refund").toContain(id);
        const amounts = rows.map((r) => r.amount_cents);
        expect(amounts).toEqual([...amounts].sort((a, b) => a - b));
      }

      const all = await walk(patient, 999);
      expect(all.length).toBe(1040);
      expect(new Set(all.map((r) => r.patient_refund_id))).toEqual(new Set([...stableIds, ...ids]));
      const sum = all.reduce((total, r) => total + r.amount_cents, 0);
      expect(sum).toBe(500_500 + 40 * 1_000_000 + 780);
      const byId = new Map(all.map((r) => [r.patient_refund_id, r]));
      for (const reply of created) expect(byId.get(reply.body.patient_refund_id)).toEqual(reply.body);
    }, 120_000);

    it("1,000 concurrent updates of 50 refunds: no update torn or lost", async () => {
      const patient = `CONC-UPDATE-${kind}`;
      const refunds = (await Promise.all(Array.from({ length: 50 }, (_, i) => create(patient, 100 + i)))).map(
        (r) => r.body as Refund,
      );
      // Even updates set a note and a timestamp, odd ones a reason and an invoice: two fields each, from one update.
      const stamp = (k: number) => new Date(Date.UTC(2024, 0, 1) + k * 60_000).toISOString();
      const invoice = (k: number) => `00000000-0000-4000-8000-${String(k).padStart(12, "0")}`;
      const update = (k: number) =>
        k % 2 === 0
          ? { refund_note: { type: "set", value: `note-${k}` }, refund_timestamp: stamp(k) }
          : { refund_reason: { type: "set", value: reasons[k % 3] }, invoice: { type: "set", value: invoice(k) } };
      // Twenty consecutive updates per refund, so each gets both kinds.
      const target = (k: number) => refunds[Math.floor(k / 20)] as Refund;
      const replies = await Promise.all(
        Array.from({ length: 1000 }, (_, k) => call("PATCH", `${base}/${target(k).patient_refund_id}`, update(k))),
      );

      replies.forEach((reply, k) => {
        expect(reply.status).toBe(200);
        // Each answer shows its own update applied whole.
        if (k % 2 === 0) expect([reply.body.refund_note, reply.body.refund_timestamp]).toEqual([`note-${k}`, stamp(k)]);
        else expect([reply.body.refund_reason, reply.body.invoice]).toEqual([reasons[k % 3], invoice(k)]);
      });

      for (const [j, before] of refunds.entries()) {
        const { body: after } = await call("GET", `${base}/${before.patient_refund_id}`);
        const mine = Array.from({ length: 20 }, (_, i) => j * 20 + i);
        // Both kinds of update survive (none was overwritten with a stale copy), each pair from one update.
        const note = mine.find((k) => k % 2 === 0 && after.refund_note === `note-${k}`);
        expect(note, JSON.stringify(after)).toBeDefined();
        expect(after.refund_timestamp).toBe(stamp(note as number));
        const other = mine.find((k) => k % 2 === 1 && after.invoice === invoice(k));
        expect(other, JSON.stringify(after)).toBeDefined();
        expect(after.refund_reason).toBe(reasons[(other as number) % 3]);
        // What no update touched stays as it was.
        const { refund_note, refund_timestamp, refund_reason, invoice: _, ...rest } = after;
        expect(rest).toEqual(before);
      }
    }, 120_000);

    it("200 concurrent overdraft-checked creates on one balance: exactly as many succeed as it covers", async () => {
      const patient = `CONC-BALANCE-${kind}`;
      const allocate = (cents: number) =>
        create(patient, cents, {
          raise_on_overdraft: true,
          allocations: [{ amount_cents: cents, target: { type: "service_line_by_id", value: serviceLine } }],
        });
      const balance = async () => {
        const probe = await allocate(Number.MAX_SAFE_INTEGER);
        expect(probe.body.errorName).toBe("ReallocationWouldOverdraftError");
        return probe.body.content.allocation_details[0].current_balance_cents as number;
      };
      const before = await balance();
      expect(before).toBeGreaterThan(0);
      const replies = await Promise.all(Array.from({ length: 200 }, () => allocate(100)));
      const succeeded = replies.filter((r) => r.status === 200).length;
      const refused = replies.filter((r) => r.status === 422 && r.body.errorName === "ReallocationWouldOverdraftError");
      expect(succeeded).toBe(Math.min(200, Math.floor(before / 100)));
      expect(succeeded + refused.length).toBe(200);
      expect(await balance()).toBe(before - succeeded * 100);
    });
  });
}
