// Single-fault mutations of a valid value: each changes one node of it in one way, so the request it goes into is
// invalid for exactly one reason the test can name.
import { deref, type JsonSchema, type SchemaContext } from "./schema-arbitrary.js";

/** The ways a value is broken, one at a time. */
export const mutationKinds = [
  "wrong-type",
  "missing-required",
  "unknown-enum",
  "out-of-range",
  "bad-format",
  "extra-field",
  "wrong-discriminator",
] as const;
export type MutationKind = (typeof mutationKinds)[number];

/** One change to a value. */
export interface Mutation {
  kind: MutationKind;
  /** Where the change is, from the root: property names and array indexes. */
  path: (string | number)[];
  /** The whole value after the change. */
  value: unknown;
  /** What was done, in words. */
  note: string;
  /** Set on a tag switched to another branch's, which the value may happen to fit. */
  mayStayValid?: true;
}

/**
 * How the value travels: as JSON, or as query-string text, where only some type errors survive the trip. The
 * values of a repeated query parameter (`query-item`) keep only their value faults (an unknown enum value, a bad
 * format): an empty one among others is not refused, and one cannot have another type.
 */
export type Wire = "json" | "query" | "query-item";

/** Options of `mutationsOf`. */
export interface MutationOptions extends Pick<SchemaContext, "resolve"> {
  wire?: Wire;
  /** Checks a mutated root against the root schema; mutations it accepts are dropped. */
  isValid?: (value: unknown) => boolean;
}

type Path = (string | number)[];
type Replace = (path: Path, next: unknown) => unknown;

/** Every single-fault mutation of `value`, which must be valid against `schema`. */
export function mutationsOf(schema: JsonSchema, value: unknown, options: MutationOptions): Mutation[] {
  const out: Mutation[] = [];
  const wire = options.wire ?? "json";
  const replace: Replace = (path, next) => setAt(value, path, next);
  walk(schema, value, [], { ...options, wire }, replace, out);
  return options.isValid ? out.filter((m) => !options.isValid?.(m.value)) : out;
}

/** `a.b[0].c` for a path. */
export function formatPath(root: string, path: readonly (string | number)[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === "number"
        ? `${text}[${key}]`
        : /^[A-Za-z_]\w*$/.test(key)
          ? `${text}.${key}`
          : `${text}[${JSON.stringify(key)}]`,
    root,
  );
}

function walk(
  schema: JsonSchema,
  value: unknown,
  path: Path,
  options: Required<Pick<MutationOptions, "wire" | "resolve">>,
  replace: Replace,
  out: Mutation[],
  skip?: string,
): void {
  const s = deref(schema, options);
  const add = (kind: MutationKind, next: unknown, note: string, at: Path = path) =>
    out.push({ kind, path: at, value: replace(at, next), note });

  if ("const" in s) return;
  if (Array.isArray(s.oneOf)) {
    unionMutations(s, value, path, options, replace, out);
    return;
  }
  for (const wrong of wrongTypes(s, value, options.wire)) add("wrong-type", wrong, `${describe(wrong)} instead`);
  if (Array.isArray(s.enum)) {
    for (const bogus of unknownEnumValues(s.enum))
      add("unknown-enum", bogus, `${JSON.stringify(bogus)}, not one of the values`);
    return;
  }
  switch (s.type) {
    case "string": {
      const text = value as string;
      if (typeof s.minLength === "number" && s.minLength > 0 && options.wire !== "query-item") {
        add("out-of-range", [...text].slice(0, s.minLength - 1).join(""), `shorter than ${s.minLength}`);
      }
      if (typeof s.maxLength === "number") {
        add("out-of-range", text + "x".repeat(s.maxLength + 1 - [...text].length), `longer than ${s.maxLength}`);
      }
      if (typeof s.format === "string") {
        for (const bad of badFormats[s.format] ?? [])
          add("bad-format", bad, `${JSON.stringify(bad)} is no ${s.format}`);
      }
      return;
    }
    case "integer":
    case "number":
      if (typeof s.minimum === "number") add("out-of-range", s.minimum - 1, `below the minimum ${s.minimum}`);
      if (typeof s.maximum === "number") add("out-of-range", s.maximum + 1, `above the maximum ${s.maximum}`);
      return;
    case "array":
      if (typeof s.maxItems === "number" && (value as unknown[]).length > 0) {
        // One more item than allowed, copies of the first (valid) one: only the count is wrong.
        const items = value as unknown[];
        const longer = Array.from({ length: s.maxItems + 1 }, (_, i) => items[i % items.length]);
        add("out-of-range", longer, `${s.maxItems + 1} items, over the maxItems ${s.maxItems}`);
      }
      (value as unknown[]).forEach((item, i) => {
        const wire = options.wire === "json" ? "json" : "query-item";
        walk((s.items ?? {}) as JsonSchema, item, [...path, i], { ...options, wire }, replace, out);
      });
      return;
    case "object": {
      const object = value as Record<string, unknown>;
      const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
      for (const name of (s.required ?? []) as string[]) {
        if (name in object && name !== skip)
          add("missing-required", undefined, `required "${name}" left out`, [...path, name]);
      }
      if (s.additionalProperties === false) {
        for (const name of extraNames.filter((n) => !Object.hasOwn(properties, n))) {
          add("extra-field", "unexpected", `unknown field "${name}" added`, [...path, name]);
        }
      }
      for (const [name, item] of Object.entries(object)) {
        const property = properties[name];
        if (property && name !== skip) walk(property, item, [...path, name], options, replace, out);
      }
      return;
    }
  }
}

/** A union: the tag made unknown or switched to another branch's, and the chosen branch's own mutations. */
function unionMutations(
  s: JsonSchema,
  value: unknown,
  path: Path,
  options: Required<Pick<MutationOptions, "wire" | "resolve">>,
  replace: Replace,
  out: Mutation[],
): void {
  const branches = (s.oneOf as JsonSchema[]).map((b) => deref(b, options));
  const tagName = (s.discriminator as { propertyName?: string } | undefined)?.propertyName ?? "type";
  const tags = branches.map((b) => ((b.properties ?? {}) as Record<string, JsonSchema>)[tagName]?.const);
  const object = value as Record<string, unknown>;
  const index = tags.indexOf(object?.[tagName]);
  for (const wrong of wrongTypes({ type: "object" }, value, options.wire)) {
    out.push({ kind: "wrong-type", path, value: replace(path, wrong), note: `${describe(wrong)} instead` });
  }
  const branch = branches[index];
  if (index < 0 || !branch) throw new Error(`No union branch has ${tagName} ${JSON.stringify(object?.[tagName])}`);
  const at = [...path, tagName];
  const others = tags.filter((_, i) => i !== index);
  const swaps = [
    ...unknownEnumValues(tags),
    ...others,
    ...wrongTypes({ type: "string" }, object[tagName], options.wire),
  ];
  for (const tag of swaps) {
    out.push({
      kind: "wrong-discriminator",
      path: at,
      value: replace(at, tag),
      note: `${tagName} ${JSON.stringify(tag)}`,
      ...(others.includes(tag) ? { mayStayValid: true as const } : {}),
    });
  }
  walk(branch, value, path, options, replace, out, tagName);
}

const extraNames = ["unexpected_field", "__proto__", "Amount_Cents"];

const badFormats: Record<string, string[]> = {
  uuid: [
    "not-a-uuid",
    "5f0c8a3e1b7d4c2a9e6f3a8b2d4c6e10",
    "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e1",
    "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10a",
    "{5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10}",
    "5g0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10",
    "' OR '1'='1",
  ],
  date: ["2024-02-30", "2023-02-29", "2024-13-01", "24-01-15", "2024/01/15", "2024-01-15T00:00:00Z", "today"],
  "date-time": [
    "2024-01-15",
    "2024-01-15T09:30:00",
    "2024-01-15T24:00:00Z",
    "2024-01-15T09:60:00Z",
    "2024-02-30T09:30:00Z",
    "2024-01-15T09:30:00+24:00",
    "2024-01-15T12:00:60Z",
    "2024-01-15T09:30Z",
    "1705311000",
    "yesterday",
  ],
};

function unknownEnumValues(members: readonly unknown[]): unknown[] {
  const strings = members.filter((m): m is string => typeof m === "string");
  const first = strings[0] ?? "value";
  // Near misses of a real value (case, whitespace), then plainly unknown ones.
  const candidates = [first.toLowerCase(), first.toUpperCase(), `${first} `, `${first}_OTHER`, "UNKNOWN", ""];
  return candidates.filter((c, i) => !members.includes(c) && candidates.indexOf(c) === i);
}

/** Values of other JSON types than `s` allows, as they would still arrive distinguishable over `wire`. */
function wrongTypes(s: JsonSchema, value: unknown, wire: Wire): unknown[] {
  const type = s.type ?? (Array.isArray(s.enum) ? "string" : undefined);
  if (wire === "query-item") return [];
  if (wire === "query") {
    // Query values are text: only what cannot coerce is a type error there; a scalar sent twice is an array.
    switch (type) {
      case "integer":
        // Also what JavaScript's Number would read as a number (hex, binary, exponent, a leading space): the
        // server takes decimal digits only.
        return ["ten", "1.5", "12abc", "0x10", "0b11", "1e1", " 1"];
      case "number":
        return ["ten"];
      case "boolean":
        return ["yes", "2"];
      case "string":
        return [[value, value]];
      default:
        return [];
    }
  }
  const samples: [string, unknown][] = [
    ["string", "text"],
    ["integer", 7],
    ["fraction", 1.5],
    ["boolean", true],
    ["null", null],
    ["object", {}],
    ["array", []],
  ];
  const allowed = new Set(type === "number" ? ["integer", "fraction"] : [String(type)]);
  const wrong = samples.filter(([t]) => !allowed.has(t)).map(([, v]) => v);
  // A numeric string is the classic near miss for a number.
  return type === "integer" || type === "number" ? [...wrong, String(value)] : wrong;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array ${JSON.stringify(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** A copy of `root` with the node at `path` replaced (or removed, for `undefined`), keys kept in order. */
function setAt(root: unknown, path: Path, next: unknown): unknown {
  if (path.length === 0) return next;
  const [head, ...rest] = path as [string | number, ...Path];
  const child = (current: unknown) => (rest.length === 0 ? next : setAt(current, rest, next));
  if (Array.isArray(root)) {
    const copy = [...root];
    copy[head as number] = child(root[head as number]);
    return copy;
  }
  const remove = rest.length === 0 && next === undefined;
  const copy: Record<string, unknown> = {};
  // defineProperty, so that "__proto__" becomes an own key as JSON.parse makes it.
  const define = (key: string, v: unknown) =>
    Object.defineProperty(copy, key, { value: v, enumerable: true, writable: true, configurable: true });
  let found = false;
  for (const [key, v] of Object.entries(root as Record<string, unknown>)) {
    if (key !== String(head)) define(key, v);
    else {
      found = true;
      if (!remove) define(key, child(v));
    }
  }
  if (!found && !remove) define(String(head), child(undefined));
  return copy;
}
