// The response check: every JSON response of an operation is validated against the schema the spec declares for
// its status before it is written. Stored rows (the refunds of pages, gets, creates and updates) are frozen once they
// pass, and remembered with their JSON: a frozen row cannot change, so serving it again needs neither a second
// check nor a second serialization. Everything else is checked in full every time.

import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { Request, RequestHandler, Response } from "express";
import { type OpenApiDocument, resolveRef, type SchemaObject, validatorSpec } from "./spec.js";

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

/** Thrown (through `next`) when a response breaks the spec; the error handler makes it a 500. */
export class ResponseValidationError extends Error {
  constructor(
    readonly operationId: string,
    readonly status: number,
    detail: string,
  ) {
    super(`The ${status} response of ${operationId} breaks the spec: ${detail}`);
    this.name = "ResponseValidationError";
  }
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
    const ajv = new Ajv2020({ strict: false, discriminator: true, allErrors: false });
    addFormats(ajv, { mode: "full" });
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
 * breaks the spec goes to `next` as a `ResponseValidationError`.
 */
export function responseValidation(checker: ResponseChecker): RequestHandler {
  return function responseValidation(req, res, next) {
    const original = res.json;
    res.json = function checkedJson(this: Response, body: unknown) {
      res.json = original;
      const operationId = (req as Request & { openapi?: { schema?: { operationId?: string } } }).openapi?.schema
        ?.operationId;
      if (!operationId || res.headersSent || res.statusCode >= 500) return original.call(this, body);
      let json: string;
      try {
        json = checker.check(operationId, res.statusCode, body);
      } catch (error) {
        next(error);
        return res;
      }
      return sendJson(res, json);
    };
    next();
  };
}

/** Sends `json`, text already serialized, as `res.json` would send it. */
export function sendJson(res: Response, json: string): Response {
  if (!res.get("Content-Type")) res.set("Content-Type", "application/json");
  return res.send(json);
}
