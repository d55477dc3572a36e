// The spec as code that runs the API's rules needs it (`src/generated/document.ts`): the bundled document without its
// prose (descriptions, summaries, examples, tags, external docs, vendor keys), keeping everything that validation,
// routing and the wording of errors read: paths, methods, operation ids, parameters, request bodies, responses with
// their statuses and content schemas, security, and every component those name.

/** Keys that carry prose or samples only, dropped wherever a key is a keyword (never inside a map of names). */
const prose = new Set(["description", "summary", "example", "examples", "externalDocs", "$comment", "title", "xml"]);

const httpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

function isVendorKey(key) {
  return key.startsWith("x-");
}

/** Copies `node` (an object of keywords), keeping only the keys `keep` accepts, each value through `child`. */
function keywords(node, child) {
  if (!node || typeof node !== "object" || Array.isArray(node)) return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (prose.has(key) || isVendorKey(key)) continue;
    const copied = child(key, value);
    if (copied !== undefined) out[key] = copied;
  }
  return out;
}

/** A map of names (properties, components, content types, statuses…) whose every value goes through `each`. */
function map(node, each) {
  if (!node || typeof node !== "object" || Array.isArray(node)) return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, each(value)]));
}

const schemaMaps = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);
const schemaLists = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
const schemaValues = new Set([
  "items",
  "additionalProperties",
  "additionalItems",
  "unevaluatedProperties",
  "unevaluatedItems",
  "not",
  "if",
  "then",
  "else",
  "contains",
  "propertyNames",
  "contentSchema",
]);
/** Keywords whose value is data (copied as it is, even a key named like prose inside it). */
const dataKeywords = new Set(["enum", "const", "default", "discriminator", "required"]);

/** A JSON Schema without prose. */
export function stripSchema(schema) {
  if (typeof schema === "boolean") return schema;
  return keywords(schema, (key, value) => {
    if (dataKeywords.has(key)) return structuredClone(value);
    if (schemaMaps.has(key)) return map(value, stripSchema);
    if (schemaLists.has(key)) return Array.isArray(value) ? value.map(stripSchema) : value;
    if (schemaValues.has(key)) return stripSchema(value);
    return structuredClone(value);
  });
}

function stripMediaType(mediaType) {
  return keywords(mediaType, (key, value) => {
    if (key === "schema") return stripSchema(value);
    if (key === "encoding") return map(value, (encoding) => keywords(encoding, stripHeaderKey));
    return structuredClone(value);
  });
}

function stripHeaderKey(key, value) {
  if (key === "headers") return map(value, stripParameter);
  return structuredClone(value);
}

/** A parameter or header object. */
function stripParameter(parameter) {
  return keywords(parameter, (key, value) => {
    if (key === "schema") return stripSchema(value);
    if (key === "content") return map(value, stripMediaType);
    return structuredClone(value);
  });
}

function stripRequestBody(body) {
  return keywords(body, (key, value) => (key === "content" ? map(value, stripMediaType) : structuredClone(value)));
}

function stripResponse(response) {
  return keywords(response, (key, value) => {
    if (key === "content") return map(value, stripMediaType);
    if (key === "headers") return map(value, stripParameter);
    if (key === "links") return undefined;
    return structuredClone(value);
  });
}

function stripOperation(operation) {
  return keywords(operation, (key, value) => {
    if (key === "tags" || key === "callbacks" || key === "servers") return undefined;
    if (key === "parameters") return value.map(stripParameter);
    if (key === "requestBody") return stripRequestBody(value);
    if (key === "responses") return map(value, stripResponse);
    return structuredClone(value);
  });
}

function stripPathItem(item) {
  return keywords(item, (key, value) => {
    if (httpMethods.includes(key)) return stripOperation(value);
    if (key === "parameters") return value.map(stripParameter);
    if (key === "servers") return undefined;
    return structuredClone(value);
  });
}

const componentStrippers = {
  schemas: stripSchema,
  parameters: stripParameter,
  headers: stripParameter,
  requestBodies: stripRequestBody,
  responses: stripResponse,
  securitySchemes: (scheme) => keywords(scheme, (_key, value) => structuredClone(value)),
  pathItems: stripPathItem,
};

/** The bundled spec `spec` without prose: what `src/generated/document.ts` holds. */
export function stripDocument(spec) {
  const out = { openapi: spec.openapi, info: { title: spec.info?.title, version: spec.info?.version } };
  if (spec.jsonSchemaDialect) out.jsonSchemaDialect = spec.jsonSchemaDialect;
  if (spec.servers) out.servers = spec.servers.map((server) => ({ url: server.url }));
  if (spec.security) out.security = structuredClone(spec.security);
  out.paths = map(spec.paths ?? {}, stripPathItem);
  out.components = {};
  for (const [kind, entries] of Object.entries(spec.components ?? {})) {
    const strip = componentStrippers[kind];
    // Examples, links and callbacks are prose or tooling, not rules.
    if (strip) out.components[kind] = map(entries, strip);
  }
  return out;
}

/** The text of `src/generated/document.ts` for the stripped document `document`, after `header`. */
export function documentModule(document, header) {
  return `${header}// The bundled spec without its prose: what validation, routing and the wording of errors need.

/** An OpenAPI 3.1 document, loosely typed: walk it with the types of \`@refunds-api/contract/schema\` in mind. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  servers?: { url: string }[];
  security?: Record<string, string[]>[];
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
}

/** The bundled spec of the Refunds API, prose stripped. Treat it as read-only. */
export const document: OpenApiDocument = ${JSON.stringify(document, null, 2)};
`;
}
