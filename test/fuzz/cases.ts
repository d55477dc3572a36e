// Fuzz cases of one operation: a valid request, or a valid request broken in one way (in its path, query or body),
// with the answer each must get.
import fc from "fast-check";
import type { FuzzOperation } from "./contract.js";
import { sharedAjv } from "./contract.js";
import type { WireRequest } from "./harness.js";
import { formatPath, type Mutation, type MutationKind, mutationsOf } from "./mutations.js";
import { deref, type JsonSchema, type SchemaContext, schemaArbitrary } from "./schema-arbitrary.js";

/** Where a mutation was made. */
export type Location = "path" | "query" | "body";

/** One generated request of an operation. */
export interface FuzzCase {
  operationId: string;
  /** `valid`, or the kind of the one mutation. */
  kind: "valid" | MutationKind;
  location?: Location;
  /** The mutated field, as the server names it (`body.allocations[0].amount_cents`). */
  field?: string;
  note?: string;
  path: Record<string, string>;
  query: Record<string, unknown>;
  /** The JSON body (absent for operations without one). */
  body?: unknown;
}

/** Placeholder for a path id that must name a refund created just for this case (deletes). */
export const freshId = "<fresh>";

/** What valid requests are made of beyond their schemas: ids that exist, and values the server must accept. */
export interface CaseContext extends Pick<SchemaContext, "resolve"> {
  /** Existing ids per path parameter name (`freshId` for a refund made for the case). */
  pathIds: Record<string, fc.Arbitrary<string>>;
  /** Replacements for properties of these names, in the query or body. */
  properties: Record<string, fc.Arbitrary<unknown>>;
}

const pathSchema = (op: FuzzOperation): JsonSchema => ({
  type: "object",
  properties: Object.fromEntries(op.pathParams.map((p) => [p.name, p.schema])),
  required: op.pathParams.map((p) => p.name),
});

/** Valid requests of `op`: ids that exist, and query and body drawn from their schemas. */
export function validCases(op: FuzzOperation, ctx: CaseContext): fc.Arbitrary<FuzzCase> {
  const schemaCtx: SchemaContext = { resolve: ctx.resolve, properties: ctx.properties };
  const path = fc.record(
    Object.fromEntries(
      op.pathParams.map((p) => {
        const ids = ctx.pathIds[p.name];
        if (!ids) throw new Error(`No ids for path parameter ${p.name}`);
        return [p.name, ids];
      }),
    ),
  );
  const query = op.querySchema ? schemaArbitrary(op.querySchema, schemaCtx) : fc.constant({});
  const body = op.bodySchema ? schemaArbitrary(op.bodySchema, schemaCtx) : fc.constant(undefined);
  // Half the cases send every UUID in upper case, which `format: uuid` accepts: the answer must be the same.
  const upper = (schema: JsonSchema | undefined, value: unknown) =>
    schema ? upperCaseUuids(schema, value, ctx) : value;
  return fc.record({ path, query, body, shout: fc.boolean() }).map(({ shout, ...given }) => {
    const parts = shout
      ? {
          path: upper(pathSchema(op), given.path),
          query: upper(op.querySchema, given.query),
          body: upper(op.bodySchema, given.body),
        }
      : given;
    return {
      operationId: op.operationId,
      kind: "valid",
      path: parts.path as Record<string, string>,
      query: parts.query as Record<string, unknown>,
      ...(op.bodySchema ? { body: parts.body } : {}),
    } satisfies FuzzCase;
  });
}

const uuidText = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `value` with every string its schema gives `format: uuid` in upper case (through objects, arrays and tagged
 * unions); everything else as it was.
 */
export function upperCaseUuids(schema: JsonSchema, value: unknown, ctx: Pick<SchemaContext, "resolve">): unknown {
  const s = deref(schema, ctx);
  // Only a UUID itself: placeholders (`freshId`) stay as they are.
  if (typeof value === "string") return s.format === "uuid" && uuidText.test(value) ? value.toUpperCase() : value;
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => upperCaseUuids((s.items ?? {}) as JsonSchema, item, ctx));
  if (Array.isArray(s.oneOf)) {
    const tagName = (s.discriminator as { propertyName?: string } | undefined)?.propertyName ?? "type";
    const branch = (s.oneOf as JsonSchema[])
      .map((b) => deref(b, ctx))
      .find(
        (b) =>
          ((b.properties ?? {}) as Record<string, JsonSchema>)[tagName]?.const ===
          (value as Record<string, unknown>)[tagName],
      );
    return branch ? upperCaseUuids(branch, value, ctx) : value;
  }
  const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // defineProperty keeps a "__proto__" key an own key, as JSON.parse makes it.
    const v = properties[key] ? upperCaseUuids(properties[key], item, ctx) : item;
    Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Valid requests of `op` broken in exactly one way: a kind of mutation is drawn first (so rare kinds get their
 * share), then one of the places it applies to. Every mutation is checked invalid against the schema it breaks.
 */
export function mutatedCases(op: FuzzOperation, ctx: CaseContext): fc.Arbitrary<FuzzCase> {
  const ajv = sharedAjv();
  return validCases(op, ctx).chain((valid) => {
    const candidates: { location: Location; mutation: Mutation }[] = [];
    const collect = (
      location: Location,
      schema: JsonSchema | undefined,
      value: unknown,
      wire: "json" | "query",
      keep = (_: Mutation) => true,
    ) => {
      if (!schema) return;
      const isValid = (v: unknown) => ajv.validate(schema, v).length === 0;
      for (const mutation of mutationsOf(schema, value, { resolve: ctx.resolve, wire, isValid })) {
        if (keep(mutation)) candidates.push({ location, mutation });
      }
    };
    if (op.pathParams.length > 0) {
      // A path segment is text: only a malformed id is a fault there.
      const placeholder = Object.fromEntries(Object.keys(valid.path).map((k) => [k, uuidLike]));
      collect("path", pathSchema(op), placeholder, "query", (m) => m.kind === "bad-format");
    }
    collect("query", op.querySchema, valid.query, "query");
    collect("body", op.bodySchema, valid.body, "json");
    const kinds = [...new Set(candidates.map((c) => c.mutation.kind))];
    return fc.constantFrom(...kinds).chain((kind) =>
      fc.constantFrom(...candidates.filter((c) => c.mutation.kind === kind)).map(({ location, mutation }) => {
        const mutated: FuzzCase = {
          ...valid,
          kind: mutation.kind,
          location,
          field: formatPath(location, mutation.path),
          note: mutation.note,
        };
        if (location === "path") mutated.path = mutation.value as Record<string, string>;
        if (location === "query") mutated.query = mutation.value as Record<string, unknown>;
        if (location === "body") mutated.body = mutation.value;
        return mutated;
      }),
    );
  });
}

// Stands in for the real (or fresh) id while path mutations are listed; every mutation replaces it.
const uuidLike = "00000000-0000-4000-8000-000000000000";

/** The request of a case (the path id already resolved when it was `freshId`). */
export function requestOf(op: FuzzOperation, c: FuzzCase): WireRequest {
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(String(c.path[name])));
  const query: [string, string][] = [];
  for (const [name, value] of Object.entries(c.query)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) query.push([name, String(v)]);
  }
  return {
    method: op.method,
    path,
    query,
    ...(c.body === undefined && !op.bodySchema ? {} : { body: JSON.stringify(c.body) }),
  };
}
