import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultSeed, readSpec } from "../src/index.js";
import { ResponseChecker, ResponseValidationError, stringifyWith } from "../src/responses.js";
import { nonInsurancePayerRefunds, patientRefunds } from "./support/refunds.js";

const checker = new ResponseChecker(readSpec());
const fresh = <T>(value: T): T => structuredClone(value);

describe("ResponseChecker.check", () => {
  const [refund] = patientRefunds(1, 7);
  const [payerRefund] = nonInsurancePayerRefunds(1, defaultSeed.non_insurance_payers ?? [], 7);
  it.each([
    { name: "a patient refund", operation: "getPatientRefund", status: 200, body: refund },
    {
      name: "a page of patient refunds",
      operation: "listPatientRefunds",
      status: 200,
      body: { items: patientRefunds(5, 3), next_page_token: "t" },
    },
    { name: "an empty page", operation: "listPatientRefunds", status: 200, body: { items: [] } },
    {
      name: "a non-insurance payer refund",
      operation: "updateNonInsurancePayerRefund",
      status: 200,
      body: payerRefund,
    },
    {
      name: "a token",
      operation: "getToken",
      status: 200,
      body: { access_token: "a", token_type: "Bearer", expires_in: 60 },
    },
    {
      name: "a declared error",
      operation: "getPatientRefund",
      status: 404,
      body: { errorName: "EntityNotFoundError", content: { id: "x" } },
    },
  ])("passes $name and writes what JSON.stringify writes", ({ operation, status, body }) => {
    const value = fresh(body);
    expect(checker.check(operation, status, value)).toBe(JSON.stringify(body));
    // The second time the rows come from what was learned: the same text.
    expect(checker.check(operation, status, value)).toBe(JSON.stringify(body));
  });

  it.each([
    {
      name: "a refund without its id",
      operation: "getPatientRefund",
      status: 200,
      body: { ...refund, patient_refund_id: undefined },
      want: /must have required property 'patient_refund_id'/,
    },
    {
      name: "a page with one bad row",
      operation: "listPatientRefunds",
      status: 200,
      body: { items: [refund, { ...refund, amount_cents: "1" }] },
      want: /\/items\/1\/amount_cents must be integer/,
    },
    {
      name: "a page without items",
      operation: "listPatientRefunds",
      status: 200,
      body: { next_page_token: "t" },
      want: /must have required property 'items'/,
    },
    {
      name: "a page token of the wrong type",
      operation: "listPatientRefunds",
      status: 200,
      body: { items: [], next_page_token: 1 },
      want: /next_page_token must be string/,
    },
    {
      name: "a status the operation does not declare",
      operation: "getPatientRefund",
      status: 409,
      body: {},
      want: /status is not declared/,
    },
    {
      name: "a body where the spec declares none",
      operation: "deletePatientRefund",
      status: 200,
      body: {},
      want: /declares no body/,
    },
    {
      name: "a malformed error",
      operation: "getPatientRefund",
      status: 404,
      body: { errorName: "EntityNotFoundError" },
      want: /content/,
    },
  ])("refuses $name", ({ operation, status, body, want }) => {
    const call = () => checker.check(operation, status, fresh(body));
    expect(call).toThrow(ResponseValidationError);
    expect(call).toThrow(want);
  });

  it("refuses a bad row every time it is served, not only the first", () => {
    const bad = { ...fresh(refund), refund_source: "CASH" };
    for (let i = 0; i < 2; i++) expect(() => checker.check("getPatientRefund", 200, bad)).toThrow(/refund_source/);
    expect(Object.isFrozen(bad)).toBe(false);
  });

  it("freezes a row it passed, all the way down, so it cannot change after the check", () => {
    const row = fresh(refund) as NonNullable<typeof refund>;
    checker.check("getPatientRefund", 200, row);
    expect(Object.isFrozen(row)).toBe(true);
    expect(Object.isFrozen(row.allocations[0]?.target)).toBe(true);
    expect(() => {
      (row as { amount_cents: unknown }).amount_cents = "changed";
    }).toThrow(TypeError);
  });

  it("checks the envelope of a page even when all its rows are known", () => {
    const rows = patientRefunds(3, 5);
    checker.check("listPatientRefunds", 200, { items: rows });
    expect(() => checker.check("listPatientRefunds", 200, { items: rows, prev_page_token: false })).toThrow(
      /prev_page_token must be string/,
    );
  });

  it("serves the seed's refunds (which share nested objects) like any other", () => {
    const rows = fresh(defaultSeed.patient_refunds ?? []);
    expect(checker.check("listPatientRefunds", 200, { items: rows })).toBe(JSON.stringify({ items: rows }));
  });
});

describe("ResponseChecker.check without validation", () => {
  const serializer = new ResponseChecker(readSpec(), { validate: false });
  const [refund] = patientRefunds(1, 11);
  it.each([
    { name: "a good page", operation: "listPatientRefunds", body: { items: patientRefunds(3, 2) } },
    {
      name: "a page with a bad row",
      operation: "listPatientRefunds",
      body: { items: [{ ...refund, amount_cents: "1" }] },
    },
    { name: "a page without items", operation: "listPatientRefunds", body: { next_page_token: 1 } },
    {
      name: "a refund without its id",
      operation: "getPatientRefund",
      body: { ...refund, patient_refund_id: undefined },
    },
  ])("writes $name as JSON.stringify does, unchecked", ({ operation, body }) => {
    expect(serializer.check(operation, 200, fresh(body))).toBe(JSON.stringify(body));
  });

  it("freezes the rows it wrote and writes them again from what it remembered", () => {
    const row = fresh(refund) as NonNullable<typeof refund>;
    const json = serializer.check("getPatientRefund", 200, row);
    expect(Object.isFrozen(row.allocations[0]?.target)).toBe(true);
    expect(serializer.check("listPatientRefunds", 200, { items: [row] })).toBe(`{"items":[${json}]}`);
  });
});

describe("stringifyWith", () => {
  it("writes what JSON.stringify writes for any JSON-like value", () => {
    fc.assert(
      fc.property(
        fc.anything({ withObjectString: false, withBoxedValues: false, withMap: false, withSet: false }),
        (v) => {
          expect(stringifyWith(v, new Map())).toBe(JSON.stringify(v));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("writes known arrays from their rows' JSON", () => {
    const items = [{ a: 1 }, { b: [2] }];
    const body = { items, next: "x", skipped: undefined };
    expect(stringifyWith(body, new Map([[items, ['{"a":1}', '{"b":[2]}']]]))).toBe(JSON.stringify(body));
  });
});
