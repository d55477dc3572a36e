// The request schemas express-openapi-validator (5.6) builds for each operation, built here the same way so that Ajv,
// compiling them with the same options and keywords, reports the same errors. Ported from its sources:
// - framework/ajv/options.js, framework/ajv/index.js: the Ajv options and the keywords of its request Ajv
// - middlewares/parsers/schema.preprocessor.js: how it rewrites the document once, before any request
// - middlewares/openapi.request.validator.js, parsers/schema.parse.js, parsers/body.parse.js, parsers/util.js: the
//   two schemas it validates each request against (parameters, coerced; body, not coerced)
// Each step names the function it mirrors. The server hands the validator `validatorSpec(spec)` (server/src/spec.ts),
// mirrored first.

const specMethods = ["get", "post", "put", "patch", "delete"];
const httpMethods = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

function pointer(doc, ref) {
  if (typeof ref !== "string" || !ref.startsWith("#/")) return undefined;
  return ref
    .slice(2)
    .split("/")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce((node, key) => node?.[key], doc);
}

function resolveRef(doc, schema) {
  let current = schema;
  for (let hops = 0; current?.$ref && hops < 32; hops++) current = pointer(doc, current.$ref);
  return current;
}

function walk(node, visit) {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
  } else if (node && typeof node === "object") {
    visit(node);
    for (const value of Object.values(node)) walk(value, visit);
  }
}

/**
 * The server's `validatorSpec` (packages/server/src/spec.ts): discriminator mappings checked against the branches'
 * consts and dropped (Ajv's `discriminator` option refuses them), unions typed `object`, query parameters
 * `allowReserved`, unknown query parameters allowed on operations that declare no 422, parameters written out in
 * place of their `$ref`s. The contract's tests compare this copy with the server's.
 */
export function validatorSpec(spec) {
  const copy = structuredClone(spec);
  walk(copy, (schema) => {
    if (!schema.discriminator || !schema.oneOf) return;
    checkMapping(copy, schema);
    delete schema.discriminator.mapping;
    schema.type = "object";
  });
  const parameters = [
    ...Object.values(copy.components.parameters ?? {}),
    ...Object.values(copy.paths).flatMap((item) =>
      [item, ...specMethods.map((m) => item[m])].flatMap((node) => node?.parameters ?? []),
    ),
  ];
  for (const parameter of parameters) {
    if (parameter.in === "query") parameter.allowReserved = true;
  }
  for (const item of Object.values(copy.paths)) {
    for (const method of specMethods) {
      const op = item[method];
      if (op?.operationId && !Object.keys(op.responses ?? {}).includes("422")) {
        op["x-eov-allow-unknown-query-parameters"] = true;
      }
    }
  }
  for (const item of Object.values(copy.paths)) {
    for (const node of [item, ...specMethods.map((m) => item[m])]) {
      if (!Array.isArray(node?.parameters)) continue;
      node.parameters = node.parameters.map((reference) => {
        const parameter = structuredClone(resolveRef(copy, reference));
        const schema = parameter.schema;
        if (schema?.$ref) {
          const { $ref, ...siblings } = schema;
          parameter.schema = { ...structuredClone(resolveRef(copy, { $ref })), ...siblings };
        }
        return parameter;
      });
    }
  }
  return copy;
}

function checkMapping(spec, union) {
  const { propertyName, mapping = {} } = union.discriminator;
  const tags = new Map();
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

/** Formats the validator de/serializes (`defaultSerDes`: serialize only), whose `type` becomes `x-eov-type`. */
const serDesFormats = new Set(["date", "date-time"]);

/**
 * `SchemaPreprocessor.preProcess()` on `apiDoc` (mutated), request side only (responses are not validated by the
 * validator here): path-level parameters appended to each operation's, request bodies and response schemas resolved
 * in place, then one traversal of every schema (components, request bodies, responses, parameters, one visit each)
 * that renames `type` to `x-eov-type` on date strings, drops readOnly properties from `required`, and notes which
 * schemas get the validator's own discriminator validators. Returns that set.
 */
function preprocess(apiDoc) {
  const resolve = (schema) => {
    if (!schema) return null;
    return schema.$ref ? (pointer(apiDoc, schema.$ref) ?? null) : schema;
  };
  const roots = { schemas: [], requestBodies: [], responses: [], requestParameters: [] };
  for (const [id, s] of Object.entries(apiDoc.components?.schemas ?? {})) {
    const schema = resolve(s);
    apiDoc.components.schemas[id] = schema;
    roots.schemas.push({ parent: null, schema, path: ["components", "schemas", id] });
  }
  for (const [p, pi] of Object.entries(apiDoc.paths ?? {})) {
    const pathItem = resolve(pi);
    apiDoc.paths[p] = pathItem;
    for (const method of Object.keys(pathItem)) {
      if (!httpMethods.has(method)) continue;
      const op = pathItem[method];
      preprocessPathLevelParameters(op, pathItem);
      const path = ["paths", p, method];
      const body = resolve(op.requestBody);
      op.requestBody = body;
      if (body?.content) {
        for (const [type, mediaType] of Object.entries(body.content)) {
          const schema = resolve(mediaType.schema);
          body.content[type].schema = schema;
          roots.requestBodies.push({ parent: null, schema, path: [...path, "requestBody", "content", type, "schema"] });
        }
      }
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const resolved = resolve(response);
        if (!resolved) continue;
        op.responses[status] = resolved;
        for (const [type, mediaType] of Object.entries(resolved.content ?? {})) {
          const schema = resolve(mediaType?.schema);
          if (!schema) continue;
          resolved.content[type].schema = schema;
          roots.responses.push({
            parent: null,
            schema,
            path: [...path, "responses", status, "content", type, "schema"],
          });
        }
      }
      for (const parameter of op.parameters ?? []) {
        if (parameter.$ref || !parameter.schema) continue;
        const schema = parameter.schema;
        if (schema.items || schema.$ref) continue;
        roots.requestParameters.push({
          parent: null,
          schema,
          path: [...path, "parameters", parameter.name, parameter.in],
        });
      }
    }
  }

  const discriminated = new Set();
  const seen = new Set();
  const recurse = (parent, node, opts) => {
    const schema = node.schema;
    if (!schema || seen.has(schema)) return;
    seen.add(schema);
    opts.originalSchema = schema;
    visit(parent, node, opts);
    if (schema.$ref) {
      recurse(node, { parent: schema, schema: resolve(schema), path: schema.$ref.split("/").slice(1) }, opts);
      return;
    }
    const child = (s, path) => recurse(node, { parent: node, schema: s, path }, opts);
    const each = (keyword) => {
      for (const [i, s] of schema[keyword].entries()) child(s, [...node.path, keyword, `${i}`]);
    };
    if (schema.allOf) each("allOf");
    else if (schema.oneOf) each("oneOf");
    else if (schema.anyOf) each("anyOf");
    else if (schema.type === "array" && schema.items) child(schema.items, [...node.path, "items"]);
    else if (schema.properties) {
      for (const [id, s] of Object.entries(schema.properties)) child(s, [...node.path, "properties", id]);
    } else if (schema.additionalProperties) child(schema.additionalProperties, [...node.path, "additionalProperties"]);
  };
  const visit = (parent, node, opts) => {
    const pschema = parent?.schema;
    const schema = node.schema;
    opts.path = node.path;
    // handleSerDes
    if (schema.type === "string" && schema.format && serDesFormats.has(schema.format)) {
      schema["x-eov-type"] = schema.type;
      if ("nullable" in schema) schema.type = ["string", "number", "boolean", "object", "array"];
      else delete schema.type;
    }
    // handleReadonly (request side)
    const required = pschema?.required ?? [];
    const index = required.indexOf(opts.path[opts.path.length - 1]);
    if (schema.readOnly && index > -1) {
      pschema.required = required.slice(0, index).concat(required.slice(index + 1));
      if (pschema.required.length === 0) delete pschema.required;
    }
    processDiscriminator(pschema, schema, opts);
  };
  // `processDiscriminator`, reduced to where it attaches `_discriminator` (its own validators of a union's branches).
  const processDiscriminator = (pschema, schema, opts) => {
    const o = opts.discriminator;
    const xOf = schema.oneOf ? "oneOf" : schema.anyOf ? "anyOf" : null;
    if (xOf && schema.discriminator?.propertyName && !o.discriminator)
      o.discriminator = schema.discriminator.propertyName;
    if (xOf || !o.discriminator) return;
    const ref = opts.originalSchema.$ref;
    if (!ref) return;
    discriminated.add(pschema);
  };
  for (const node of [...roots.schemas, ...roots.requestBodies, ...roots.responses, ...roots.requestParameters]) {
    recurse(null, node, { discriminator: {} });
  }
  // RequestValidator's constructor: examples are not needed for validation.
  delete apiDoc.components?.examples;
  return discriminated;
}

/** `preprocessPathLevelParameters`: path-level parameters the operation does not redeclare, appended to its own. */
function preprocessPathLevelParameters(op, pathItem) {
  const parameters = pathItem.parameters ?? [];
  if (parameters.length === 0 || op === parameters) return;
  op.parameters = op.parameters || [];
  const match = (pathParam, opParam) =>
    (opParam.name && opParam.name === pathParam.name) || (opParam.$ref && opParam.$ref === pathParam.$ref);
  for (const param of parameters) {
    if (!op.parameters.some((p) => match(param, p))) op.parameters.push(param);
  }
}

const paramTypes = { query: "query", header: "headers", path: "params", cookie: "cookies" };
const arrayDelimiters = { simple: ",", form: ",", spaceDelimited: " ", pipeDelimited: "|" };

/** `normalizeParameter` (parsers/util.js): the parameter's schema and name, its style and explode defaulted. */
function normalizeParameter(apiDoc, parameter) {
  let schema = parameter.schema?.$ref ? pointer(apiDoc, parameter.schema.$ref) : parameter.schema;
  if (!schema && parameter.content) schema = Object.values(parameter.content)[0]?.schema;
  if (!schema) schema = parameter;
  if (!parameter.style) {
    if (parameter.in === "path") parameter.style = "simple";
    else if (parameter.in === "query") parameter.style = "form";
  }
  if (parameter.explode == null) {
    if (parameter.in === "path") parameter.explode = false;
    else if (parameter.in === "query") parameter.explode = true;
  }
  const name = parameter.in === "header" ? parameter.name.toLowerCase() : parameter.name;
  return { name, schema };
}

function isObjectOrXOf(schema) {
  if (!schema) return false;
  if (schema.$ref) return true;
  const { type, allOf, oneOf, anyOf } = schema;
  return type === "object" || [].concat(allOf, oneOf, anyOf).some(isObjectOrXOf);
}

/**
 * What express-openapi-validator validates each operation's requests against, from the served spec `spec`:
 * `components` (rewritten by its preprocessor; the schemas below `$ref` them) and, per operation id, the schema of
 * its parameters (`Validator._schemaGeneral`), the schema of its body per declared media type
 * (`Validator._schemaBody`), and what the steps before Ajv need (`RequestParameterMutator`, `processQueryParam`,
 * `BodySchemaParser`). Throws on what those steps would do that `src/request-shape.ts` does not mirror.
 */
export function requestSchemas(spec) {
  const apiDoc = validatorSpec(spec);
  const discriminated = preprocess(apiDoc);
  const operations = {};
  for (const [path, item] of Object.entries(apiDoc.paths)) {
    for (const method of Object.keys(item)) {
      if (!httpMethods.has(method)) continue;
      const op = item[method];
      if (!op.operationId) throw new Error(`${method.toUpperCase()} ${path} has no operationId.`);
      operations[op.operationId] = operationSchemas(apiDoc, path, method, op, discriminated);
    }
  }
  return { components: apiDoc.components, operations };
}

function operationSchemas(apiDoc, path, method, op, discriminated) {
  const where = `${op.operationId} (${method.toUpperCase()} ${path})`;
  // ParametersSchemaParser.parse
  const groups = { query: {}, headers: {}, params: {}, cookies: {} };
  const allowEmpty = [];
  const parameters = [];
  for (const p of op.parameters ?? []) {
    const parameter = p.$ref ? apiDoc.components.parameters[p.$ref.replace(/^.+\//, "")] : p;
    const field = paramTypes[parameter.in];
    if (!field) throw new Error(`${where}: parameter ${parameter.name} is in "${parameter.in}".`);
    const { name, schema } = normalizeParameter(apiDoc, parameter);
    if (!groups[field].properties) groups[field] = { type: "object", properties: {} };
    groups[field].properties[name] = schema;
    if (field === "query" && parameter.allowEmptyValue) allowEmpty.push(name);
    if (parameter.required) {
      groups[field].required ??= [];
      groups[field].required.push(name);
    }
    parameters.push(shapeOf(where, parameter, name, schema));
  }
  const general = { required: ["query", "headers", "params"], properties: { ...groups, body: {} } };

  // BodySchemaParser.toSchema and Validator._schemaBody, once per declared media type.
  const bodies = [];
  const requestBody = op.requestBody;
  if (requestBody?.content) {
    for (const [mediaType, content] of Object.entries(requestBody.content)) {
      const body = content.schema ?? {};
      if (discriminated.has(body)) {
        throw new Error(`${where}: the ${mediaType} body is a union the validator checks with its own validators.`);
      }
      const binary = body.format === "binary";
      const schema = { properties: { query: {}, headers: {}, params: {}, cookies: {}, body: binary ? {} : body } };
      if (body.required && !binary) schema.required = ["body"];
      bodies.push({ mediaType, schema });
    }
  }

  // Security.queryParam: API keys sent in the query are known query parameters.
  const security = op.security ?? apiDoc.security ?? [];
  const securityQuery = security
    .filter((requirement) => Object.keys(requirement).length > 0)
    .map((requirement) => apiDoc.components?.securitySchemes?.[Object.keys(requirement)[0]])
    .filter((scheme) => scheme?.type === "apiKey" && scheme?.in === "query")
    .map((scheme) => scheme.name);
  const queryProperties = Object.entries(groups.query.properties ?? {});
  return {
    method,
    path,
    // The route as the validator names it in a 415 (`openapi.expressRoute`), the spec's servers having no path.
    expressRoute: path.replace(/\{([^}]+)\}/g, ":$1"),
    general,
    bodies,
    request: {
      parameters,
      // processQueryParam: skipped when the operation allows unknown parameters, or one is a free-form object.
      checkQuery:
        !(op["x-eov-allow-unknown-query-parameters"] ?? op["x-allow-unknown-query-parameters"] ?? false) &&
        !queryProperties.some(([, s]) => s.type === "object" && s.additionalProperties),
      knownQuery: [...queryProperties.map(([name]) => name), ...securityQuery],
      allowEmptyQuery: allowEmpty,
      literalBracketQuery: (op.parameters ?? [])
        .filter((p) => p.in === "query" && p.name.includes("["))
        .map((p) => p.name),
      body: requestBody?.content
        ? { required: requestBody.required, mediaTypes: Object.keys(requestBody.content) }
        : requestBody
          ? { required: requestBody.required, mediaTypes: [] }
          : null,
    },
  };
}

/** How `RequestParameterMutator.modifyRequest` reshapes one parameter before validation; throws where it is not mirrored. */
function shapeOf(where, parameter, name, schema) {
  const field = paramTypes[parameter.in];
  const unsupported = (what) =>
    new Error(`${where}: parameter ${parameter.name} ${what}; src/request-shape.ts does not mirror it.`);
  if (parameter.content) throw unsupported("has content");
  // validateReservedCharacters runs for query parameters that do not allow reserved characters.
  if (field === "query" && !parameter.allowReserved) throw unsupported("does not allow reserved characters");
  if (parameter.in === "query" && isObjectOrXOf(schema)) throw unsupported("is an object or a union");
  if (schema.type === "array" && !parameter.explode) {
    const delimiter = arrayDelimiters[parameter.style];
    if (!delimiter) throw unsupported(`has style ${parameter.style}`);
    if (field !== "query" && field !== "params") throw unsupported("is a delimited array outside the query and path");
    return { name, in: field, array: "split", delimiter };
  }
  if (schema.type === "array") {
    if (field !== "query") throw unsupported("is an exploded array outside the query");
    return { name, in: field, array: "wrap" };
  }
  return { name, in: field };
}
