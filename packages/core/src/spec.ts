// The spec as the API's rules read it: its operations (the route table), `$ref` resolution, and the copy the
// validator gets. The document itself comes from the caller (the server reads the bundled file; the browser-safe
// handlers take the generated copy), so nothing here reads a file.
import type { OperationId } from "./operations/types.js";

/** The parts of an OpenAPI document the server walks. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, SchemaObject> } & Record<string, unknown>;
  [key: string]: unknown;
}

/** A JSON Schema object of the spec, loosely typed for walking. */
export interface SchemaObject {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaObject>;
  items?: SchemaObject;
  oneOf?: SchemaObject[];
  const?: unknown;
  required?: string[];
  discriminator?: { propertyName: string; mapping?: Record<string, string> };
  [key: string]: unknown;
}

interface OperationObject {
  operationId?: string;
  responses?: Record<string, unknown>;
  requestBody?: { content?: Record<string, { schema?: SchemaObject }> };
  [key: string]: unknown;
}

/** One operation of the spec, as the router binds it. */
export interface SpecOperation {
  operationId: OperationId;
  method: "get" | "post" | "put" | "patch" | "delete";
  /** The spec's path template, `/api/patient-refunds/v1/{patient_refund_id}`. */
  path: string;
  /** The same path in Express syntax, `/api/patient-refunds/v1/:patient_refund_id`. */
  expressPath: string;
  /** The HTTP statuses the operation declares. */
  statuses: ReadonlySet<number>;
  /** The schema of the JSON request body, if the operation takes one. */
  bodySchema?: SchemaObject;
}

const methods = ["get", "post", "put", "patch", "delete"] as const;

/** Every operation of the spec, in document order. */
export function specOperations(spec: OpenApiDocument): SpecOperation[] {
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    methods.flatMap((method) => {
      const op = item[method] as OperationObject | undefined;
      if (!op?.operationId) return [];
      return [
        {
          operationId: op.operationId as OperationId,
          method,
          path,
          expressPath: path.replace(/\{([^}]+)\}/g, ":$1"),
          statuses: new Set(Object.keys(op.responses ?? {}).map(Number)),
          bodySchema: op.requestBody?.content?.["application/json"]?.schema,
        },
      ];
    }),
  );
}

// Targets of `$ref`s by document: the request checks resolve the same few refs on every request, and a loaded
// document is not changed afterwards.
const refTargets = new WeakMap<OpenApiDocument, Map<string, SchemaObject | undefined>>();

/** Resolves a local `$ref` (`#/components/schemas/X`) against the document. */
export function resolveRef(spec: OpenApiDocument, schema: SchemaObject | undefined): SchemaObject | undefined {
  let current = schema;
  if (!current?.$ref) return current;
  let targets = refTargets.get(spec);
  if (!targets) {
    targets = new Map();
    refTargets.set(spec, targets);
  }
  for (let hops = 0; current?.$ref && hops < 32; hops++) {
    const ref = current.$ref;
    if (targets.has(ref)) {
      current = targets.get(ref);
      continue;
    }
    current = ref
      .slice(2)
      .split("/")
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], spec) as SchemaObject;
    targets.set(ref, current);
  }
  return current;
}

/**
 * The copy of the spec the validator reads. Ajv's `discriminator` option (which reports errors of the branch the
 * tag selects only) refuses `discriminator.mapping`; every branch pins its tag with `const`, so the mapping adds
 * nothing to validation. It is checked against the consts here, then dropped. Ajv applies `discriminator` to
 * objects only and then skips the `oneOf`, so a union also gets the `type: object` all its branches share, or a
 * string would pass. Operations that declare no 422 ignore unknown query parameters, so they never answer with a
 * status they do not declare.
 */
export function validatorSpec(spec: OpenApiDocument): OpenApiDocument {
  const copy = structuredClone(spec);
  walk(copy, (node) => {
    const schema = node as SchemaObject;
    if (!schema.discriminator || !schema.oneOf) return;
    checkMapping(copy, schema);
    delete schema.discriminator.mapping;
    schema.type = "object";
  });
  // `allowReserved` tells clients how to encode a value; a server decodes whatever arrives. Left false, the validator
  // refuses a "+" (a space, in form encoding) and the `'()*!` that encodeURIComponent leaves as they are.
  const parameters = [
    ...Object.values((copy.components.parameters ?? {}) as Record<string, Record<string, unknown>>),
    ...Object.values(copy.paths).flatMap((item) =>
      [item, ...methods.map((m) => item[m] as OperationObject | undefined)].flatMap(
        (node) => (node?.parameters ?? []) as Record<string, unknown>[],
      ),
    ),
  ];
  for (const parameter of parameters) {
    if (parameter.in === "query") parameter.allowReserved = true;
  }
  for (const op of specOperations(copy)) {
    if (!op.statuses.has(422)) {
      (copy.paths[op.path]?.[op.method] as OperationObject)["x-eov-allow-unknown-query-parameters"] = true;
    }
  }
  inlineParameters(copy);
  return copy;
}

/**
 * Writes each operation's parameters out in place of their `$ref`s, with a schema that is a `$ref` written out too
 * (its siblings, such as `default`, kept). The validator resolves both on every request, for every parameter of
 * the operation; validation is the same either way.
 */
function inlineParameters(spec: OpenApiDocument) {
  for (const item of Object.values(spec.paths)) {
    for (const node of [item, ...methods.map((m) => item[m] as OperationObject | undefined)]) {
      if (!Array.isArray(node?.parameters)) continue;
      node.parameters = (node.parameters as SchemaObject[]).map((reference) => {
        const parameter = structuredClone(resolveRef(spec, reference)) as SchemaObject & { schema?: SchemaObject };
        const schema = parameter.schema;
        if (schema?.$ref) {
          const { $ref, ...siblings } = schema;
          parameter.schema = { ...structuredClone(resolveRef(spec, { $ref })), ...siblings };
        }
        return parameter;
      });
    }
  }
}

function checkMapping(spec: OpenApiDocument, union: SchemaObject) {
  const { propertyName, mapping = {} } = union.discriminator as NonNullable<SchemaObject["discriminator"]>;
  const tags = new Map<unknown, string>();
  for (const branch of union.oneOf ?? []) {
    const resolved = resolveRef(spec, branch);
    const tag = resolved?.properties?.[propertyName]?.const;
    if (tag === undefined || !resolved?.required?.includes(propertyName)) {
      throw new Error(
        `Union branch ${branch.$ref ?? "(inline)"} does not pin a required "${propertyName}" with const.`,
      );
    }
    tags.set(tag, branch.$ref ?? "");
  }
  for (const [tag, ref] of Object.entries(mapping)) {
    if (tags.get(tag) !== ref)
      throw new Error(`discriminator.mapping sends "${tag}" to ${ref}, which does not pin it.`);
  }
}

function walk(node: unknown, visit: (node: object) => void) {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
  } else if (node && typeof node === "object") {
    visit(node);
    for (const value of Object.values(node)) walk(value, visit);
  }
}
