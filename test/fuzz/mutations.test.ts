import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bundledSpec, createSpecAjv } from "../support/spec.js";
import { formatPath, type MutationKind, mutationKinds, mutationsOf, type Wire } from "./mutations.js";
import { type JsonSchema, schemaArbitrary } from "./schema-arbitrary.js";

const spec = bundledSpec();
const specAjv = createSpecAjv(spec);
const resolve = (ref: string) =>
  ref
    .slice(2)
    .split("/")
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], spec) as JsonSchema;

const tagged: JsonSchema = {
  oneOf: [
    { type: "object", required: ["type"], properties: { type: { const: "a" } }, additionalProperties: false },
    {
      type: "object",
      required: ["type", "n"],
      properties: { type: { const: "b" }, n: { type: "integer" } },
      additionalProperties: false,
    },
  ],
  discriminator: { propertyName: "type" },
};

describe("mutationsOf", () => {
  it.each<{ name: string; schema: JsonSchema; value: unknown; wire?: Wire; kind: MutationKind; want: unknown[] }>([
    {
      name: "an integer out of its bounds",
      schema: { type: "integer", minimum: 1, maximum: 999 },
      value: 5,
      kind: "out-of-range",
      want: [0, 1000],
    },
    {
      name: "an integer of another type",
      schema: { type: "integer" },
      value: 5,
      kind: "wrong-type",
      want: ["text", 1.5, true, null, {}, [], "5"],
    },
    {
      name: "a string shorter than its minLength",
      schema: { type: "string", minLength: 1 },
      value: "x",
      kind: "out-of-range",
      want: [""],
    },
    {
      name: "an enum value that is not one",
      schema: { type: "string", enum: ["asc", "desc"] },
      value: "asc",
      kind: "unknown-enum",
      want: ["ASC", "asc ", "asc_OTHER", "UNKNOWN", ""],
    },
    {
      name: "a required property left out",
      schema: { type: "object", required: ["a"], properties: { a: { const: 1 }, b: { const: 2 } } },
      value: { a: 1, b: 2 },
      kind: "missing-required",
      want: [{ b: 2 }],
    },
    {
      name: "an unknown property where none is allowed",
      schema: { type: "object", properties: { a: { const: 1 } }, additionalProperties: false },
      value: { a: 1 },
      kind: "extra-field",
      want: [
        { a: 1, unexpected_field: "unexpected" },
        JSON.parse('{"a": 1, "__proto__": "unexpected"}'),
        { a: 1, Amount_Cents: "unexpected" },
      ],
    },
    {
      name: "no unknown property where others are allowed",
      schema: { type: "object", properties: { a: { const: 1 } } },
      value: { a: 1 },
      kind: "extra-field",
      want: [],
    },
    {
      name: "a union's tag, unknown or another branch's",
      schema: tagged,
      value: { type: "b", n: 1 },
      kind: "wrong-discriminator",
      want: ["A", "a ", "a_OTHER", "UNKNOWN", "", "a", 7, 1.5, true, null, {}, []].map((type) => ({ type, n: 1 })),
    },
    {
      name: "a nested value, the rest of the root kept",
      schema: { type: "object", properties: { list: { type: "array", items: { type: "integer", maximum: 3 } } } },
      value: { list: [1, 2] },
      kind: "out-of-range",
      want: [{ list: [4, 2] }, { list: [1, 4] }],
    },
    {
      name: "a query integer as text that does not parse",
      schema: { type: "integer" },
      value: 5,
      wire: "query",
      kind: "wrong-type",
      want: ["ten", "1.5", "12abc", "0x10", "0b11", "1e1", " 1"],
    },
    {
      name: "a query string sent twice",
      schema: { type: "string" },
      value: "x",
      wire: "query",
      kind: "wrong-type",
      want: [["x", "x"]],
    },
    {
      name: "no type faults in the values of a repeated query parameter",
      schema: { type: "array", items: { type: "string", minLength: 1 } },
      value: ["x"],
      wire: "query",
      kind: "wrong-type",
      want: [],
    },
  ])("breaks $name", ({ schema, value, wire, kind, want }) => {
    const got = mutationsOf(schema, value, { resolve, wire }).filter((m) => m.kind === kind);
    expect(got.map((m) => m.value)).toEqual(want);
  });

  it("names where each mutation is", () => {
    const value = { allocations: [{ amount_cents: 1, target: { type: "unattributed" } }] };
    const got = mutationsOf({ $ref: "#/components/schemas/NonInsurancePayerRefundCreate" }, value, { resolve })
      .filter((m) => m.kind === "out-of-range")
      .map((m) => formatPath("body", m.path));
    // One allocation over the cap, then an amount below the minimum and above the maximum.
    expect(got).toEqual(["body.allocations", "body.allocations[0].amount_cents", "body.allocations[0].amount_cents"]);
  });

  // A tag switched to another branch's may land on a branch of the same shape (a claim id for a service line id):
  // those say so, and the fuzzer drops the ones the schema check accepts.
  it.each<{ name: string; kinds: MutationKind[] }>([
    { name: "PatientRefundCreate", kinds: [...mutationKinds] },
    { name: "NonInsurancePayerRefundCreate", kinds: [...mutationKinds] },
    {
      name: "PatientRefundUpdate",
      kinds: ["wrong-type", "missing-required", "unknown-enum", "bad-format", "extra-field", "wrong-discriminator"],
    },
    {
      name: "NonInsurancePayerRefundUpdate",
      kinds: ["wrong-type", "missing-required", "unknown-enum", "bad-format", "extra-field", "wrong-discriminator"],
    },
    { name: "TokenRequest", kinds: ["wrong-type", "missing-required", "out-of-range", "extra-field"] },
  ])("makes every valid $name invalid, with the kinds of mutation its schema allows", ({ name, kinds }) => {
    const schema = { $ref: `#/components/schemas/${name}` };
    const seen = new Set<string>();
    for (const value of fc.sample(schemaArbitrary(schema, { resolve }), { numRuns: 100, seed: 3 })) {
      for (const m of mutationsOf(schema, value, { resolve })) {
        seen.add(m.kind);
        if (m.mayStayValid) continue;
        expect(specAjv.validate(schema, m.value), `${m.kind} ${m.note} ${JSON.stringify(m.value)}`).not.toEqual([]);
      }
    }
    expect([...seen].sort()).toEqual([...kinds].sort());
  });

  it("drops the mutations the given check still accepts", () => {
    const schema = { $ref: "#/components/schemas/AllocationTargetCreate" };
    const value = { type: "claim_by_id", value: "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10" };
    const isValid = (v: unknown) => specAjv.validate(schema, v).length === 0;
    const all = mutationsOf(schema, value, { resolve }).filter((m) => m.kind === "wrong-discriminator");
    const kept = mutationsOf(schema, value, { resolve, isValid }).filter((m) => m.kind === "wrong-discriminator");
    const tags = (ms: typeof all) => ms.map((m) => (m.value as { type: unknown }).type);
    expect(tags(all)).toContain("service_line_by_id");
    expect(tags(kept)).not.toContain("service_line_by_id");
    expect(tags(kept)).toContain("unattributed");
  });
});
