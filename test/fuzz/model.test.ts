import { describe, expect, it } from "vitest";
import { applyUpdate, instantMs, listOrder, matchesPatient, matchesPayer } from "./model.js";

const ms = (iso: string) => BigInt(Date.parse(iso));
// Date.UTC reads years 0 to 99 as 1900 to 1999; setUTCFullYear does not.
const early = (year: number, month: number, day: number) => {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return BigInt(date.getTime());
};

describe("instantMs", () => {
  it.each([
    { given: "2024-01-15T09:30:00Z", want: ms("2024-01-15T09:30:00Z") },
    { given: "2024-01-15T10:30:00+01:00", want: ms("2024-01-15T09:30:00Z") },
    { given: "2024-01-15t10:30:00+0100", want: ms("2024-01-15T09:30:00Z") },
    { given: "2024-01-15 10:30:00+01", want: ms("2024-01-15T09:30:00Z") },
    { given: "2024-01-15T04:00:00-05:30", want: ms("2024-01-15T09:30:00Z") },
    { given: "2024-01-15T09:30:00.5z", want: ms("2024-01-15T09:30:00.500Z") },
    { given: "2024-01-15T09:30:00.000999999Z", want: ms("2024-01-15T09:30:00Z") },
    { given: "2024-01-15T09:30:00.1234567891Z", want: ms("2024-01-15T09:30:00.123Z") },
    { given: "1969-12-31T23:59:59.9999Z", want: -1n },
    { given: "2016-12-31T23:59:60Z", want: ms("2017-01-01T00:00:00Z") },
    { given: "2024-02-29T00:00:00Z", want: ms("2024-02-29T00:00:00Z") },
    { given: "0050-06-01T00:00:00Z", want: early(50, 6, 1) },
    { given: "0000-01-01T00:00:00Z", want: -62_167_219_200_000n },
    { given: "9999-12-31T23:59:59Z", want: 253_402_300_799_000n },
  ])("reads $given", ({ given, want }) => {
    expect(instantMs(given)).toBe(want);
  });
});

describe("listOrder", () => {
  const rows = [
    { id: "b", n: 2, t: "b" },
    { id: "a", n: 2 },
    { id: "c", n: 1, t: "😀" },
    { id: "d", n: 3, t: "\uffff" },
    { id: "e", n: 1, t: "B" },
    { id: "f", n: 4, t: "\ud800" },
    { id: "g", n: 5, t: "\ufffd" },
  ];
  it.each([
    { field: "n", direction: "asc" as const, want: ["c", "e", "a", "b", "d", "f", "g"] },
    { field: "n", direction: "desc" as const, want: ["g", "f", "d", "b", "a", "e", "c"] },
    // Code points: "B" < "b" < U+D800 (as U+FFFD) = U+FFFD < U+FFFF < U+1F600; a missing value last.
    { field: "t", direction: "asc" as const, want: ["e", "b", "f", "g", "d", "c", "a"] },
    { field: "t", direction: "desc" as const, want: ["a", "c", "d", "g", "f", "b", "e"] },
  ])("orders by $field $direction, then id", ({ field, direction, want }) => {
    expect(listOrder(rows, field, direction, "id").map((r) => r.id)).toEqual(want);
  });

  it("orders timestamps by instant, not by text", () => {
    const stamps = [
      { id: "1", refund_timestamp: "2024-01-15T10:30:00+01:00" },
      { id: "2", refund_timestamp: "2024-01-15T09:29:59.9999Z" },
      { id: "4", refund_timestamp: "2024-01-15T09:29:59.999Z" },
      { id: "0", refund_timestamp: "2024-01-15T09:30:00Z" },
      { id: "3", refund_timestamp: "0050-01-01T00:00:00Z" },
    ];
    expect(listOrder(stamps, "refund_timestamp", "asc", "id").map((r) => r.id)).toEqual(["3", "2", "4", "0", "1"]);
  });
});

describe("filters and updates", () => {
  const patientRefund = {
    patient_external_id: "P",
    refund_source: "MANUAL_ENTRY",
    invoice: "i",
    allocations: [
      { target: { type: "service_line", claim_id: "c", service_line_id: "s", encounter_id: "e" } },
      { target: { type: "unattributed" } },
    ],
  };
  it.each([
    { filter: {}, want: true },
    { filter: { patient_external_id: "P", invoice_id: "i", sources: ["STRIPE", "MANUAL_ENTRY"] }, want: true },
    { filter: { claim_id: "c", service_line_id: "s", unattributed: true }, want: true },
    { filter: { unattributed: false }, want: false },
    { filter: { billing_provider_id: "c" }, want: false },
    { filter: { sources: ["STRIPE"] }, want: false },
  ])("a patient refund matches $filter: $want", ({ filter, want }) => {
    expect(matchesPatient(patientRefund, filter)).toBe(want);
  });

  it.each([
    { filter: { check_number: ["1", "2"] }, want: true },
    { filter: { check_number: ["3"] }, want: false },
    { filter: { non_insurance_payer_id: "p", invoice_id: "i" }, want: true },
    { filter: { invoice_id: "j" }, want: false },
  ])("a payer refund matches $filter: $want", ({ filter, want }) => {
    const refund = { non_insurance_payer: { non_insurance_payer_id: "p" }, check_number: "2", invoice_id: "i" };
    expect(matchesPayer({ ...refund, allocations: [] }, filter)).toBe(want);
  });

  it.each([
    { update: {}, want: { a: 1, refund_note: "n" } },
    { update: { refund_note: { type: "remove" } }, want: { a: 1 } },
    { update: { refund_note: { type: "set", value: "m" } }, want: { a: 1, refund_note: "m" } },
    {
      update: { refund_timestamp: "2024-01-15T09:30:00Z" },
      want: { a: 1, refund_note: "n", refund_timestamp: "2024-01-15T09:30:00Z" },
    },
  ])("applies $update", ({ update, want }) => {
    expect(applyUpdate({ a: 1, refund_note: "n" }, update)).toEqual(want);
  });
});
