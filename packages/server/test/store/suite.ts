// The store suite, run against every store (memory, embedded PGlite, a PostgreSQL 15 server): the shared contract
// in contract.ts, then every filter and every sort of both tables in both directions, paging while rows come and
// go, balances, fidelity of what is stored, and concurrent writers.

import { randomUUID } from "node:crypto";
import type { NonInsurancePayer, NonInsurancePayerRefund, PatientRefund, PatientRefundFilter } from "@refunds-api/core";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RefundTable, Store } from "../../src/index.js";
import { modelSort, nonInsurancePayerRefunds, patientRefunds, pools } from "../support/refunds.js";
import { describeStoreContract } from "./contract.js";

const patientId = (r: PatientRefund) => r.patient_refund_id;
const payerRefundId = (r: NonInsurancePayerRefund) => r.non_insurance_payer_refund_id;

/** What the guard of an insert sees charged to `key`, without inserting anything. */
async function chargedTo(store: Store, key: string): Promise<number> {
  const [probe] = patientRefunds(1, 98) as [PatientRefund];
  let seen = -1;
  const stop = new Error("probe");
  await expect(
    store.patientRefunds.insert(probe, {
      charges: [{ key, cents: 0 }],
      guard: (map) => {
        seen = map.get(key) ?? -1;
        throw stop;
      },
    }),
  ).rejects.toBe(stop);
  return seen;
}

/** Every row of a list, following cursors `limit` at a time; fails on a page that repeats a row. */
async function readAll<T extends object, F, S extends string>(
  table: RefundTable<T, F, S>,
  id: (row: T) => string,
  filter: F,
  sort: S,
  order: "asc" | "desc",
  limit: number,
): Promise<T[]> {
  const rows: T[] = [];
  let after: { value: string | number | null; id: string } | undefined;
  for (;;) {
    const page = await table.list({ filter, sort, order, limit, after });
    rows.push(...page.items);
    const last = page.items[page.items.length - 1];
    if (!page.more || !last) break;
    after = { value: ((last as Record<string, unknown>)[sort] as string | number | undefined) ?? null, id: id(last) };
  }
  expect(new Set(rows.map(id)).size).toBe(rows.length);
  return rows;
}

// Values chosen to break a careless implementation: code point order against UTF-16 and collations, U+0000 and
// U+0001 (PostgreSQL text cannot hold U+0000), long shared prefixes (the note index holds 100 characters), text
// longer than a btree entry, and instants written differently or finer than a millisecond.
const trickyNotes = [
  "a\u0000b",
  "a\u0001",
  "a\u0000",
  "a",
  "B",
  "\uffff",
  "\ue000",
  "😀",
  "é",
  `${"n".repeat(150)}b`,
  `${"n".repeat(150)}a`,
  "x".repeat(6000),
];
const trickyPatients = ["PAT-\u0000", "PAT-\u0001", "P".repeat(4000)];
const trickyTimestamps = [
  "2024-01-15T09:30:00.1234Z",
  "2024-01-15T09:30:00.1239Z",
  "2024-01-15T10:30:00+01:00",
  "2024-01-15T04:00:00-05:30",
];

/** 160 varied patient refunds with the tricky values mixed in, and one appointment allocation. */
function trickyPatientRefunds(seed = 21): PatientRefund[] {
  return patientRefunds(160, seed).map((r, i) => {
    const row = { ...r };
    if (i % 9 === 0) row.refund_note = trickyNotes[(i / 9) % trickyNotes.length];
    if (i % 11 === 0) row.patient_external_id = trickyPatients[(i / 11) % trickyPatients.length] as string;
    if (i % 7 === 0) row.refund_timestamp = trickyTimestamps[(i / 7) % trickyTimestamps.length];
    if (i === 5) {
      row.allocations = [
        ...row.allocations,
        {
          amount_cents: 1,
          target: { type: "appointment", appointment_id: pools.claims[0] as string, patient_external_id: "PAT-9" },
          allocation_id: "0d0e0f10-1112-4314-8516-171819202122",
          allocated_on: "2024-01-01T00:00:00Z",
        },
      ];
    }
    return row;
  });
}

const payers: NonInsurancePayer[] = pools.payers.map((id, i) => ({
  non_insurance_payer_id: id,
  name: `Payer ${i}`,
  enabled: true,
  clinical_trials: [],
}));

/** 90 varied non-insurance payer refunds, some with tricky check numbers. */
function trickyPayerRefunds(): NonInsurancePayerRefund[] {
  return nonInsurancePayerRefunds(90, payers, 22).map((r, i) =>
    i % 8 === 0 ? { ...r, check_number: ["\u0000", "c".repeat(4000), "1001"][(i / 8) % 3] } : r,
  );
}

const targets = (r: PatientRefund) => r.allocations.map((a) => a.target as Record<string, unknown>);

const patientFilters: { name: string; filter: Parameters<Store["patientRefunds"]["list"]>[0]["filter"] }[] = [
  { name: "a patient", filter: { patient_external_id: "PAT-2" } },
  { name: "a patient holding U+0000", filter: { patient_external_id: "PAT-\u0000" } },
  { name: "a patient holding U+0001", filter: { patient_external_id: "PAT-\u0001" } },
  { name: "a patient id of 4,000 characters", filter: { patient_external_id: "P".repeat(4000) } },
  { name: "an unknown patient", filter: { patient_external_id: "nobody" } },
  { name: "a claim, directly or through a service line", filter: { claim_id: pools.claims[1] } },
  { name: "an unknown claim", filter: { claim_id: "66666666-0000-4000-8000-000000000000" } },
  { name: "a service line", filter: { service_line_id: pools.serviceLines[0] } },
  { name: "a billing provider", filter: { billing_provider_id: pools.providers[1] } },
  { name: "unattributed", filter: { unattributed: true } },
  { name: "not unattributed", filter: { unattributed: false } },
  { name: "an invoice", filter: { invoice_id: pools.invoices[0] } },
  { name: "one source", filter: { sources: ["SQUARE"] } },
  { name: "two sources", filter: { sources: ["STRIPE", "LOCKBOX"] } },
  { name: "no source at all", filter: { sources: [] } },
  {
    name: "everything at once",
    filter: {
      patient_external_id: "PAT-1",
      claim_id: pools.claims[0],
      service_line_id: pools.serviceLines[1],
      unattributed: false,
      sources: ["STRIPE", "SQUARE", "MANUAL_ENTRY", "CHARGEBEE"],
    },
  },
];

/** The model of a patient refund filter, written without the stores' code. */
function matchesPatient(f: (typeof patientFilters)[number]["filter"], r: PatientRefund): boolean {
  const has = (field: string, value: string | undefined) =>
    value === undefined || targets(r).some((t) => t[field] === value);
  return (
    (f.patient_external_id === undefined || r.patient_external_id === f.patient_external_id) &&
    (f.invoice_id === undefined || r.invoice === f.invoice_id) &&
    (f.sources === undefined || f.sources.includes(r.refund_source)) &&
    (f.unattributed === undefined || targets(r).some((t) => t.type === "unattributed") === f.unattributed) &&
    has("claim_id", f.claim_id) &&
    has("service_line_id", f.service_line_id) &&
    has("billing_provider_id", f.billing_provider_id)
  );
}

const payerFilters: { name: string; filter: Parameters<Store["nonInsurancePayerRefunds"]["list"]>[0]["filter"] }[] = [
  { name: "a payer", filter: { non_insurance_payer_id: pools.payers[0] } },
  { name: "one check number", filter: { check_number: ["1002"] } },
  { name: "check numbers with U+0000 and 4,000 characters", filter: { check_number: ["\u0000", "c".repeat(4000)] } },
  { name: "no check number at all", filter: { check_number: [] } },
  { name: "an invoice", filter: { invoice_id: pools.invoices[1] } },
  {
    name: "a payer and an invoice",
    filter: { non_insurance_payer_id: pools.payers[1], invoice_id: pools.invoices[0] },
  },
];

function matchesPayerRefund(f: (typeof payerFilters)[number]["filter"], r: NonInsurancePayerRefund): boolean {
  return (
    (f.non_insurance_payer_id === undefined ||
      r.non_insurance_payer.non_insurance_payer_id === f.non_insurance_payer_id) &&
    (f.check_number === undefined || (r.check_number !== undefined && f.check_number.includes(r.check_number))) &&
    (f.invoice_id === undefined || r.invoice_id === f.invoice_id)
  );
}

const orders = ["asc", "desc"] as const;
const patientSorts = ["refund_source", "amount_cents", "refund_timestamp", "refund_reason", "refund_note"] as const;
const payerSorts = ["amount_cents", "refund_timestamp"] as const;

/**
 * The whole suite against one kind of store: `empty` opens an empty store of it (closing it must leave anything shared
 * open). One test file per kind, so each runs in its lane (test/lanes.ts): contract.test.ts (memory),
 * contract.embedded.test.ts (PGlite), contract.postgres.test.ts (the run's PostgreSQL cluster).
 */
export function describeStoreSuite(kind: string, empty: () => Promise<Store>): void {
  describe(`${kind} store`, () => {
    describeStoreContract(kind, empty);

    // Lists only read: one set of rows serves every sort and filter.
    describe("reads", () => {
      const patientRows = trickyPatientRefunds();
      const payerRows = trickyPayerRefunds();
      let store: Store;
      beforeAll(async () => {
        store = await empty();
        await Promise.all(patientRows.map((r) => store.patientRefunds.insert(r)));
        await Promise.all(payerRows.map((r) => store.nonInsurancePayerRefunds.insert(r)));
      });

      describe("sorts like the model: missing values last ascending, ties by id, code points, instants", () => {
        it.each(patientSorts.flatMap((sort) => orders.map((order) => ({ sort, order }))))(
          "patient refunds by $sort $order",
          async ({ sort, order }) => {
            const got = await readAll(store.patientRefunds, patientId, {}, sort, order, 7);
            expect(got.map(patientId)).toEqual(modelSort(patientRows, sort, order, patientId).map(patientId));
          },
        );

        it.each(payerSorts.flatMap((sort) => orders.map((order) => ({ sort, order }))))(
          "non-insurance payer refunds by $sort $order",
          async ({ sort, order }) => {
            const got = await readAll(store.nonInsurancePayerRefunds, payerRefundId, {}, sort, order, 6);
            expect(got.map(payerRefundId)).toEqual(modelSort(payerRows, sort, order, payerRefundId).map(payerRefundId));
          },
        );
      });

      describe("filters like the model", () => {
        it.each(patientFilters)("patient refunds: $name", async ({ filter }) => {
          const want = modelSort(
            patientRows.filter((r) => matchesPatient(filter, r)),
            "refund_note",
            "desc",
            patientId,
          );
          const got = await readAll(store.patientRefunds, patientId, filter, "refund_note", "desc", 4);
          expect(got.map(patientId)).toEqual(want.map(patientId));
        });

        it.each(payerFilters)("non-insurance payer refunds: $name", async ({ filter }) => {
          const want = modelSort(
            payerRows.filter((r) => matchesPayerRefund(filter, r)),
            "refund_timestamp",
            "asc",
            payerRefundId,
          );
          const got = await readAll(
            store.nonInsurancePayerRefunds,
            payerRefundId,
            filter,
            "refund_timestamp",
            "asc",
            4,
          );
          expect(got.map(payerRefundId)).toEqual(want.map(payerRefundId));
        });
      });
    });

    describe("writes", () => {
      let store: Store;
      beforeEach(async () => {
        store = await empty();
      });

      describe("updates", () => {
        it("follows an update that changes what a filter looks at", async () => {
          const [row] = patientRefunds(1, 31) as [PatientRefund];
          await store.patientRefunds.insert({ ...row, allocations: [] });
          const byClaim = { claim_id: pools.claims[0] };
          expect(
            (await store.patientRefunds.list({ filter: byClaim, sort: "amount_cents", order: "asc", limit: 5 })).items,
          ).toHaveLength(0);
          await store.patientRefunds.update(patientId(row), (r) => ({
            ...r,
            allocations: [
              {
                amount_cents: 5,
                target: { type: "claim", claim_id: pools.claims[0] as string, encounter_id: pools.claims[1] as string },
                allocation_id: "1d0e0f10-1112-4314-8516-171819202122",
                allocated_on: "2024-01-01T00:00:00Z",
              },
            ],
          }));
          const page = await store.patientRefunds.list({
            filter: byClaim,
            sort: "amount_cents",
            order: "asc",
            limit: 5,
          });
          expect(page.items.map(patientId)).toEqual([patientId(row)]);
        });

        describe("pages neither repeat nor skip a row while others are created and deleted", () => {
          it.each(patientSorts.flatMap((sort) => orders.map((order) => ({ sort, order }))))(
            "by $sort $order",
            async ({ sort, order }) => {
              let rows = trickyPatientRefunds(41).slice(0, 40);
              await Promise.all(rows.map((r) => store.patientRefunds.insert(r)));
              const first = await store.patientRefunds.list({ filter: {}, sort, order, limit: 6 });
              const cursorRow = first.items[5] as PatientRefund;
              const cursor = {
                value: (cursorRow[sort] as string | number | undefined) ?? null,
                id: patientId(cursorRow),
              };

              // The cursor's own row, a row still ahead and a row already read go; new rows arrive on both sides.
              const ahead = modelSort(rows, sort, order, patientId)[12] as PatientRefund;
              const behind = first.items[2] as PatientRefund;
              for (const gone of [cursorRow, ahead, behind])
                expect(await store.patientRefunds.delete(patientId(gone))).toBe(true);
              const added = trickyPatientRefunds(42).slice(0, 20);
              await Promise.all(added.map((r) => store.patientRefunds.insert(r)));
              rows = [...rows.filter((r) => ![cursorRow, ahead, behind].includes(r)), ...added];

              const rest: PatientRefund[] = [];
              let after: typeof cursor | undefined = cursor;
              while (after) {
                const page = await store.patientRefunds.list({ filter: {}, sort, order, limit: 6, after });
                rest.push(...page.items);
                const last = page.items[page.items.length - 1];
                after =
                  page.more && last
                    ? { value: (last[sort] as string | number | undefined) ?? null, id: patientId(last) }
                    : undefined;
              }
              const withCursor = modelSort([...rows, cursorRow], sort, order, patientId);
              const want = withCursor.slice(withCursor.indexOf(cursorRow) + 1);
              expect(rest.map(patientId)).toEqual(want.map(patientId));
            },
          );
        });

        describe("balances", () => {
          /** What the guard of an insert sees for `keys`, without inserting anything. */
          async function charged(keys: string[]): Promise<Record<string, number>> {
            const seen: Record<string, number> = {};
            const [probe] = patientRefunds(1, 99) as [PatientRefund];
            const stop = new Error("probe");
            await expect(
              store.patientRefunds.insert(probe, {
                charges: keys.map((key) => ({ key, cents: 0 })),
                guard: (map) => {
                  for (const key of keys) seen[key] = map.get(key) ?? -1;
                  throw stop;
                },
              }),
            ).rejects.toBe(stop);
            return seen;
          }

          const longKey = `unattributed:${"P".repeat(5000)}`;
          const cases: {
            name: string;
            act: (s: Store, rows: PatientRefund[]) => Promise<unknown>;
            want: Record<string, number>;
          }[] = [
            {
              name: "add up per key, duplicates in one insert included",
              act: async (s, [a, b]) => {
                await s.patientRefunds.insert(a as PatientRefund, {
                  charges: [
                    { key: "k", cents: 10 },
                    { key: "k", cents: 5 },
                    { key: "j", cents: 1 },
                  ],
                });
                await s.patientRefunds.insert(b as PatientRefund, { charges: [{ key: "k", cents: 2 }] });
              },
              want: { k: 17, j: 1, other: 0 },
            },
            {
              name: "are untouched by a refused insert or a duplicate id",
              act: async (s, [a, b]) => {
                await s.patientRefunds.insert(a as PatientRefund, { charges: [{ key: "k", cents: 10 }] });
                await expect(
                  s.patientRefunds.insert(a as PatientRefund, { charges: [{ key: "k", cents: 99 }] }),
                ).rejects.toThrow(/exists/);
                await expect(
                  s.patientRefunds.insert(b as PatientRefund, {
                    charges: [{ key: "k", cents: 99 }],
                    guard: () => {
                      throw new Error("no");
                    },
                  }),
                ).rejects.toThrow("no");
                expect(await s.patientRefunds.get(patientId(b as PatientRefund))).toBeUndefined();
              },
              want: { k: 10 },
            },
            {
              name: "are given back on delete, after updates",
              act: async (s, [a, b]) => {
                await s.patientRefunds.insert(a as PatientRefund, {
                  charges: [
                    { key: "k", cents: 10 },
                    { key: "j", cents: 3 },
                  ],
                });
                await s.patientRefunds.insert(b as PatientRefund, { charges: [{ key: "k", cents: 4 }] });
                await s.patientRefunds.update(patientId(a as PatientRefund), (r) => ({ ...r, refund_note: "changed" }));
                await s.patientRefunds.delete(patientId(a as PatientRefund));
              },
              want: { k: 4, j: 0 },
            },
            {
              name: "are kept per table",
              act: async (s, [a]) => {
                const [other] = trickyPayerRefunds();
                await s.nonInsurancePayerRefunds.insert(other as NonInsurancePayerRefund, {
                  charges: [{ key: "k", cents: 50 }],
                });
                await s.patientRefunds.insert(a as PatientRefund, { charges: [{ key: "k", cents: 1 }] });
              },
              want: { k: 1 },
            },
            {
              name: "take keys with U+0000 and of any length",
              act: async (s, [a, b]) => {
                await s.patientRefunds.insert(a as PatientRefund, {
                  charges: [
                    { key: "unattributed:\u0000", cents: 6 },
                    { key: longKey, cents: 7 },
                  ],
                });
                await s.patientRefunds.insert(b as PatientRefund, {
                  charges: [{ key: "unattributed:\u0001", cents: 1 }],
                });
              },
              want: { "unattributed:\u0000": 6, "unattributed:\u0001": 1, [longKey]: 7 },
            },
          ];
          it.each(cases)("$name", async ({ act, want }) => {
            await act(store, patientRefunds(2, 51));
            expect(await charged(Object.keys(want))).toEqual(want);
          });
        });

        describe("stores rows exactly", () => {
          it("returns what it was given, key order, U+0000, lone surrogates and the largest amount included", async () => {
            const [row] = patientRefunds(1, 61) as [PatientRefund];
            const odd = {
              refund_note: "nul\u0000 one\u0001 lone\ud800 pair😀",
              amount_cents: 9_007_199_254_740_991,
              patient_external_id: "PAT-\u0000",
              allocations: row.allocations,
              patient_refund_id: row.patient_refund_id,
              refund_source: row.refund_source,
              organization_id: row.organization_id,
            } as PatientRefund;
            await store.patientRefunds.insert(odd);
            expect(JSON.stringify(await store.patientRefunds.get(row.patient_refund_id))).toBe(JSON.stringify(odd));
            const updated = await store.patientRefunds.update(row.patient_refund_id, (r) => ({
              ...r,
              invoice: "x\u0000",
            }));
            expect(JSON.stringify(await store.patientRefunds.get(row.patient_refund_id))).toBe(JSON.stringify(updated));
            const page = await store.patientRefunds.list({
              filter: { patient_external_id: "PAT-\u0000" },
              sort: "refund_note",
              order: "asc",
              limit: 5,
            });
            expect(page.items.map(patientId)).toEqual([row.patient_refund_id]);
          });

          it("stores a large refund exactly: long texts in its columns, 150 targets, a long balance key", async () => {
            // The SQL store on PGlite writes such a refund in several statements (the row, each long column, the
            // targets in parts); every store must read back what it was given, and filter, sort and charge by it.
            const [row, other] = patientRefunds(2, 63) as [PatientRefund, PatientRefund];
            const odd = "nul\u0000 one\u0001 lone\ud800 pair😀 é ";
            const patient = `PAT-${odd}${"p".repeat(100_000)}`;
            const note = `${odd}${"n".repeat(200_000)}`;
            const allocations = Array.from({ length: 150 }, (_, i) => ({
              amount_cents: i,
              target: {
                type: "service_line" as const,
                claim_id: randomUUID(),
                encounter_id: randomUUID(),
                service_line_id: randomUUID(),
              },
              allocation_id: randomUUID(),
              allocated_on: "2024-02-01T14:05:00.000Z",
            }));
            const large: PatientRefund = { ...row, patient_external_id: patient, refund_note: note, allocations };
            const key = `unattributed:${patient}`;
            await store.patientRefunds.insert(large, { charges: [{ key, cents: 7 }] });
            // A note that orders before the large one (its prefix): an empty column in its place would order first.
            await store.patientRefunds.insert({ ...other, patient_external_id: patient, refund_note: odd });
            expect(JSON.stringify(await store.patientRefunds.get(row.patient_refund_id))).toBe(JSON.stringify(large));
            const ids = async (filter: PatientRefundFilter) =>
              (await store.patientRefunds.list({ filter, sort: "refund_note", order: "asc", limit: 5 })).items.map(
                patientId,
              );
            expect(await ids({ patient_external_id: patient })).toEqual([
              other.patient_refund_id,
              row.patient_refund_id,
            ]);
            for (const { target } of [allocations[0], allocations[149]] as (typeof allocations)[number][]) {
              expect(await ids({ service_line_id: target.service_line_id })).toEqual([row.patient_refund_id]);
              expect(await ids({ claim_id: target.claim_id })).toEqual([row.patient_refund_id]);
            }
            expect(await chargedTo(store, key)).toBe(7);
            const longer = `${note}z`;
            await store.patientRefunds.update(row.patient_refund_id, (r) => ({ ...r, refund_note: longer }));
            expect((await store.patientRefunds.get(row.patient_refund_id))?.refund_note).toBe(longer);
            expect(await ids({ patient_external_id: patient })).toEqual([
              other.patient_refund_id,
              row.patient_refund_id,
            ]);
            expect(await store.patientRefunds.delete(row.patient_refund_id)).toBe(true);
            expect(await chargedTo(store, key)).toBe(0);
          });

          it.each([
            { name: "a text for an amount", sort: "amount_cents", value: "abc" },
            { name: "a number for a note", sort: "refund_note", value: 5 },
            { name: "a number for a timestamp", sort: "refund_timestamp", value: 1_705_311_000_000 },
            { name: "a malformed timestamp", sort: "refund_timestamp", value: "yesterday" },
          ] as const)("answers a tampered cursor with $name", async ({ sort, value }) => {
            await Promise.all(patientRefunds(20, 71).map((r) => store.patientRefunds.insert(r)));
            const page = await store.patientRefunds.list({
              filter: {},
              sort,
              order: "asc",
              limit: 50,
              after: { value, id: "\u0000" },
            });
            expect(page.items.length).toBeLessThanOrEqual(20);
          });
        });

        describe("concurrent writers", () => {
          it("200 parallel updates of one row lose none", async () => {
            const [row] = patientRefunds(1, 81) as [PatientRefund];
            await store.patientRefunds.insert({ ...row, amount_cents: 0 });
            const results = await Promise.all(
              Array.from({ length: 200 }, () =>
                store.patientRefunds.update(patientId(row), (r) => ({ ...r, amount_cents: r.amount_cents + 1 })),
              ),
            );
            expect(new Set(results.map((r) => r?.amount_cents)).size).toBe(200);
            expect((await store.patientRefunds.get(patientId(row)))?.amount_cents).toBe(200);
          });

          it("1,000 parallel inserts are all stored, once", async () => {
            const rows = patientRefunds(1000, 82);
            await Promise.all(rows.map((r) => store.patientRefunds.insert(r)));
            const listed = await readAll(store.patientRefunds, patientId, {}, "amount_cents", "desc", 100);
            expect(listed).toHaveLength(1000);
            expect(new Set(listed.map(patientId))).toEqual(new Set(rows.map(patientId)));
          });

          it("parallel guarded inserts on one balance never overdraw it", async () => {
            const rows = patientRefunds(60, 83);
            const outcomes = await Promise.allSettled(
              rows.map((r) =>
                store.patientRefunds.insert(r, {
                  charges: [{ key: "shared", cents: 10 }],
                  guard: (map) => {
                    if ((map.get("shared") ?? 0) + 10 > 250) throw new Error("overdraft");
                  },
                }),
              ),
            );
            expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(25);
            expect(outcomes.filter((o) => o.status === "rejected")).toHaveLength(35);
            const listed = await readAll(store.patientRefunds, patientId, {}, "amount_cents", "asc", 100);
            expect(listed).toHaveLength(25);
          });

          it("parallel deletes of one row: exactly one succeeds; updates racing them never fail", async () => {
            const [row] = patientRefunds(1, 84) as [PatientRefund];
            await store.patientRefunds.insert(row, { charges: [{ key: "k", cents: 5 }] });
            const [deletes, updates] = await Promise.all([
              Promise.all(Array.from({ length: 20 }, () => store.patientRefunds.delete(patientId(row)))),
              Promise.all(
                Array.from({ length: 20 }, () =>
                  store.patientRefunds.update(patientId(row), (r) => ({ ...r, refund_note: "x" })),
                ),
              ),
            ]);
            expect(deletes.filter(Boolean)).toHaveLength(1);
            expect(updates.every((u) => u === undefined || u.refund_note === "x")).toBe(true);
            expect(await store.patientRefunds.get(patientId(row))).toBeUndefined();
          });
        });
      });
    });
  });
}
