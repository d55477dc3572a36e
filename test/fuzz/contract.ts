// The spec as the fuzzer reads it: each operation's parameters, body and declared responses, and the check that a
// response is one the operation may give.
import { bundledSpec, createSpecAjv, type OpenApiDocument } from "../support/spec.js";
import type { JsonSchema } from "./schema-arbitrary.js";

/** A path or query parameter. */
export interface Parameter {
  name: string;
  in: "path" | "query";
  required: boolean;
  schema: JsonSchema;
}

/** One operation, with everything the fuzzer generates from and checks against. */
export interface FuzzOperation {
  operationId: string;
  method: string;
  /** The spec's path template. */
  path: string;
  pathParams: Parameter[];
  queryParams: Parameter[];
  /** The query as one object schema (unknown parameters refused when the operation declares a 422). */
  querySchema?: JsonSchema;
  bodySchema?: JsonSchema;
  /** Declared statuses and their JSON body schema (`null`: declared without a body). */
  responses: Map<number, JsonSchema | null>;
  /** Whether the operation needs a bearer token. */
  secured: boolean;
}

/** A response as received. */
export interface Reply {
  status: number;
  contentType: string | null;
  text: string;
}

const methods = ["get", "post", "put", "patch", "delete"];

/** Every operation of the spec. */
export function fuzzOperations(spec: OpenApiDocument = bundledSpec()): FuzzOperation[] {
  const ref = (node: unknown): Record<string, unknown> => {
    let current = node as Record<string, unknown>;
    while (typeof current?.$ref === "string") {
      current = (current.$ref as string)
        .slice(2)
        .split("/")
        .reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], spec) as Record<string, unknown>;
    }
    return current;
  };
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    methods.flatMap((method) => {
      const op = item[method] as Record<string, unknown> | undefined;
      if (!op) return [];
      const parameters = [...((item.parameters ?? []) as unknown[]), ...((op.parameters ?? []) as unknown[])]
        .map(ref)
        .map((p) => ({
          name: p.name as string,
          in: p.in as "path" | "query",
          required: p.required === true,
          schema: p.schema as JsonSchema,
        }));
      const responses = new Map<number, JsonSchema | null>();
      for (const [status, response] of Object.entries((op.responses ?? {}) as Record<string, unknown>)) {
        const content = ref(response).content as Record<string, { schema: JsonSchema }> | undefined;
        responses.set(Number(status), content?.["application/json"]?.schema ?? null);
      }
      const queryParams = parameters.filter((p) => p.in === "query");
      const body = (op.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)?.content;
      const security = (op.security ?? spec.security ?? []) as unknown[];
      return [
        {
          operationId: op.operationId as string,
          method: method.toUpperCase(),
          path,
          pathParams: parameters.filter((p) => p.in === "path"),
          queryParams,
          querySchema:
            queryParams.length === 0
              ? undefined
              : {
                  type: "object",
                  properties: Object.fromEntries(queryParams.map((p) => [p.name, nonEmpty(p.schema)])),
                  required: queryParams.filter((p) => p.required).map((p) => p.name),
                  ...(responses.has(422) ? { additionalProperties: false } : {}),
                },
          bodySchema: body?.["application/json"]?.schema,
          responses,
          secured: security.length > 0,
        },
      ];
    }),
  );
}

// OpenAPI's `allowEmptyValue` is false unless said otherwise: `?check_number=` is no value at all.
function nonEmpty(schema: JsonSchema): JsonSchema {
  if (schema.type === "array" && schema.items) return { ...schema, items: nonEmpty(schema.items as JsonSchema) };
  if (schema.type === "string" && schema.minLength === undefined) return { ...schema, minLength: 1 };
  return schema;
}

const undeclared403: JsonSchema = { $ref: "#/components/schemas/UnauthorizedError" };

/**
 * What is wrong with `reply` as an answer of `op`, or nothing: never a 5xx; a status the operation declares (or
 * the documented 403 of a secured operation that declares none); a JSON body valid against the declared schema,
 * served as application/json; no body where none is declared.
 */
export function contractProblems(op: FuzzOperation, reply: Reply, ajv = sharedAjv()): string[] {
  const problems: string[] = [];
  if (reply.status >= 500) problems.push(`answered ${reply.status}`);
  let schema = op.responses.get(reply.status);
  if (schema === undefined) {
    if (reply.status === 403 && op.secured) schema = undeclared403;
    else return [...problems, `status ${reply.status} is not declared by ${op.operationId}`];
  }
  if (schema === null) {
    if (reply.text !== "") problems.push(`a body where none is declared: ${reply.text.slice(0, 200)}`);
    return problems;
  }
  if (!/^application\/json(;|$)/.test(reply.contentType ?? "")) {
    problems.push(`content type ${reply.contentType ?? "(none)"}, not application/json`);
  }
  let body: unknown;
  try {
    body = JSON.parse(reply.text);
  } catch {
    return [...problems, `a body that is not JSON: ${reply.text.slice(0, 200)}`];
  }
  for (const e of ajv.validate(schema, body)) {
    problems.push(`body${e.instancePath} ${e.message ?? e.keyword} (${JSON.stringify(e.params)})`);
  }
  return problems;
}

let ajvInstance: ReturnType<typeof createSpecAjv> | undefined;

/** One Ajv over the spec for the whole run (compiling is the slow part). */
export function sharedAjv(): ReturnType<typeof createSpecAjv> {
  ajvInstance ??= createSpecAjv();
  return ajvInstance;
}
