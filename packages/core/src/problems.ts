// Validation problems in the API's words: each problem a validator reports (a JSON pointer into the request, such
// as `/body/allocations/0/amount_cents`, and the Ajv keyword that failed) becomes one message naming the field in
// plain words. The Express server feeds it express-openapi-validator's errors; the in-process handlers feed it the
// precompiled validators' errors, which have the same shape.
import {
  type ApiError,
  BadRequestError,
  EntityNotFoundError,
  UnprocessableEntityError,
  UnsupportedMediaTypeError,
} from "./errors.js";
import { type OpenApiDocument, resolveRef, type SchemaObject, type SpecOperation } from "./spec.js";
import { mustBeOfType, mustMatchFormat } from "./words.js";

/** One problem, as express-openapi-validator reports it (`errorCode` is the Ajv keyword + `.openapi.validation`). */
export interface ValidationProblem {
  path: string;
  message: string;
  errorCode?: string;
}

/** The parts of a request the problems point into. */
export interface RequestData {
  body: unknown;
  query: Record<string, unknown>;
  /** The path's parameters, decoded. */
  pathParams: Record<string, string> | undefined;
}

/** A request validation failure, as express-openapi-validator (and the precompiled validators) report it. */
export interface ValidatorFailure {
  status: number;
  message: string;
  path?: string;
  errors?: readonly ValidationProblem[];
}

/** Where a validation failure happened. */
export interface FailureContext {
  data: RequestData;
  spec: OpenApiDocument;
  operation: SpecOperation | undefined;
  /** The URL's path, as the request sent it. */
  requestPath: string;
  /** The request's Content-Type header. */
  contentType: string | undefined;
}

const requestLocation = /^\/(body|query|params|headers|cookies)(\/|$)/;

/**
 * The envelope for a failed request validation (400 or 415 from the validator): a path the route lookup could not
 * decode is a malformed URL; problems inside the request go to {@link fromRequestProblems}; a body in a media type
 * the operation does not take is a 415. Undefined for any other status.
 */
export function fromRequestValidation(err: ValidatorFailure, context: FailureContext): ApiError | undefined {
  if (err.status === 415) {
    return new UnsupportedMediaTypeError(
      `Content-Type ${context.contentType ?? "(none)"} is not supported; send application/json.`,
    );
  }
  if (err.status !== 400) return undefined;
  const problems = err.errors ?? [{ path: err.path ?? "", message: err.message }];
  // Not a field of the request: the route lookup could not decode the URL's path.
  if (!problems.every((p) => requestLocation.test(p.path))) {
    return new BadRequestError(err.path === context.requestPath ? "The request URL is malformed." : err.message);
  }
  return fromRequestProblems(problems, context.data, context.spec, context.operation);
}

/**
 * The envelope for a request's validation problems (all inside the request: `/body`, `/query`, `/params`...): a
 * malformed id names no entity, and gets the operation's 404 in the shape clients already handle; anything else is
 * a 422 listing every problem.
 */
export function fromRequestProblems(
  problems: readonly ValidationProblem[],
  data: RequestData,
  spec: OpenApiDocument,
  operation: SpecOperation | undefined,
): ApiError {
  const param = problems.find((p) => p.path.startsWith("/params/"));
  if (param) {
    const name = param.path.slice("/params/".length);
    return new EntityNotFoundError(data.pathParams?.[name] ?? "");
  }
  const context: ProblemContext = { data, spec, operation };
  return new UnprocessableEntityError(problems.map((p) => describeProblem(p, context)).join("; "));
}

interface ProblemContext {
  data: RequestData;
  spec: OpenApiDocument;
  operation: SpecOperation | undefined;
}

/**
 * One validation problem in plain words, prefixed by the field's path (`body.allocations[0].amount_cents`). The
 * words come from the Ajv keyword the validator reports (`errorCode`) and from the spec's schema at the field's
 * path, not from the validator's message, which is passed on only where neither says more.
 */
function describeProblem(problem: ValidationProblem, context: ProblemContext) {
  const segments = problem.path.split("/").slice(1).map(unescapePointer);
  const field = fieldName(segments);
  const keyword = problem.errorCode?.replace(/\.openapi\.validation$/, "");
  if (keyword === "required") return `${field}: is required`;
  if (keyword === "additionalProperties" || keyword === "unevaluatedProperties")
    return `${field}: is not a known field`;
  const found = schemaAt(context, segments);
  const schema = found?.schema;
  switch (keyword) {
    case undefined:
      // The validator's own query checks, which carry no keyword: a name the operation does not declare, or an
      // empty value of one it does.
      if (segments[0] === "query" && segments.length === 2) {
        return found ? `${field}: must not be empty` : `${field}: is not a known query parameter`;
      }
      break;
    case "format": {
      const format = typeof schema?.format === "string" ? schema.format : undefined;
      if (format) return `${field}: ${mustMatchFormat(format)}`;
      break;
    }
    case "type":
    // The validator's name for `type` on strings with a date or date-time format.
    case "x-eov-type": {
      // A union's branches are all objects (the validator's copy says so; the spec leaves it to the branches).
      const type = schema?.type ?? (schema?.discriminator ? "object" : undefined);
      const types = type === undefined ? undefined : [type].flat();
      if (types) return `${field}: ${mustBeOfType(types)}`;
      break;
    }
    case "enum":
      if (Array.isArray(schema?.enum)) return `${field}: must be one of ${schema.enum.join(", ")}`;
      break;
    case "minimum":
      if (typeof schema?.minimum === "number") return `${field}: must be at least ${schema.minimum}`;
      break;
    case "maximum":
      if (typeof schema?.maximum === "number") return `${field}: must be at most ${schema.maximum}`;
      break;
    case "minLength":
      if (schema?.minLength === 1) return `${field}: must not be empty`;
      if (typeof schema?.minLength === "number")
        return `${field}: must be at least ${schema.minLength} characters long`;
      break;
    case "maxLength":
      if (typeof schema?.maxLength === "number") return `${field}: must be at most ${schema.maxLength} characters long`;
      break;
    case "maxItems":
      if (typeof schema?.maxItems === "number") return `${field}: must have at most ${schema.maxItems} items`;
      break;
    case "readOnly":
      return `${field}: is set by the server and cannot be sent`;
    case "discriminator": {
      const tag = schema?.discriminator?.propertyName;
      const mapping = schema?.discriminator?.mapping;
      if (!tag) break;
      const allowed = mapping ? `must be one of ${Object.keys(mapping).join(", ")}` : "must name one of the variants";
      const value = (found?.data as Record<string, unknown> | undefined)?.[tag];
      return `${fieldName([...segments, tag])}: ${typeof value === "string" ? allowed : `is required and ${allowed}`}`;
    }
  }
  return `${field}: ${problem.message}`;
}

function unescapePointer(segment: string): string {
  return segment.replaceAll("~1", "/").replaceAll("~0", "~");
}

const locations: Record<string, string> = { body: "body", query: "query", params: "path", headers: "header" };

/** `["body", "allocations", "0", "target"]` → `body.allocations[0].target`. */
function fieldName(segments: string[]): string {
  const [first = "request", ...rest] = segments;
  let name = locations[first] ?? first;
  for (const s of rest) {
    name += /^\d+$/.test(s) ? `[${s}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
  }
  return name;
}

/**
 * The spec's schema (with the spec's own discriminator mapping) at a request path, and the data there: for the body,
 * walked from the operation's body schema along the data (through any union, by the tag the data carries); for a
 * query or path parameter, from the parameter's schema. Undefined when the path leads nowhere in the spec.
 */
function schemaAt(
  { data: request, spec, operation }: ProblemContext,
  segments: string[],
): { schema: SchemaObject | undefined; data: unknown } | undefined {
  const [location, name, ...rest] = segments;
  if (!operation) return undefined;
  let schema: SchemaObject | undefined;
  let data: unknown;
  let path: string[];
  if (location === "body") {
    schema = resolveRef(spec, operation.bodySchema);
    data = request.body;
    path = name === undefined ? [] : [name, ...rest];
  } else if ((location === "query" || location === "params") && name !== undefined) {
    const where = location === "query" ? "query" : "path";
    const parameter = operationParameters(spec, operation).find((p) => p.in === where && p.name === name);
    if (!parameter) return undefined;
    schema = resolveRef(spec, parameter.schema);
    data = location === "query" ? request.query[name] : request.pathParams?.[name];
    path = rest;
  } else {
    return undefined;
  }
  for (const segment of path) {
    schema = selectBranch(spec, schema, data);
    const container = data as Record<string, unknown> | undefined;
    schema = resolveRef(
      spec,
      Array.isArray(data) || /^\d+$/.test(segment) ? schema?.items : schema?.properties?.[segment],
    );
    data = container?.[segment];
  }
  return { schema, data };
}

interface ParameterObject {
  name: string;
  in: string;
  schema?: SchemaObject;
}

function operationParameters(spec: OpenApiDocument, operation: SpecOperation): ParameterObject[] {
  const item = spec.paths[operation.path];
  const shared = (item?.parameters ?? []) as SchemaObject[];
  const own = ((item?.[operation.method] as { parameters?: SchemaObject[] } | undefined)?.parameters ??
    []) as SchemaObject[];
  const all = [...shared, ...own];
  return all.map((p) => resolveRef(spec, p) as unknown as ParameterObject);
}

function selectBranch(spec: OpenApiDocument, schema: SchemaObject | undefined, data: unknown) {
  const discriminator = schema?.discriminator;
  if (!discriminator?.mapping || typeof data !== "object" || data === null) return schema;
  const tag = (data as Record<string, unknown>)[discriminator.propertyName];
  const ref = typeof tag === "string" ? discriminator.mapping[tag] : undefined;
  return ref ? resolveRef(spec, { $ref: ref }) : schema;
}
