import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultSeed, readSpec } from "../src/index.js";
import {
  codePointsUpTo,
  holdsText,
  ResponseChecker,
  ResponseValidationError,
  responseValidation,
  stringifyWith,
} from "../src/responses.js";
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

describe("ResponseChecker.check: string lengths", () => {
  // The checker counts a length only as far as its limits need (`x-code-points`), in code points as JSON Schema
  // does: an astral character is one, though it takes two UTF-16 units.
  const [payerRefund] = nonInsurancePayerRefunds(1, defaultSeed.non_insurance_payers ?? [], 3);
  const withPayerId = (payerId: string) => {
    const body = fresh(payerRefund) as NonNullable<typeof payerRefund>;
    body.non_insurance_payer.payer_id = payerId;
    return body;
  };
  const astral = "\u{1F600}";
  it.each([
    { name: "2 characters", payerId: "AB" },
    { name: "2 astral characters (4 units)", payerId: astral.repeat(2) },
    { name: "80 characters", payerId: "A".repeat(80) },
    { name: "80 astral characters (160 units)", payerId: astral.repeat(80) },
    { name: "an unpaired surrogate and a character", payerId: "\ud800A" },
  ])("passes a payer_id (2 to 80 characters) of $name", ({ payerId }) => {
    expect(() => checker.check("updateNonInsurancePayerRefund", 200, withPayerId(payerId))).not.toThrow();
  });

  it.each([
    { name: "1 character", payerId: "A", want: /payer_id must NOT have fewer than 2 characters/ },
    { name: "1 astral character (2 units)", payerId: astral, want: /payer_id must NOT have fewer than 2 characters/ },
    { name: "81 characters", payerId: "A".repeat(81), want: /payer_id must NOT have more than 80 characters/ },
    {
      name: "81 astral characters",
      payerId: astral.repeat(81),
      want: /payer_id must NOT have more than 80 characters/,
    },
    { name: "a million characters", payerId: "A".repeat(1_000_000), want: /must NOT have more than 80 characters/ },
  ])("refuses a payer_id of $name", ({ payerId, want }) => {
    expect(() => checker.check("updateNonInsurancePayerRefund", 200, withPayerId(payerId))).toThrow(want);
  });

  it("passes a refund whose strings are a million characters long, and refuses an empty one", () => {
    const [refund] = patientRefunds(1, 13);
    const long = { ...fresh(refund), patient_external_id: "P".repeat(1_000_000), refund_note: "n".repeat(1_000_000) };
    expect(checker.check("getPatientRefund", 200, long)).toBe(JSON.stringify(long));
    expect(() => checker.check("getPatientRefund", 200, { ...fresh(refund), patient_external_id: "" })).toThrow(
      /patient_external_id must NOT have fewer than 1 characters/,
    );
  });
});

describe("codePointsUpTo", () => {
  it("counts what Ajv's code point count does, stopping at the limit", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.nat(40), (text, limit) => {
        const all = [...text].length;
        expect(codePointsUpTo(text, limit)).toBe(Math.min(all, limit));
        expect(codePointsUpTo(text, Number.POSITIVE_INFINITY)).toBe(all);
      }),
      { numRuns: 500 },
    );
  });
});

describe("holdsText", () => {
  it.each([
    { name: "a long string", value: "x".repeat(10), want: true },
    { name: "a short string", value: "x".repeat(9), want: false },
    { name: "strings that add up", value: { a: ["xxxx", { b: "xxxx" }] }, want: true },
    { name: "keys too", value: { xxxxx: "xxxxx" }, want: true },
    { name: "numbers and nulls", value: [123456789012, null, true], want: false },
    { name: "rows checked before (frozen)", value: { items: [Object.freeze({ note: "x".repeat(20) })] }, want: false },
  ])("says whether $name holds 10 units of text", ({ value, want }) => {
    expect(holdsText(value, 10)).toBe(want);
  });
});

describe("responseValidation", () => {
  /** A response of `operationId` through the middleware: what it sent, and what it passed to `next`. */
  function exchange(operationId: string) {
    const sent: string[] = [];
    const errors: unknown[] = [];
    const res = {
      statusCode: 200,
      headersSent: false,
      json: () => {
        throw new Error("the unchecked res.json");
      },
      get: () => undefined,
      set() {
        return res;
      },
      send(text: string) {
        sent.push(text);
        return res;
      },
    };
    const req = { openapi: { schema: { operationId } } };
    responseValidation(checker)(req as never, res as never, (error?: unknown) => {
      if (error) errors.push(error);
    });
    return { json: (body: unknown) => (res.json as (body: unknown) => unknown)(body), sent, errors };
  }
  const turns = (n: number): Promise<void> =>
    new Promise((resolve) => (n === 0 ? resolve() : setImmediate(() => turns(n - 1).then(resolve))));
  const [refund] = patientRefunds(1, 17);

  it("checks and sends a small body at once", () => {
    const { json, sent } = exchange("getPatientRefund");
    json(fresh(refund));
    expect(sent).toEqual([JSON.stringify(refund)]);
  });

  it("checks and sends a large body in a later turn of the event loop", async () => {
    const large = { ...fresh(refund), refund_note: "n".repeat(100_000) };
    const { json, sent } = exchange("getPatientRefund");
    json(large);
    expect(sent).toEqual([]);
    await turns(1);
    expect(sent).toEqual([]);
    await turns(2);
    expect(sent).toEqual([JSON.stringify(large)]);
  });

  it("refuses a large body that breaks the spec, in its later turn", async () => {
    const { json, sent, errors } = exchange("getPatientRefund");
    json({ ...fresh(refund), refund_note: "n".repeat(100_000), amount_cents: "1" });
    expect(errors).toEqual([]);
    await turns(3);
    expect(sent).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/amount_cents must be integer/);
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
