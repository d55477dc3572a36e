import { compareKeys, compareStrings, instantOf, sortKey } from "@refunds-api/core";
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/index.js";
import { patientRefunds } from "../support/refunds.js";

// The store contract runs against every store, this one included, in suite.ts (contract.test.ts for this one).

describe("instantOf", () => {
  it.each([
    { given: "2024-01-15T09:30:00Z", want: Date.UTC(2024, 0, 15, 9, 30) },
    { given: "2024-01-15T09:30:00.000Z", want: Date.UTC(2024, 0, 15, 9, 30) },
    { given: "2024-01-15T10:30:00+01:00", want: Date.UTC(2024, 0, 15, 9, 30) },
    { given: "2024-01-15T04:00:00-05:30", want: Date.UTC(2024, 0, 15, 9, 30) },
    { given: "2024-01-15t09:30:00.123456z", want: Date.UTC(2024, 0, 15, 9, 30, 0, 123) },
    { given: "2016-12-31T23:59:60Z", want: Date.UTC(2017, 0, 1) },
    // Offsets as the validator's date-time format lets them through besides.
    { given: "2024-01-15 10:30:00+0100", want: Date.UTC(2024, 0, 15, 9, 30) },
    { given: "2024-01-15T10:30:00+01", want: Date.UTC(2024, 0, 15, 9, 30) },
    // Years before 100 are not the 1900s.
    { given: "0050-01-15T09:30:00Z", want: Date.UTC(2050, 0, 15, 9, 30) - 2000 * 365.2425 * 86_400_000 },
    { given: "0000-01-01T00:00:00Z", want: -62_167_219_200_000 },
    { given: "not a time", want: 0 },
  ])("$given is $want", ({ given, want }) => {
    expect(instantOf(given)).toBe(want);
  });
});

describe("compareStrings orders by code point", () => {
  it.each([
    { a: "a", b: "b", sign: -1 },
    { a: "B", b: "a", sign: -1 },
    { a: "ab", b: "a", sign: 1 },
    { a: "same", b: "same", sign: 0 },
    // U+1F600 is above U+FFFF, though UTF-16 puts its surrogates first.
    { a: "😀", b: "\uffff", sign: 1 },
    { a: "\ue000", b: "😀", sign: -1 },
    { a: "é", b: "z", sign: 1 },
    { a: "😀", b: "😁", sign: -1 },
    // An unpaired surrogate counts as U+FFFD, as a UTF-8 store keeps it.
    { a: "\ud800", b: "\uffff", sign: -1 },
    { a: "\ud800", b: "\ue000", sign: 1 },
    { a: "\udc00", b: "\ufffd", sign: 0 },
    { a: "\ud800x", b: "\ufffd", sign: 1 },
    { a: "😀\udc00", b: "😀\ud800", sign: 0 },
    { a: "\ud83d", b: "😀", sign: -1 },
    { a: "\ud83d😀", b: "😀", sign: -1 },
    { a: "\ud83dx", b: "\ud83dy", sign: -1 },
    { a: "\ud800", b: "\ud800\udc00", sign: -1 },
    { a: "000000b0-0000-4000-8000-00000000000a", b: "000000b0-0000-4000-8000-000000000009", sign: 1 },
  ])("$a vs $b", ({ a, b, sign }) => {
    expect(Math.sign(compareStrings(a, b))).toBe(sign);
    expect(Math.sign(compareStrings(b, a))).toBe(sign === 0 ? 0 : -sign);
  });
});

describe("compareKeys", () => {
  it.each([
    { a: null, b: "a", sign: 1 },
    { a: null, b: null, sign: 0 },
    { a: 2, b: 10, sign: -1 },
    {
      a: sortKey("refund_timestamp", "2024-01-15T10:30:00+01:00"),
      b: sortKey("refund_timestamp", "2024-01-15T09:30:00Z"),
      sign: 0,
    },
    {
      a: sortKey("refund_note", "2024-01-15T10:30:00+01:00"),
      b: sortKey("refund_note", "2024-01-15T09:30:00Z"),
      sign: 1,
    },
  ])("$a vs $b", ({ a, b, sign }) => {
    expect(Math.sign(compareKeys(a, b))).toBe(sign);
  });
});

describe("page cost", () => {
  it("reads O(page size) rows, not every row", async () => {
    const store = createMemoryStore();
    let reads = 0;
    // Rows count how often the list looks at them.
    for (const row of patientRefunds(5000, 9)) {
      const { allocations, ...rest } = row;
      Object.defineProperty(rest, "allocations", {
        enumerable: true,
        get: () => {
          reads++;
          return allocations;
        },
      });
      await store.patientRefunds.insert(rest as typeof row);
    }
    reads = 0;
    let after: { value: string | number | null; id: string } | undefined;
    for (let page = 0; page < 3; page++) {
      const result = await store.patientRefunds.list({
        filter: { unattributed: false },
        sort: "refund_timestamp",
        order: "desc",
        limit: 100,
        after,
      });
      const last = result.items[result.items.length - 1];
      after = last && { value: last.refund_timestamp ?? null, id: last.patient_refund_id };
    }
    // Three pages of 100 from rows of which most match: a few hundred reads, not 5,000 a page.
    expect(reads).toBeGreaterThan(300);
    expect(reads).toBeLessThan(600);
  });
});
