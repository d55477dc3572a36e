// Ids in one form: a UUID is compared as the server writes it (lower-case hex), whichever form the client or a
// seed file used (`format: uuid` also accepts upper case and a `urn:uuid:` prefix). The request checks make request ids
// canonical (checks.ts), and the server's seed loader makes a seed's; services and stores then compare exactly.
import { type OpenApiDocument, resolveRef, type SchemaObject } from "./spec.js";

const uuidText = /^(?:urn:uuid:)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * A UUID in the form the server writes and compares: lower-case hex, no `urn:uuid:` prefix (both of which
 * `format: uuid` accepts). Anything else is returned as it is.
 */
export function canonicalUuid(text: string): string {
  const match = uuidText.exec(text);
  return match ? (match[1] as string).toLowerCase() : text;
}

/**
 * `value` with every string the schema gives `format: uuid` made canonical, walking objects, arrays and tagged
 * unions (by their discriminator's mapping, or, without one, the branch whose tag `const` the data carries).
 * Returns a new value where something changed; `value` itself is not modified.
 */
export function canonicalIds(spec: OpenApiDocument, schema: SchemaObject | undefined, value: unknown): unknown {
  const resolved = resolveRef(spec, schema);
  if (!resolved) return value;
  if (typeof value === "string") return resolved.format === "uuid" ? canonicalUuid(value) : value;
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item) => {
      const canonical = canonicalIds(spec, resolved.items, item);
      if (canonical !== item) changed = true;
      return canonical;
    });
    return changed ? items : value;
  }
  const branch = unionBranch(spec, resolved, value as Record<string, unknown>);
  if (branch) return canonicalIds(spec, branch, value);
  let out: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const property = resolved.properties?.[key];
    if (!property) continue;
    const canonical = canonicalIds(spec, property, item);
    if (canonical !== item) {
      out ??= { ...(value as Record<string, unknown>) };
      out[key] = canonical;
    }
  }
  return out ?? value;
}

function unionBranch(
  spec: OpenApiDocument,
  schema: SchemaObject,
  data: Record<string, unknown>,
): SchemaObject | undefined {
  const union = unionOf(spec, schema);
  if (!union) return undefined;
  const tag = union.tagName === undefined ? undefined : data[union.tagName];
  const mapped = typeof tag === "string" ? union.mapping.get(tag) : undefined;
  if (mapped) return mapped;
  return union.branches.find((b) => b.consts.some(([key, value]) => value === data[key]))?.schema;
}

/** A union's branches with their resolved schemas and `const` properties, worked out once per schema. */
interface Union {
  tagName?: string;
  mapping: Map<string, SchemaObject | undefined>;
  branches: { schema: SchemaObject | undefined; consts: [string, unknown][] }[];
}

const unions = new WeakMap<SchemaObject, Union | null>();

function unionOf(spec: OpenApiDocument, schema: SchemaObject): Union | undefined {
  let union = unions.get(schema);
  if (union === undefined) {
    const branches = (schema.oneOf ?? schema.anyOf) as SchemaObject[] | undefined;
    union = branches
      ? {
          tagName: schema.discriminator?.propertyName,
          mapping: new Map(
            Object.entries(schema.discriminator?.mapping ?? {}).map(([tag, ref]) => [
              tag,
              resolveRef(spec, { $ref: ref }),
            ]),
          ),
          branches: branches.map((b) => {
            const resolved = resolveRef(spec, b);
            const consts = Object.entries(resolved?.properties ?? {})
              .map(([key, p]) => [key, resolveRef(spec, p)?.const] as [string, unknown])
              .filter(([, value]) => value !== undefined);
            return { schema: resolved, consts };
          }),
        }
      : null;
    unions.set(schema, union);
  }
  return union ?? undefined;
}
