// Request checks the validator does not make, framework-free: the Express server runs them as middleware
// (server/src/inputs.ts), the in-process handlers in their pipeline, so both answer alike.
// - before the body is read: integer query values written in decimal digits only (Ajv's coercion takes `0x10`,
//   `0b11`, ` 1`);
// - before validation: a top-level array of the body longer than its `maxItems`, refused before Ajv checks each item;
// - after validation: a required body that was sent empty, strings with unpaired surrogates (which no store can keep
//   as sent), and ids in their canonical form (UUIDs lower-case, as the server writes them), so that every
//   comparison downstream is exact.
import { BadRequestError, UnprocessableEntityError } from "./errors.js";
import { canonicalIds } from "./ids.js";
import { type OpenApiDocument, resolveRef, type SchemaObject } from "./spec.js";

interface ParameterObject {
  name: string;
  in: string;
  required?: boolean;
  schema?: SchemaObject;
}

interface OperationObject {
  operationId?: string;
  security?: Record<string, unknown>[];
  parameters?: SchemaObject[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: SchemaObject }> };
}

/** One operation as these checks see it. */
export interface RouteOperation {
  operationId: string;
  method: string;
  /** Whether a bearer token is required. */
  secured: boolean;
  parameters: ParameterObject[];
  bodyRequired: boolean;
  bodySchema?: SchemaObject;
}

const httpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Where a request's path leads in the spec. */
export interface RouteMatch {
  /** The methods the spec has at the path. */
  methods: string[];
  /** The operation of the request's method there, if any. */
  operation: RouteOperation | undefined;
  /** The path's parameters, as they appear in the URL (still percent-encoded). */
  rawParams: Record<string, string>;
}

/** The spec's paths, matched as the validator's route lookup does (case-insensitive, optional trailing slash). */
export class RouteTable {
  private readonly routes: { pattern: RegExp; names: string[]; operations: Map<string, RouteOperation> }[] = [];

  constructor(spec: OpenApiDocument) {
    const global = (spec.security as Record<string, unknown>[] | undefined) ?? [];
    for (const [template, item] of Object.entries(spec.paths)) {
      const shared = ((item.parameters ?? []) as SchemaObject[]).map((p) => resolveRef(spec, p));
      const operations = new Map<string, RouteOperation>();
      for (const method of httpMethods) {
        const op = item[method] as OperationObject | undefined;
        if (!op?.operationId) continue;
        const security = op.security ?? global;
        const own = (op.parameters ?? []).map((p) => resolveRef(spec, p));
        const body = op.requestBody;
        operations.set(method.toUpperCase(), {
          operationId: op.operationId,
          method: method.toUpperCase(),
          secured: security.length > 0 && !security.some((s) => Object.keys(s).length === 0),
          parameters: [...shared, ...own] as unknown as ParameterObject[],
          bodyRequired: body?.required === true,
          bodySchema: body?.content?.["application/json"]?.schema,
        });
      }
      const source = template
        .split(/(\{[^}]+\})/)
        .map((part) => (part.startsWith("{") ? "([^/]+)" : part.replace(/[.*+?^$()|[\]\\]/g, "\\$&")))
        .join("");
      const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
      this.routes.push({ pattern: new RegExp(`^${source}/?$`, "i"), names, operations });
    }
  }

  /** The operation of `method` at `path`, if the spec has one. */
  find(method: string, path: string): RouteOperation | undefined {
    for (const route of this.routes) if (route.pattern.test(path)) return route.operations.get(method.toUpperCase());
    return undefined;
  }

  /** Where `method` and `path` lead, or undefined when the path is none of the spec's. */
  lookup(method: string, path: string): RouteMatch | undefined {
    for (const route of this.routes) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      const rawParams: Record<string, string> = {};
      route.names.forEach((name, i) => {
        rawParams[name] = found[i + 1] as string;
      });
      return {
        methods: [...route.operations.keys()],
        operation: route.operations.get(method.toUpperCase()),
        rawParams,
      };
    }
    return undefined;
  }

  /** The methods the spec has at `path`, or undefined when the path is none of the spec's. */
  methodsAt(path: string): string[] | undefined {
    for (const route of this.routes) if (route.pattern.test(path)) return [...route.operations.keys()];
    return undefined;
  }

  byOperationId(operationId: string): RouteOperation | undefined {
    for (const route of this.routes) {
      for (const op of route.operations.values()) if (op.operationId === operationId) return op;
    }
    return undefined;
  }
}

/** The `Allow` value for these methods: HEAD wherever GET is, and OPTIONS everywhere. */
export function allowHeader(methods: readonly string[]): string {
  const upper = new Set(methods.map((m) => m.toUpperCase()));
  if (upper.has("GET")) upper.add("HEAD");
  upper.add("OPTIONS");
  const order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
  return [...upper].sort((a, b) => order.indexOf(a) - order.indexOf(b)).join(", ");
}

/** The most query parameters a request may carry; more are refused rather than silently dropped. */
export const maxQueryParameters = 1000;

/** Refuses a query string (after the `?`) of more than {@link maxQueryParameters} parameters with a 400. */
export function checkQueryParameterCount(search: string, max = maxQueryParameters): void {
  let count = 0;
  for (const part of search.split("&")) if (part !== "") count++;
  if (count > max) throw new BadRequestError(`The query string has ${count} parameters; at most ${max} are accepted.`);
}

/** Integer query values must be plain decimal digits, with an optional minus sign: a 422 naming each that is not. */
export function checkQueryIntegers(op: RouteOperation, query: Record<string, unknown>, spec: OpenApiDocument): void {
  let names = integerQueryNames.get(op);
  if (!names) {
    names = op.parameters.flatMap((parameter) => {
      if (parameter.in !== "query") return [];
      const schema = resolveRef(spec, parameter.schema);
      const itemSchema = schema?.type === "array" ? resolveRef(spec, schema.items) : undefined;
      return schema?.type === "integer" || itemSchema?.type === "integer" ? [parameter.name] : [];
    });
    integerQueryNames.set(op, names);
  }
  const problems: string[] = [];
  for (const name of names) {
    const given = query[name];
    if (given === undefined) continue;
    for (const value of [given].flat()) {
      if (typeof value !== "string" || !/^-?[0-9]+$/.test(value)) {
        // The words of the validator's own type check: `0x10` is no integer here.
        problems.push(`query.${name}: must be an integer`);
        break;
      }
    }
  }
  if (problems.length > 0) throw new UnprocessableEntityError(problems.join("; "));
}

/** The integer query parameters of each operation, found once. */
const integerQueryNames = new WeakMap<RouteOperation, string[]>();

/**
 * A top-level array of the body longer than its schema's `maxItems` is refused at once (Ajv, reporting every
 * error, would first check each of its items: 19,000 allocations took tens of milliseconds).
 */
export class ArrayCaps {
  private readonly caps = new Map<string, { property: string; maxItems: number }[]>();

  constructor(private readonly spec: OpenApiDocument) {}

  check(op: RouteOperation, body: unknown): void {
    if (!op.bodySchema || typeof body !== "object" || body === null || Array.isArray(body)) return;
    let list = this.caps.get(op.operationId);
    if (!list) {
      const properties = resolveRef(this.spec, op.bodySchema)?.properties ?? {};
      list = Object.entries(properties).flatMap(([property, schema]) => {
        const maxItems = resolveRef(this.spec, schema)?.maxItems;
        return typeof maxItems === "number" ? [{ property, maxItems }] : [];
      });
      this.caps.set(op.operationId, list);
    }
    for (const { property, maxItems } of list) {
      const value = (body as Record<string, unknown>)[property];
      if (Array.isArray(value) && value.length > maxItems) {
        throw new UnprocessableEntityError(`body.${property}: must have at most ${maxItems} items`);
      }
    }
  }
}

/** A request as the checks after validation see it. */
export interface ValidatedRequest {
  /** Whether a body was sent (a JSON body of zero bytes counts as none). */
  hasBody: boolean;
  body: unknown;
  query: Record<string, unknown>;
  pathParams: Record<string, string> | undefined;
}

/**
 * After validation: a required body that was empty (a parser reads zero bytes of JSON as `{}`, which an update with
 * every field optional would accept as "change nothing"), then unpaired surrogates anywhere in the body or query
 * (422 naming the field). Returns the request with canonical ids in its path parameters, query and body.
 */
export function checkValidated(op: RouteOperation, request: ValidatedRequest, spec: OpenApiDocument) {
  if (op.bodyRequired && !request.hasBody) throw new UnprocessableEntityError("body: is required");
  const broken = [
    ...unpairedSurrogates(request.query, "query"),
    ...(op.bodySchema ? unpairedSurrogates(request.body, "body") : []),
  ];
  if (broken.length > 0) {
    throw new UnprocessableEntityError(
      broken
        .slice(0, 10)
        .map((field) => `${field}: must be well-formed Unicode (it holds an unpaired surrogate)`)
        .join("; "),
    );
  }
  return canonicalRequest(op, request, spec);
}

/** The fields (`body.refund_note`) of `value` whose strings, or keys, hold an unpaired UTF-16 surrogate. */
export function unpairedSurrogates(value: unknown, at: string): string[] {
  // Nearly every request has none: a walk that builds no field names says so first.
  if (!holdsUnpaired(value, 0)) return [];
  const found: string[] = [];
  const walk = (node: unknown, path: string, depth: number) => {
    if (typeof node === "string") {
      if (!isWellFormed(node)) found.push(path);
      return;
    }
    if (typeof node !== "object" || node === null || depth > 64) return;
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        walk(item, `${path}[${i}]`, depth + 1);
      });
      return;
    }
    for (const [key, item] of Object.entries(node)) {
      if (!isWellFormed(key)) found.push(`${path}[${JSON.stringify(key)}]`);
      else
        walk(
          item,
          /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`,
          depth + 1,
        );
    }
  };
  walk(value, at, 0);
  return found;
}

function holdsUnpaired(node: unknown, depth: number): boolean {
  if (typeof node === "string") return !isWellFormed(node);
  if (typeof node !== "object" || node === null || depth > 64) return false;
  if (Array.isArray(node)) return node.some((item) => holdsUnpaired(item, depth + 1));
  const object = node as Record<string, unknown>;
  for (const key in object) if (!isWellFormed(key) || holdsUnpaired(object[key], depth + 1)) return true;
  return false;
}

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function isWellFormed(text: string): boolean {
  const native = (text as string & { isWellFormed?: () => boolean }).isWellFormed;
  return native ? native.call(text) : !loneSurrogate.test(text);
}

/** Canonical ids in the request's path parameters, query and body, in place of the ones sent (in place). */
function canonicalRequest(op: RouteOperation, request: ValidatedRequest, spec: OpenApiDocument) {
  const { pathParams, query } = request;
  for (const parameter of op.parameters) {
    if (parameter.in === "path" && pathParams?.[parameter.name] !== undefined) {
      pathParams[parameter.name] = canonicalIds(spec, parameter.schema, pathParams[parameter.name]) as string;
    } else if (parameter.in === "query" && query[parameter.name] !== undefined) {
      query[parameter.name] = canonicalIds(spec, parameter.schema, query[parameter.name]);
    }
  }
  if (op.bodySchema && request.body !== undefined) request.body = canonicalIds(spec, op.bodySchema, request.body);
  return request;
}
