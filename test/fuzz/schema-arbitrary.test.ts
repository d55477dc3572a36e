import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bundledSpec, createSpecAjv } from "../support/spec.js";
import { dateTimeArbitrary, type JsonSchema, schemaArbitrary } from "./schema-arbitrary.js";

const spec = bundledSpec();
const specAjv = createSpecAjv(spec);
const resolve = (ref: string) =>
  ref
    .slice(2)
    .split("/")
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], spec) as JsonSchema;
const sample = (schema: JsonSchema, n = 300, properties?: Record<string, fc.Arbitrary<unknown>>) =>
  fc.sample(schemaArbitrary(schema, { resolve, properties }), { numRuns: n, seed: 42 });

describe("schemaArbitrary", () => {
  const tagged: JsonSchema = {
    oneOf: [
      { type: "object", required: ["type"], properties: { type: { const: "a" } }, additionalProperties: false },
      {
        type: "object",
        required: ["type", "value"],
        properties: { type: { const: "b" }, value: { type: "integer", minimum: 1, maximum: 3 } },
        additionalProperties: false,
      },
    ],
    discriminator: { propertyName: "type" },
  };
  it.each<{ name: string; schema: JsonSchema; want: (values: unknown[]) => boolean }>([
    {
      name: "a string of at least minLength code points",
      schema: { type: "string", minLength: 3 },
      want: (vs) => vs.every((v) => [...(v as string)].length >= 3),
    },
    {
      name: "a string of at most maxLength code points",
      schema: { type: "string", minLength: 2, maxLength: 4 },
      want: (vs) => vs.every((v) => [...(v as string)].length <= 4) && vs.some((v) => [...(v as string)].length === 4),
    },
    {
      name: "text with characters outside ASCII",
      schema: { type: "string" },
      want: (vs) => vs.some((v) => /[^\x20-\x7e]/.test(v as string)),
    },
    { name: "a uuid", schema: { type: "string", format: "uuid" }, want: (vs) => new Set(vs).size > 250 },
    {
      name: "a date, across the years the format allows",
      schema: { type: "string", format: "date" },
      want: (vs) => vs.some((v) => (v as string) < "1970") && vs.some((v) => (v as string) > "2100"),
    },
    { name: "a date-time", schema: { type: "string", format: "date-time" }, want: (vs) => new Set(vs).size > 250 },
    {
      name: "an integer reaching both bounds",
      schema: { type: "integer", minimum: 1, maximum: 999 },
      want: (vs) => vs.includes(1) && vs.includes(999),
    },
    {
      name: "a 53-bit integer",
      schema: { $ref: "#/components/schemas/AmountCents" },
      want: (vs) => vs.some((v) => (v as number) > 2 ** 32) && vs.includes(Number.MAX_SAFE_INTEGER),
    },
    {
      name: "every enum value",
      schema: { $ref: "#/components/schemas/RefundReason" },
      want: (vs) => new Set(vs).size === 3,
    },
    { name: "a const", schema: { const: "set" }, want: (vs) => vs.every((v) => v === "set") },
    {
      name: "every branch of a tagged union",
      schema: tagged,
      want: (vs) => new Set(vs.map((v) => (v as { type: string }).type)).size === 2,
    },
    {
      name: "objects with and without each optional property",
      schema: {
        type: "object",
        required: ["id"],
        properties: { id: { type: "integer" }, note: { type: "string" } },
        additionalProperties: false,
      },
      want: (vs) => vs.some((v) => "note" in (v as object)) && vs.some((v) => !("note" in (v as object))),
    },
    {
      name: "objects without readOnly properties",
      schema: { $ref: "#/components/schemas/Allocation" },
      want: (vs) => vs.every((v) => !("allocation_id" in (v as object)) && !("allocated_on" in (v as object))),
    },
    {
      name: "empty and non-empty arrays",
      schema: { type: "array", items: { type: "boolean" } },
      want: (vs) => vs.some((v) => (v as unknown[]).length === 0) && vs.some((v) => (v as unknown[]).length > 1),
    },
  ])("generates $name, valid against the schema", ({ schema, want }) => {
    const values = sample(schema);
    for (const value of values) expect(specAjv.validate(schema, value), JSON.stringify(value)).toEqual([]);
    expect(want(values)).toBe(true);
  });

  it.each(["PatientRefundCreate", "PatientRefundUpdate", "NonInsurancePayerRefundCreate", "TokenRequest"])(
    "generates valid %s request bodies",
    (name) => {
      const schema = { $ref: `#/components/schemas/${name}` };
      for (const value of sample(schema, 500)) expect(specAjv.validate(schema, value)).toEqual([]);
    },
  );

  it("uses the arbitrary given for a property name, at any depth", () => {
    const schema = { $ref: "#/components/schemas/PatientRefundCreate" };
    const values = sample(schema, 100, { patient_external_id: fc.constant("PAT-1") }) as {
      patient_external_id: string;
      allocations: { target: { patient_external_id?: string } }[];
    }[];
    expect(new Set(values.map((v) => v.patient_external_id))).toEqual(new Set(["PAT-1"]));
    const nested = values.flatMap((v) => v.allocations.map((a) => a.target.patient_external_id)).filter(Boolean);
    expect(nested.length).toBeGreaterThan(0);
    expect(new Set(nested)).toEqual(new Set(["PAT-1"]));
  });

  it.each<{ name: string; schema: JsonSchema; want: RegExp }>([
    { name: "pattern", schema: { type: "string", pattern: "^a" }, want: /keyword "pattern" at #/ },
    { name: "allOf", schema: { allOf: [{ type: "string" }] }, want: /keyword "allOf" at #/ },
    { name: "an unknown format", schema: { type: "string", format: "email" }, want: /format "email" at #/ },
    { name: "a missing type", schema: { properties: {} }, want: /Unsupported schema at #/ },
    {
      name: "a keyword deep inside",
      schema: { type: "object", properties: { a: { type: "array", items: { type: "string", pattern: "x" } } } },
      want: /"pattern" at #\/properties\/a\/items/,
    },
  ])("refuses $name instead of generating values it cannot promise", ({ schema, want }) => {
    expect(() => schemaArbitrary(schema, { resolve })).toThrow(want);
  });
});

describe("dateTimeArbitrary", () => {
  const values = fc.sample(dateTimeArbitrary(), { numRuns: 3000, seed: 7 });
  it.each([
    { name: "UTC with Z", want: /Z$/ },
    { name: "an offset with a colon", want: /[+-]\d\d:\d\d$/ },
    { name: "an offset without a colon", want: /[+-]\d{4}$/ },
    { name: "an offset of hours only", want: /\d\d:\d\d[+-]\d\d$/ },
    { name: "a lower-case z", want: /z$/ },
    { name: "a space between date and time", want: /^\S+ \S+$/ },
    { name: "fractions of a second", want: /\.\d+/ },
    { name: "a leap second", want: /T23:59:60/ },
  ])("spells some date-times with $name, all valid", ({ want }) => {
    expect(values.some((v) => want.test(v))).toBe(true);
    for (const v of values) expect(specAjv.validate({ type: "string", format: "date-time" }, v), v).toEqual([]);
  });
});
