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
  const branches = (schema.oneOf ?? schema.anyOf) as SchemaObject[] | undefined;
  if (!branches) return undefined;
  const tagName = schema.discriminator?.propertyName;
  const tag = tagName === undefined ? undefined : data[tagName];
  const mapped = typeof tag === "string" ? schema.discriminator?.mapping?.[tag] : undefined;
  if (mapped) return resolveRef(spec, { $ref: mapped });
  return branches
    .map((b) => resolveRef(spec, b))
    .find((b) =>
      Object.entries(b?.properties ?? {}).some(
        ([key, p]) => resolveRef(spec, p)?.const !== undefined && resolveRef(spec, p)?.const === data[key],
      ),
    );
}
