import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bundledSpec, createSpecAjv, httpMethods } from "../support/spec.js";

const spec = bundledSpec();
const { validate } = createSpecAjv(spec);

type Media = { schema: unknown; examples?: Record<string, { $ref?: string; value?: unknown }> };
type Operation = {
  operationId: string;
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { $ref?: string; content?: Record<string, Media> }>;
};

const componentName = (ref: string) => ref.split("/").pop() as string;
const example = (e: { $ref?: string; value?: unknown }) =>
  (e.$ref ? spec.components.examples[componentName(e.$ref)] : e) as { value: unknown };

// Every body the spec describes: each request body and each response status that has content.
const bodies = Object.values(spec.paths).flatMap((item) =>
  httpMethods
    .filter((m) => m in item)
    .flatMap((m) => {
      const op = item[m] as Operation;
      const request = op.requestBody ? [{ where: `${op.operationId} request`, media: op.requestBody.content }] : [];
      const responses = Object.entries(op.responses).map(([status, r]) => ({
        where: `${op.operationId} ${status}`,
        media: (r.$ref ? (spec.components.responses[componentName(r.$ref)] as typeof r) : r).content,
      }));
      return [...request, ...responses].filter((b) => b.media !== undefined);
    }),
);

describe("examples", () => {
  it.each(bodies)("$where has a named example", ({ media }) => {
    expect(Object.keys(media?.["application/json"]?.examples ?? {}).length).toBeGreaterThan(0);
  });

  const cases = bodies.flatMap(({ where, media }) =>
    Object.entries(media?.["application/json"]?.examples ?? {}).map(([name, e]) => ({
      where,
      name,
      schema: media?.["application/json"]?.schema,
      value: example(e).value,
    })),
  );

  it.each(cases)("$where example $name is valid against its schema", ({ schema, value }) => {
    expect(validate(schema, value)).toEqual([]);
  });

  it("uses every example component", () => {
    const text = JSON.stringify(spec.paths) + JSON.stringify(spec.components.responses);
    const unused = Object.keys(spec.components.examples).filter((n) => !text.includes(`#/components/examples/${n}"`));
    expect(unused).toEqual([]);
  });
});

describe("schemas reject what the reference forbids", () => {
  const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const good = example(spec.components.examples.PatientRefundCreate as { value: unknown }).value as Record<
    string,
    unknown
  >;

  it.each([
    { given: "a missing required field", body: { ...good, amount_cents: undefined } },
    { given: "a fractional amount", body: { ...good, amount_cents: 10.5 } },
    { given: "an unknown refund reason", body: { ...good, refund_reason: "GOODWILL" } },
    { given: "a bad timestamp", body: { ...good, refund_timestamp: "2024-13-45" } },
    { given: "a non-uuid invoice", body: { ...good, invoice: "INV-1" } },
    { given: "an empty patient id", body: { ...good, patient_external_id: "" } },
    { given: "an unknown field", body: { ...good, surprise: true } },
    {
      given: "an unknown target type",
      body: { ...good, allocations: [{ amount_cents: 1, target: { type: "claim" } }] },
    },
    {
      given: "a target missing its value",
      body: { ...good, allocations: [{ amount_cents: 1, target: { type: "claim_by_id" } }] },
    },
    {
      given: "the placeholder string as a date-of-service earmark",
      body: {
        ...good,
        allocations: [
          { amount_cents: 1, target: { type: "unattributed" }, earmark: { type: "date_of_service", value: "target" } },
        ],
      },
    },
  ])("PatientRefundCreate rejects $given", ({ body }) => {
    const value = JSON.parse(JSON.stringify(body));
    expect(validate(schema("PatientRefundCreate"), value)).not.toEqual([]);
  });

  it.each([
    { given: {}, valid: true },
    { given: { refund_note: { type: "remove" } }, valid: true },
    { given: { refund_note: { type: "set", value: "x" } }, valid: true },
    { given: { refund_note: { type: "set" } }, valid: false },
    { given: { refund_reason: { type: "set", value: "NOPE" } }, valid: false },
    { given: { invoice: { type: "set", value: "not-a-uuid" } }, valid: false },
    { given: { refund_note: { type: "clear" } }, valid: false },
  ])("PatientRefundUpdate $given → valid: $valid", ({ given, valid }) => {
    expect(validate(schema("PatientRefundUpdate"), given).length === 0).toBe(valid);
  });
});

describe("the seed pages' samples", () => {
  const fixture = (name: string) =>
    readFileSync(new URL(`../fixtures/seeds/${name}.json`, import.meta.url), "utf8")
      // The real docs put the placeholder "target" where a date-of-service earmark expects a date.
      .replaceAll('"value": "target"', '"value": "2024-01-15"');

  it.each([
    { file: "update-patient-refund.response", schema: "PatientRefund" },
    { file: "create-non-insurance-payer-refund.response", schema: "NonInsurancePayerRefund" },
    { file: "create-non-insurance-payer-refund.request", schema: "NonInsurancePayerRefundCreate" },
  ])("$file validates against $schema", ({ file, schema }) => {
    expect(validate({ $ref: `#/components/schemas/${schema}` }, JSON.parse(fixture(file)))).toEqual([]);
  });

  it("would fail with the placeholder date left in", () => {
    const raw = JSON.parse(
      readFileSync(new URL("../fixtures/seeds/update-patient-refund.response.json", import.meta.url), "utf8"),
    );
    expect(validate({ $ref: "#/components/schemas/PatientRefund" }, raw)).not.toEqual([]);
  });
});
