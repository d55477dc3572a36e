// The behaviour every store must have, as one table-driven suite any implementation can run.

import type { PatientRefund, PatientRefundSortField } from "@refunds-api/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PatientRefundFilter, Store } from "../../src/index.js";
import { modelSort, patientRefunds, pools } from "../support/refunds.js";

const id = (r: PatientRefund) => r.patient_refund_id;

/** Reads every row of a list by following cursors, `limit` at a time. */
async function readAll(
  store: Store,
  filter: PatientRefundFilter,
  sort: PatientRefundSortField,
  order: "asc" | "desc",
  limit: number,
) {
  const rows: PatientRefund[] = [];
  let after: { value: string | number | null; id: string } | undefined;
  for (;;) {
    const page = await store.patientRefunds.list({ filter, sort, order, limit, after });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    rows.push(...page.items);
    const last = page.items[page.items.length - 1];
    if (!page.more || !last) return rows;
    after = { value: (last[sort] as string | number | undefined) ?? null, id: id(last) };
  }
}

/** Runs the store contract against stores made by `make`. */
export function describeStoreContract(name: string, make: () => Promise<Store>) {
  describe(`${name} store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(() => store.close());

    it("gets what it inserted, and refuses a second row with the same id", async () => {
      const [row] = patientRefunds(1);
      await store.patientRefunds.insert(row as PatientRefund);
      expect(await store.patientRefunds.get(id(row as PatientRefund))).toEqual(row);
      await expect(store.patientRefunds.insert(row as PatientRefund)).rejects.toThrow();
      expect(await store.patientRefunds.get("00000000-0000-4000-8000-000000000000")).toBeUndefined();
    });

    it("updates atomically and moves the row to its new place in every order", async () => {
      const rows = patientRefunds(50, 3);
      for (const row of rows) await store.patientRefunds.insert(row);
      const target = rows[7] as PatientRefund;
      const updated = await store.patientRefunds.update(id(target), (r) => ({
        ...r,
        amount_cents: 999_999,
        refund_note: "~last",
      }));
      expect(updated).toMatchObject({ amount_cents: 999_999, refund_note: "~last" });
      expect(await store.patientRefunds.get(id(target))).toEqual(updated);
      const next = rows.map((r) => (id(r) === id(target) ? (updated as PatientRefund) : r));
      for (const sort of ["amount_cents", "refund_note", "refund_source"] as const) {
        expect((await readAll(store, {}, sort, "desc", 7)).map(id)).toEqual(modelSort(next, sort, "desc", id).map(id));
      }
      expect(await store.patientRefunds.update("00000000-0000-4000-8000-000000000000", (r) => r)).toBeUndefined();
      await expect(
        store.patientRefunds.update(id(target), (r) => ({ ...r, patient_refund_id: "other" })),
      ).rejects.toThrow();
    });

    it("deletes once", async () => {
      const [row] = patientRefunds(1, 4) as [PatientRefund];
      await store.patientRefunds.insert(row);
      expect(await store.patientRefunds.delete(id(row))).toBe(true);
      expect(await store.patientRefunds.delete(id(row))).toBe(false);
      expect(await store.patientRefunds.get(id(row))).toBeUndefined();
      expect((await readAll(store, {}, "amount_cents", "asc", 10)).length).toBe(0);
    });

    it("continues after a cursor whose row was deleted", async () => {
      const rows = patientRefunds(30, 5);
      for (const row of rows) await store.patientRefunds.insert(row);
      const sorted = modelSort(rows, "amount_cents", "asc", id);
      const cursorRow = sorted[9] as PatientRefund;
      await store.patientRefunds.delete(id(cursorRow));
      const page = await store.patientRefunds.list({
        filter: {},
        sort: "amount_cents",
        order: "asc",
        limit: 5,
        after: { value: cursorRow.amount_cents, id: id(cursorRow) },
      });
      expect(page.items.map(id)).toEqual(sorted.slice(10, 15).map(id));
      expect(page.more).toBe(true);
    });

    it("inserts a batch at once: every row, in every order and filter", async () => {
      const rows = patientRefunds(300, 11);
      await store.patientRefunds.insertMany(rows);
      await store.patientRefunds.insertMany([]);
      expect((await readAll(store, {}, "refund_note", "asc", 40)).map(id)).toEqual(
        modelSort(rows, "refund_note", "asc", id).map(id),
      );
      const claim = pools.claims[1] as string;
      const byClaim = rows.filter((r) =>
        r.allocations.some((a) => "claim_id" in a.target && a.target.claim_id === claim),
      );
      expect((await readAll(store, { claim_id: claim }, "amount_cents", "desc", 40)).map(id)).toEqual(
        modelSort(byClaim, "amount_cents", "desc", id).map(id),
      );
      expect(await store.patientRefunds.get(id(rows[123] as PatientRefund))).toEqual(rows[123]);
    });

    it.each([
      { name: "an id already stored", batch: (rows: PatientRefund[]) => [...rows.slice(3, 8), rows[0]] },
      { name: "an id twice in the batch", batch: (rows: PatientRefund[]) => [...rows.slice(3, 8), rows[4]] },
    ])("refuses a batch with $name and stores none of it", async ({ batch }) => {
      const rows = patientRefunds(10, 12);
      await store.patientRefunds.insertMany(rows.slice(0, 3));
      await expect(store.patientRefunds.insertMany(batch(rows) as PatientRefund[])).rejects.toThrow(/exists already/);
      expect((await readAll(store, {}, "amount_cents", "asc", 10)).map(id).sort()).toEqual(
        rows.slice(0, 3).map(id).sort(),
      );
      expect(await readAll(store, { claim_id: pools.claims[0] }, "amount_cents", "asc", 10)).toEqual(
        modelSort(
          rows
            .slice(0, 3)
            .filter((r) => r.allocations.some((a) => "claim_id" in a.target && a.target.claim_id === pools.claims[0])),
          "amount_cents",
          "asc",
          id,
        ),
      );
    });

    it("charges balances, and a throwing guard stops the insert and the charge", async () => {
      const [first, second, third] = patientRefunds(3, 6) as [PatientRefund, PatientRefund, PatientRefund];
      const seen: number[] = [];
      const guard = (charged: ReadonlyMap<string, number>) => void seen.push(charged.get("k") ?? -1);
      await store.patientRefunds.insert(first, { charges: [{ key: "k", cents: 30 }], guard });
      await expect(
        store.patientRefunds.insert(second, {
          charges: [{ key: "k", cents: 5 }],
          guard: () => {
            throw new Error("no");
          },
        }),
      ).rejects.toThrow("no");
      expect(await store.patientRefunds.get(id(second))).toBeUndefined();
      await store.patientRefunds.insert(third, { charges: [{ key: "k", cents: 1 }], guard });
      await store.patientRefunds.delete(id(first));
      await store.patientRefunds.insert(second, { charges: [{ key: "k", cents: 1 }], guard });
      expect(seen).toEqual([0, 30, 1]);
    });

    it("resets: every row and charge gone, then the load runs, and the store works on as before", async () => {
      const [first, second, third] = patientRefunds(3, 9) as [PatientRefund, PatientRefund, PatientRefund];
      await store.patientRefunds.insert(first, { charges: [{ key: "k", cents: 30 }] });
      await store.patientRefunds.insertMany([second]);
      expect(store.reset).toBeTypeOf("function");
      await store.reset?.(async () => {
        await store.patientRefunds.insert(third, { charges: [{ key: "k", cents: 2 }] });
      });
      expect(await store.patientRefunds.get(id(first))).toBeUndefined();
      expect(await store.patientRefunds.get(id(second))).toBeUndefined();
      expect(await store.patientRefunds.get(id(third))).toEqual(third);
      expect((await readAll(store, {}, "amount_cents", "asc", 10)).map(id)).toEqual([id(third)]);
      // The first row's charge went with it: only the load's is left.
      const seen: number[] = [];
      await store.patientRefunds.insert(first, {
        charges: [{ key: "k", cents: 1 }],
        guard: (c) => void seen.push(c.get("k") ?? -1),
      });
      expect(seen).toEqual([2]);
      await store.reset?.();
      expect((await readAll(store, {}, "amount_cents", "asc", 10)).map(id)).toEqual([]);
      await store.patientRefunds.insertMany([first, second]);
      expect((await readAll(store, {}, "amount_cents", "asc", 10)).map(id).sort()).toEqual(
        [id(first), id(second)].sort(),
      );
    });

    // Filters narrow through indexes or scans depending on how selective they are; both must agree with the model.
    const filters: { name: string; filter: PatientRefundFilter; match: (r: PatientRefund) => boolean }[] = [
      { name: "none", filter: {}, match: () => true },
      {
        name: "a common patient",
        filter: { patient_external_id: "PAT-1" },
        match: (r) => r.patient_external_id === "PAT-1",
      },
      { name: "an unknown patient", filter: { patient_external_id: "nobody" }, match: () => false },
      {
        name: "a rare patient",
        filter: { patient_external_id: "PAT-RARE" },
        match: (r) => r.patient_external_id === "PAT-RARE",
      },
      {
        name: "a rare patient and a common source",
        filter: { patient_external_id: "PAT-RARE", sources: ["STRIPE", "MANUAL_ENTRY", "SQUARE"] },
        match: (r) =>
          r.patient_external_id === "PAT-RARE" && ["STRIPE", "MANUAL_ENTRY", "SQUARE"].includes(r.refund_source),
      },
      { name: "a rare source", filter: { sources: ["LOCKBOX"] }, match: (r) => r.refund_source === "LOCKBOX" },
      {
        name: "claim and not unattributed",
        filter: { claim_id: pools.claims[0], unattributed: false },
        match: (r) =>
          r.allocations.some((a) => "claim_id" in a.target && a.target.claim_id === pools.claims[0]) &&
          !r.allocations.some((a) => a.target.type === "unattributed"),
      },
    ];
    it.each(filters)("lists with filter $name in every order", async ({ filter, match }) => {
      const rows = patientRefunds(600, 8).map((r, i) =>
        i % 100 === 0 ? { ...r, patient_external_id: "PAT-RARE" } : r,
      );
      // In parallel: a database store takes them on several connections at once.
      await Promise.all(rows.map((row) => store.patientRefunds.insert(row)));
      for (const sort of ["refund_timestamp", "refund_reason"] as const) {
        for (const order of ["asc", "desc"] as const) {
          const want = modelSort(rows.filter(match), sort, order, id).map(id);
          expect((await readAll(store, filter, sort, order, 25)).map(id)).toEqual(want);
        }
      }
    });
  });
}
