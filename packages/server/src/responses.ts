// The response check: every JSON response of an operation is validated against the schema the spec declares for
// its status before it is written. Stored rows (the refunds of pages, gets, creates and updates) are frozen once they
// pass, and remembered with their JSON: a frozen row cannot change, so serving it again needs neither a second
// check nor a second serialization. Everything else is checked in full every time. String lengths are counted only
// as far as the schema's limits need, and a large body is checked and written in a turn of the event loop of its own.

import { ResponseValidationError } from "@refunds-api/core";
import { Ajv2020, type ErrorObject, type FuncKeywordDefinition, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { Request, RequestHandler, Response } from "express";
import { type OpenApiDocument, resolveRef, type SchemaObject, validatorSpec } from "./spec.js";

export { ResponseValidationError } from "@refunds-api/core";

// ajv-formats is CommonJS; under ESM its function is the default export's `default`.
const addFormats = ((addFormatsModule as { default?: unknown }).default ??
  addFormatsModule) as typeof addFormatsModule.default;

/** How one declared response is checked. */
interface ResponsePlan {
  /** Validates the body, except for the rows it holds (checked by `rows`). */
  rest: ValidateFunction | undefined;
  /** The body is itself a row of this schema. */
  row?: RowCheck;
  /** Properties of the body holding arrays of rows. */
  rowArrays: { property: string; rows: RowCheck }[];
}

/** A schema of stored rows, with the rows already known to pass it. */
interface RowCheck {
  name: string;
  validate: ValidateFunction;
  /** Rows that passed, frozen, with their JSON. */
  known: WeakMap<object, string>;
}

/** Options of a {@link ResponseChecker}. */
export interface ResponseCheckerOptions {
  /**
   * Validate bodies against the spec (the default). Without, `check` only serializes: rows are still frozen and
   * their JSON remembered, so a server that does not validate can serve rows the way the validating one does.
   */
  validate?: boolean;
}

type Plans = Map<string, Map<number, ResponsePlan | null>>;

// Compiled plans by the spec's text: a second server of the same spec in this process (a test starting one per
// file, a reload of an unchanged spec) reuses them instead of compiling every schema again (~100 ms). Rows known
// to pass are shared with them, which is sound: they passed the same schemas.
const compiledPlans = new Map<string, Plans>();
const maxCompiledSpecs = 8;

/** The response check of every operation of `spec`, compiled once per spec and process. */
export class ResponseChecker {
  private readonly plans: Plans;
  private readonly validate: boolean;

  constructor(spec: OpenApiDocument, options: ResponseCheckerOptions = {}) {
    this.validate = options.validate ?? true;
    const key = JSON.stringify(spec);
    const compiled = compiledPlans.get(key);
    if (compiled) {
      this.plans = compiled;
      return;
    }
    this.plans = new Map();
    const copy = validatorSpec(spec);
    lengthLimitsCountingOnlyWhatTheyNeed(copy);
    const ajv = new Ajv2020({ strict: false, discriminator: true, allErrors: false });
    addFormats(ajv, { mode: "full" });
    ajv.addKeyword(codePointsKeyword);
    ajv.addSchema({ $id: "spec", components: copy.components });
    const rowSchemas = new Map<string, RowCheck>();
    const rowCheck = (ref: string): RowCheck => {
      let check = rowSchemas.get(ref);
      if (!check) {
        check = {
          name: ref.split("/").pop() ?? ref,
          validate: ajv.compile({ $ref: `spec${ref}` }),
          known: new WeakMap(),
        };
        rowSchemas.set(ref, check);
      }
      return check;
    };
    const rowRefs = findRowRefs(copy);
    for (const [, item] of Object.entries(copy.paths)) {
      for (const op of Object.values(item) as OperationObject[]) {
        if (!op?.operationId || !op.responses) continue;
        const byStatus = new Map<number, ResponsePlan | null>();
        for (const [code, declared] of Object.entries(op.responses)) {
          const response = resolveRef(copy, declared as SchemaObject) as {
            content?: Record<string, { schema?: SchemaObject }>;
          };
          const schema = response?.content?.["application/json"]?.schema;
          byStatus.set(Number(code), schema ? plan(schema) : null);
        }
        this.plans.set(op.operationId, byStatus);
      }
    }
    if (compiledPlans.size >= maxCompiledSpecs) compiledPlans.delete(compiledPlans.keys().next().value as string);
    compiledPlans.set(key, this.plans);

    function plan(schema: SchemaObject): ResponsePlan {
      if (schema.$ref && rowRefs.has(schema.$ref))
        return { rest: undefined, row: rowCheck(schema.$ref), rowArrays: [] };
      const resolved = resolveRef(copy, schema);
      const rowArrays = Object.entries(resolved?.properties ?? {}).flatMap(([property, p]) =>
        p.type === "array" && p.items?.$ref && rowRefs.has(p.items.$ref)
          ? [{ property, rows: rowCheck(p.items.$ref) }]
          : [],
      );
      // The envelope is checked with its row arrays reduced to "an array": the rows are checked one by one.
      const envelope =
        rowArrays.length === 0
          ? schema
          : {
              ...resolved,
              properties: {
                ...resolved?.properties,
                ...Object.fromEntries(
                  rowArrays.map((a) => [a.property, { ...resolved?.properties?.[a.property], items: {} }]),
                ),
              },
            };
      return { rest: ajv.compile(rebase(envelope)), rowArrays };
    }
  }

  /**
   * Checks `body` as the `status` response of `operationId`; throws a `ResponseValidationError` when it breaks the
   * spec, including a body for a response that declares none. Returns the body's JSON.
   */
  check(operationId: string, status: number, body: unknown): string {
    const byStatus = this.plans.get(operationId);
    if (!byStatus?.has(status)) throw new ResponseValidationError(operationId, status, "the status is not declared");
    const plan = byStatus.get(status);
    if (!plan) throw new ResponseValidationError(operationId, status, "the response declares no body");
    if (plan.row) return checkRow(operationId, status, plan.row, body, "", this.validate);
    if (this.validate && plan.rest && !plan.rest(body))
      throw new ResponseValidationError(operationId, status, describe(plan.rest));
    if (plan.rowArrays.length === 0) return JSON.stringify(body);
    const rows = new Map<unknown[], string[]>();
    for (const { property, rows: check } of plan.rowArrays) {
      const list = (body as Record<string, unknown>)[property];
      if (!Array.isArray(list)) continue;
      rows.set(
        list,
        list.map((row, i) => checkRow(operationId, status, check, row, `/${property}/${i}`, this.validate)),
      );
    }
    return stringifyWith(body, rows);
  }
}

interface OperationObject {
  operationId?: string;
  responses?: Record<string, unknown>;
}

/** The `$ref`s of component schemas that responses list in arrays: the rows a store hands out. */
function findRowRefs(spec: OpenApiDocument): Set<string> {
  const refs = new Set<string>();
  for (const schema of Object.values(spec.components.schemas)) {
    for (const p of Object.values(schema.properties ?? {})) {
      if (p.type === "array" && p.items?.$ref) refs.add(p.items.$ref);
    }
  }
  // Only object schemas: a row is a record the store keeps.
  for (const ref of refs) if (resolveRef(spec, { $ref: ref })?.type !== "object") refs.delete(ref);
  return refs;
}

/**
 * JSON Schema counts a string's length in code points, and Ajv's `minLength` and `maxLength` count them all, walking
 * the whole string: `minLength: 1` on the long strings of a 1 MB row took milliseconds on each response holding it,
 * to learn that a string of a million characters holds at least one. Every length limit of the schemas responses
 * use (the components, and the responses' own) is moved to the keyword `x-code-points`, which counts code points as
 * JSON Schema does, but stops once the answer is known: after `max + 1` of them, or `min` without a maximum.
 */
function lengthLimitsCountingOnlyWhatTheyNeed(spec: OpenApiDocument): void {
  const responses = [
    ...Object.values((spec.components.responses ?? {}) as Record<string, unknown>),
    ...Object.values(spec.paths).flatMap((item) =>
      Object.values(item).flatMap((op) => Object.values((op as OperationObject | undefined)?.responses ?? {})),
    ),
  ];
  for (const schema of Object.values(spec.components.schemas)) lengthsInCodePoints(schema);
  for (const response of responses) {
    const content = (response as { content?: Record<string, { schema?: unknown }> } | undefined)?.content;
    for (const media of Object.values(content ?? {})) lengthsInCodePoints(media?.schema);
  }
}

const subschemaMaps = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];
const subschemas = [
  "items",
  "prefixItems",
  "additionalItems",
  "allOf",
  "anyOf",
  "oneOf",
  "not",
  "if",
  "then",
  "else",
  "contains",
  "additionalProperties",
  "propertyNames",
  "unevaluatedItems",
  "unevaluatedProperties",
];

/** Moves the length limits of `schema` and its subschemas to `x-code-points`. */
function lengthsInCodePoints(schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const item of schema) lengthsInCodePoints(item);
    return;
  }
  if (typeof schema !== "object" || schema === null) return;
  const node = schema as Record<string, unknown>;
  const { minLength: min, maxLength: max } = node;
  if (typeof min === "number" || typeof max === "number") {
    node[codePointsKeyword.keyword] = {
      ...(typeof min === "number" ? { min } : {}),
      ...(typeof max === "number" ? { max } : {}),
    };
    delete node.minLength;
    delete node.maxLength;
  }
  for (const key of subschemaMaps) {
    const map = node[key];
    if (typeof map === "object" && map !== null) for (const sub of Object.values(map)) lengthsInCodePoints(sub);
  }
  for (const key of subschemas) lengthsInCodePoints(node[key]);
}

/** `{ min, max }`: `minLength` and `maxLength` in code points, counting no further than the limits need. */
interface CodePointsCheck {
  (limits: { min?: number; max?: number }, data: string): boolean;
  errors?: Partial<ErrorObject>[];
}

const codePoints: CodePointsCheck = (limits, data) => {
  const { min = 0, max } = limits;
  const counted = codePointsUpTo(data, Math.max(min, max === undefined ? 0 : max + 1));
  const error: Partial<ErrorObject> | undefined =
    counted < min
      ? { keyword: "minLength", params: { limit: min }, message: `must NOT have fewer than ${min} characters` }
      : max !== undefined && counted > max
        ? { keyword: "maxLength", params: { limit: max }, message: `must NOT have more than ${max} characters` }
        : undefined;
  codePoints.errors = error ? [error] : [];
  return error === undefined;
};

const codePointsKeyword = {
  keyword: "x-code-points",
  type: "string",
  schemaType: "object",
  errors: true,
  validate: codePoints,
} satisfies FuncKeywordDefinition;

/** The code points of `text` (a surrogate pair is one, an unpaired surrogate one), counted up to `limit`. */
export function codePointsUpTo(text: string, limit: number): number {
  let count = 0;
  for (let i = 0; i < text.length && count < limit; i++, count++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return count;
}

/** Points a schema's local `$ref`s at the components added to Ajv under `spec`. */
function rebase(schema: unknown): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', '"$ref":"spec#/'));
}

function checkRow(
  operationId: string,
  status: number,
  check: RowCheck,
  row: unknown,
  at: string,
  validate: boolean,
): string {
  if (typeof row === "object" && row !== null) {
    const json = check.known.get(row);
    if (json !== undefined) return json;
  }
  if (validate && !check.validate(row)) {
    throw new ResponseValidationError(operationId, status, describe(check.validate, at));
  }
  const json = JSON.stringify(row);
  // Frozen all the way down, the row can never differ from what was checked and serialized here.
  deepFreeze(row);
  check.known.set(row as object, json);
  return json;
}

function describe(validate: ValidateFunction, at = ""): string {
  return (validate.errors ?? []).map((e) => `${at}${e.instancePath || ""} ${e.message}`.trim()).join("; ");
}

function deepFreeze(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

/**
 * `JSON.stringify(value)` for plain JSON data, with the arrays in `rows` written from their rows' known JSON. Gives
 * the same text as `JSON.stringify`: keys in order, undefined members left out.
 */
export function stringifyWith(value: unknown, rows: ReadonlyMap<unknown[], string[]>): string {
  if (Array.isArray(value)) {
    const known = rows.get(value);
    if (known) return `[${known.join(",")}]`;
    return `[${value.map((v) => (v === undefined || typeof v === "function" ? "null" : stringifyWith(v, rows))).join(",")}]`;
  }
  if (typeof value === "object" && value !== null && typeof (value as { toJSON?: unknown }).toJSON !== "function") {
    const parts: string[] = [];
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
      parts.push(`${JSON.stringify(key)}:${stringifyWith(v, rows)}`);
    }
    return `{${parts.join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Middleware that checks the JSON responses of the request's operation: `res.json` validates the body, then writes
 * it. The operation is the one the validator matched (`req.openapi`), looked up when the response is written, so
 * this can run before the validator's steps and check the error responses they cause. A request that matched no
 * operation, and a 5xx, are written as they are, like the error responses of the check itself. A response that
 * breaks the spec goes to `next` as a `ResponseValidationError`. A large body (see `largeText`) is checked and
 * written in a later turn of the event loop than the one that made it: checking and serializing a 1 MB refund is
 * as much work as creating it.
 */
export function responseValidation(checker: ResponseChecker): RequestHandler {
  return function responseValidation(req, res, next) {
    const original = res.json;
    res.json = function checkedJson(this: Response, body: unknown) {
      res.json = original;
      const operationId = (req as Request & { openapi?: { schema?: { operationId?: string } } }).openapi?.schema
        ?.operationId;
      if (!operationId || res.headersSent || res.statusCode >= 500) return original.call(this, body);
      const status = res.statusCode;
      const checkAndSend = () => {
        let json: string;
        try {
          json = checker.check(operationId, status, body);
        } catch (error) {
          next(error);
          return;
        }
        sendJson(res, json);
      };
      if (holdsText(body, largeText)) setImmediate(() => setImmediate(checkAndSend));
      else checkAndSend();
      return res;
    };
    next();
  };
}

/** A response body whose strings hold at least this many UTF-16 units is checked in a turn of its own. */
const largeText = 64 * 1024;

/**
 * Whether the strings of `value` (keys included) hold at least `units` UTF-16 units; stops once they do. A frozen
 * object is a row the check has passed before, whose JSON it remembers: serving it again costs no check and no
 * serialization however long it is, so it is not walked (a page of known rows is not walked at all).
 */
export function holdsText(value: unknown, units: number): boolean {
  let left = units;
  const visit = (v: unknown): boolean => {
    if (typeof v === "string") left -= v.length;
    else if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
      const node = v as Record<string, unknown>;
      for (const key in node) {
        left -= key.length;
        if (visit(node[key])) return true;
      }
    }
    return left <= 0;
  };
  return visit(value);
}

/** Sends `json`, text already serialized, as `res.json` would send it. */
export function sendJson(res: Response, json: string): Response {
  if (!res.get("Content-Type")) res.set("Content-Type", "application/json");
  return res.send(json);
}
