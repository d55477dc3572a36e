// fast-check arbitraries from the spec's JSON Schemas (2020-12, as OpenAPI 3.1 uses them). No maintained package
// covers what the spec uses (const-tagged oneOf unions, formats, 53-bit integer bounds) on fast-check 4, so this
// is a small converter for exactly that subset; any other keyword throws, so a spec change cannot silently make it
// generate data the schema does not describe.
import fc from "fast-check";

/** A JSON Schema object, loosely typed for walking. */
export type JsonSchema = { [keyword: string]: unknown };

/** What a conversion needs besides the schema. */
export interface SchemaContext {
  /** Resolves a `$ref` such as `#/components/schemas/PatientRefund`. */
  resolve(ref: string): JsonSchema;
  /** Arbitraries that replace the schema's for properties of these names, at any depth. */
  properties?: Readonly<Record<string, fc.Arbitrary<unknown>>>;
  /** Arbitraries that replace the built-in ones for strings of these formats (`uuid`: a small pool of ids). */
  formats?: Readonly<Record<string, fc.Arbitrary<string>>>;
  /** Leave out `readOnly` properties (request bodies never carry them); true by default. */
  omitReadOnly?: boolean;
}

// Keywords that describe a value without constraining it.
const annotations = new Set([
  "description",
  "title",
  "example",
  "examples",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
  "discriminator",
  "$comment",
]);
const handled = new Set([
  "$ref",
  "type",
  "const",
  "enum",
  "oneOf",
  "format",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minItems",
  "maxItems",
]);

/** The schema behind `schema`'s `$ref` (and further refs), or `schema` itself. */
export function deref(schema: JsonSchema, ctx: Pick<SchemaContext, "resolve">): JsonSchema {
  let current = schema;
  for (let hops = 0; typeof current.$ref === "string"; hops++) {
    if (hops > 32) throw new Error(`$ref cycle at ${String(schema.$ref)}`);
    current = ctx.resolve(current.$ref);
  }
  return current;
}

/** An arbitrary of values valid against `schema`. Throws on a keyword it does not understand. */
export function schemaArbitrary(schema: JsonSchema, ctx: SchemaContext, at = "#"): fc.Arbitrary<unknown> {
  const s = deref(schema, ctx);
  for (const key of Object.keys(s)) {
    if (!handled.has(key) && !annotations.has(key)) throw new Error(`Unsupported schema keyword "${key}" at ${at}`);
  }
  if ("const" in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  if (Array.isArray(s.oneOf)) {
    return fc.oneof(...s.oneOf.map((branch, i) => schemaArbitrary(branch as JsonSchema, ctx, `${at}/oneOf/${i}`)));
  }
  switch (s.type) {
    case "string":
      return (typeof s.format === "string" && ctx.formats?.[s.format]) || stringArbitrary(s, at);
    case "integer":
      return integerArbitrary(s);
    case "number":
      return fc.double({
        min: typeof s.minimum === "number" ? s.minimum : undefined,
        max: typeof s.maximum === "number" ? s.maximum : undefined,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(schemaArbitrary((s.items ?? {}) as JsonSchema, ctx, `${at}/items`), {
        minLength: typeof s.minItems === "number" ? s.minItems : 0,
        maxLength: Math.min(typeof s.maxItems === "number" ? s.maxItems : 3, 3),
      });
    case "object":
      return objectArbitrary(s, ctx, at);
    default:
      throw new Error(`Unsupported schema at ${at}: ${JSON.stringify(s).slice(0, 200)}`);
  }
}

function objectArbitrary(s: JsonSchema, ctx: SchemaContext, at: string): fc.Arbitrary<unknown> {
  const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((s.required ?? []) as string[]);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) {
    if ((ctx.omitReadOnly ?? true) && isReadOnly(property, ctx) && !required.has(name)) continue;
    model[name] = ctx.properties?.[name] ?? schemaArbitrary(property, ctx, `${at}/properties/${name}`);
  }
  return fc.record(model, { requiredKeys: Object.keys(model).filter((k) => required.has(k)) });
}

function isReadOnly(property: JsonSchema, ctx: SchemaContext): boolean {
  return property.readOnly === true || deref(property, ctx).readOnly === true;
}

function integerArbitrary(s: JsonSchema): fc.Arbitrary<number> {
  const min = typeof s.minimum === "number" ? s.minimum : Number.MIN_SAFE_INTEGER;
  const max = typeof s.maximum === "number" ? s.maximum : Number.MAX_SAFE_INTEGER;
  // fc.integer is 32-bit; money goes up to 2^53 - 1. Small values and both bounds are the likeliest bugs.
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: Math.max(min, 0), max: Math.min(max, 100_000) }) },
    { weight: 1, arbitrary: fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number) },
    { weight: 1, arbitrary: fc.constantFrom(min, max) },
  );
}

function stringArbitrary(s: JsonSchema, at: string): fc.Arbitrary<string> {
  switch (s.format) {
    case undefined:
      break;
    case "uuid":
      return uuidArbitrary();
    case "date":
      return dateArbitrary();
    case "date-time":
      return dateTimeArbitrary();
    default:
      throw new Error(`Unsupported string format "${String(s.format)}" at ${at}`);
  }
  const minLength = typeof s.minLength === "number" ? s.minLength : 0;
  const maxLength = typeof s.maxLength === "number" ? s.maxLength : undefined;
  // With a maximum, one unit must be one code point, as JSON Schema counts lengths in code points.
  return fc.string({
    unit: maxLength === undefined ? textUnit : codePointUnit,
    minLength,
    maxLength: maxLength ?? minLength + 24,
  });
}

// Characters that break naive handling: controls, zero-width and bidi marks, U+FFFD, line separators,
// combining sequences, emoji with joiners, quotes, escapes and URL syntax.
const oddCharacters = [
  "\u0000",
  "\u0007",
  "\u001f",
  "\u007f",
  "\n",
  "\t",
  "\u200b",
  "\u200d",
  "\u202e",
  "\ufeff",
  "\u2028",
  "\ufffd",
  "e\u0301",
  "😀",
  "👩‍👩‍👧",
  "𝕏",
  '"',
  "\\",
  "'",
  "%",
  "&",
  "=",
  "+",
  "/",
  "?",
  "#",
  "<",
  ">",
  " ",
];

const codePointUnit = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  // Any plane, but no surrogate code point: alone, one is no Unicode text (the server refuses it with a 422).
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 0, max: 0x10ffff - 0x800 })
      .map((c) => String.fromCodePoint(c < 0xd800 ? c : c + 0x800)),
  },
);

/** One character of generated text: mostly printable ASCII, some of any plane, some known troublemakers. */
export const textUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: codePointUnit },
  { weight: 1, arbitrary: fc.constantFrom(...oddCharacters) },
);

/** UUIDs as the `uuid` format accepts them: any version, lower case mostly. */
export function uuidArbitrary(): fc.Arbitrary<string> {
  return fc.oneof({ weight: 9, arbitrary: fc.uuid() }, { weight: 1, arbitrary: fc.uuid().map((u) => u.toUpperCase()) });
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const daysIn = (year: number, month: number) =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

/** A calendar date, `YYYY-MM-DD`, over the whole range the `date` format accepts (years 0000 to 9999). */
export function dateArbitrary(): fc.Arbitrary<string> {
  return fc
    .record({
      year: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1970, max: 2100 }) }, fc.integer({ min: 0, max: 9999 })),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 31 }),
    })
    .map(({ year, month, day }) => `${pad(year, 4)}-${pad(month, 2)}-${pad(Math.min(day, daysIn(year, month)), 2)}`);
}

/**
 * RFC 3339 date-times as the `date-time` format accepts them: with or without fractions, `Z` or an offset, and
 * now and then the spellings the validator lets through besides (lower case `t`/`z`, a space, `+hhmm`, `+hh`).
 */
export function dateTimeArbitrary(): fc.Arbitrary<string> {
  const time = fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m, s]) => `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`);
  const fraction = fc.option(fc.stringMatching(/^\.\d{1,9}$/), { nil: "" });
  const offset = fc.tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }));
  const zone = fc.oneof(
    { weight: 6, arbitrary: fc.constant("Z") },
    { weight: 3, arbitrary: offset.map(([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`) },
    { weight: 1, arbitrary: fc.constant("z") },
    { weight: 1, arbitrary: offset.map(([sign, h, m]) => `${sign}${pad(h, 2)}${pad(m, 2)}`) },
    { weight: 1, arbitrary: offset.map(([sign, h]) => `${sign}${pad(h, 2)}`) },
  );
  const separator = fc.oneof({ weight: 8, arbitrary: fc.constant("T") }, fc.constantFrom("t", " "));
  // A leap second is valid only where it falls at 23:59:60 UTC.
  const leapSecond = fc.tuple(dateArbitrary(), fraction).map(([date, frac]) => `${date}T23:59:60${frac}Z`);
  return fc.oneof(
    { weight: 30, arbitrary: fc.tuple(dateArbitrary(), separator, time, fraction, zone).map((p) => p.join("")) },
    { weight: 1, arbitrary: leapSecond },
  );
}
