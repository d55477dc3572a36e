// Code samples of every operation, generated from the bundled spec: a curl command and a TypeScript program on
// @refunds-api/client. Nothing here is written per operation: the request comes from the operation's examples,
// the client method from its operationId and tag, the errors from its declared responses. The docs build
// (docs.js) shows them as `x-codeSamples` on its own copy of the bundle; the bundle every other tool reads has none.

const httpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
// The client's resource methods, by the verb that starts an operationId, with the arguments each takes.
const resourceVerbs = {
  list: ["query"],
  get: ["path"],
  create: ["body"],
  update: ["path", "body"],
  delete: ["path"],
};

/** The package a TypeScript sample imports. */
export const clientPackage = "@refunds-api/client";

/**
 * One entry per operation, in the spec's order: what it sends and the samples that send it.
 *
 * @param {object} spec the bundled OpenAPI document
 * @param {{ baseUrl?: string }} [options] the origin the samples call; the spec's first server by default
 */
export function operationSamples(spec, { baseUrl = spec.servers?.[0]?.url } = {}) {
  if (!baseUrl) throw new Error("samples: the spec names no server and no baseUrl was given");
  const origin = baseUrl.replace(/\/+$/, "");
  const tokenSource = publicOperations(spec)[0];
  const samples = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of httpMethods) {
      const operation = item[method];
      if (!operation) continue;
      const request = exampleRequest(spec, path, item, operation);
      samples.push({
        operationId: operation.operationId,
        method,
        path,
        ...request,
        curl: curlSample(origin, method, request, tokenSource),
        typescript: typescriptSample(spec, origin, operation, request),
      });
    }
  }
  return samples;
}

/**
 * A copy of `spec` with `x-codeSamples` (curl, then TypeScript) on every operation, as Redoc shows them.
 * `spec` is not changed.
 */
export function withCodeSamples(spec, options) {
  const copy = structuredClone(spec);
  for (const sample of operationSamples(spec, options)) {
    copy.paths[sample.path][sample.method]["x-codeSamples"] = [
      { lang: "curl", label: "curl", source: sample.curl },
      { lang: "TypeScript", label: "TypeScript", source: sample.typescript },
    ];
  }
  return copy;
}

// What the samples send: the path with its parameters filled in, the query, the body, whether a token is needed,
// and the status the example answers with.
function exampleRequest(spec, path, item, operation) {
  const parameters = new Map();
  for (const parameter of [...(item.parameters ?? []), ...(operation.parameters ?? [])].map((p) => deref(spec, p))) {
    parameters.set(`${parameter.in}:${parameter.name}`, parameter);
  }
  const pathParams = [];
  const query = {};
  for (const parameter of parameters.values()) {
    if (parameter.in === "path") {
      pathParams.push({ name: parameter.name, value: pathExample(spec, path, parameter) });
    } else if (parameter.in === "query") {
      const value = parameterExample(spec, parameter);
      if (value !== undefined) query[parameter.name] = value;
    }
  }
  pathParams.sort((a, b) => path.indexOf(`{${a.name}}`) - path.indexOf(`{${b.name}}`));
  let url = path;
  for (const { name, value } of pathParams) url = url.replace(`{${name}}`, encodeURIComponent(String(value)));

  const requestBody = operation.requestBody && deref(spec, operation.requestBody);
  const json = requestBody?.content?.["application/json"];
  const body = json ? mediaExample(spec, json) : undefined;
  if (requestBody?.required && body === undefined) {
    throw new Error(`samples: ${operation.operationId} needs a request body example`);
  }
  const security = operation.security ?? spec.security ?? [];
  const status = Object.keys(operation.responses ?? {}).find((code) => /^2\d\d$/.test(code));
  if (!status) throw new Error(`samples: ${operation.operationId} declares no 2xx response`);
  return {
    url,
    pathParams,
    query,
    body,
    authenticated: security.some((requirement) => Object.keys(requirement).length > 0),
    status: Number(status),
  };
}

function curlSample(origin, method, { url, query, body, authenticated }, tokenSource) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const one of Array.isArray(value) ? value : [value]) search.append(name, String(one));
  }
  const target = `${origin}${url}${search.size > 0 ? `?${search}` : ""}`;
  const verb = method.toUpperCase();
  const lines = [`curl -sS${verb === "GET" ? "" : ` -X ${verb}`} ${shellQuote(target)}`];
  if (authenticated) lines.push(`-H "Authorization: Bearer $TOKEN"`);
  if (body !== undefined) {
    lines.push(`-H 'Content-Type: application/json'`, `--data ${shellQuote(JSON.stringify(body, null, 2))}`);
  }
  const command = lines.join(" \\\n  ");
  return authenticated && tokenSource ? `# TOKEN: an access token from ${tokenSource}\n${command}\n` : `${command}\n`;
}

function typescriptSample(spec, origin, operation, request) {
  const { receiver, args } = clientCall(operation, request);
  const errors = declaredErrors(spec, operation);
  const imports = ["createRefundsClient", ...errors.map((e) => e.name)].sort((a, b) => a.localeCompare(b));
  const auth = request.authenticated
    ? [
        "  // Client credentials: the client gets a token and renews it in time.",
        "  auth: {",
        '    clientId: process.env.REFUNDS_CLIENT_ID ?? "",',
        '    clientSecret: process.env.REFUNDS_CLIENT_SECRET ?? "",',
        "  },",
      ]
    : [];
  const call = `await ${receiver}(${args.map((a) => tsLiteral(a, 1)).join(", ")})`;
  const result = resultSchema(spec, operation, request.status);
  const done = JSON.stringify(`${operation.summary ?? operation.operationId}: done`);
  const use = result ? useResult(spec, result.name, result.schema, call) : [`${call};`, `console.log(${done});`];
  const importLine = `import { ${imports.join(", ")} } from "${clientPackage}";`;
  const lines = [
    importLine.length <= 100
      ? importLine
      : `import {\n${imports.map((i) => `  ${i},`).join("\n")}\n} from "${clientPackage}";`,
    "",
    ...(auth.length === 0
      ? [`const client = createRefundsClient({ baseUrl: ${JSON.stringify(origin)} });`]
      : ["const client = createRefundsClient({", `  baseUrl: ${JSON.stringify(origin)},`, ...auth, "});"]),
    "",
  ];
  if (errors.length === 0) {
    lines.push(...use);
  } else {
    lines.push("try {", ...use.map((l) => `  ${l}`), "} catch (error) {");
    errors.forEach((error, i) => {
      lines.push(`  ${i === 0 ? "if" : "} else if"} (error instanceof ${error.name}) {`);
      lines.push(`    console.error(${JSON.stringify(`${error.name}:`)}, error.content.${error.show});`);
    });
    lines.push("  } else {", "    throw error;", "  }", "}");
  }
  return `${lines.join("\n")}\n`;
}

// "POST /api/auth/v2/token" for each operation that needs no token: where a token comes from.
function publicOperations(spec) {
  const found = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of httpMethods) {
      const security = item[method] && (item[method].security ?? spec.security ?? []);
      if (security && !security.some((r) => Object.keys(r).length > 0)) found.push(`${method.toUpperCase()} ${path}`);
    }
  }
  return found;
}

// `client.<resource>.<verb>(...)` when the operationId is a resource verb followed by the resource named by its
// tag (`getPatientRefund`, tag "Patient Refunds"), else `client.<operationId>(...)` (`getToken`).
function clientCall(operation, request) {
  const id = operation.operationId;
  const verb = Object.keys(resourceVerbs).find((v) => id.startsWith(v) && /^[A-Z]/.test(id.slice(v.length)));
  const tag = operation.tags?.[0];
  const resource = tag ? camel(tag) : undefined;
  const named = verb && resource && singular(id.slice(verb.length)) === singular(pascal(tag));
  const parts = { path: request.pathParams.map((p) => p.value), query: [], body: [] };
  if (Object.keys(request.query).length > 0) parts.query.push(request.query);
  if (request.body !== undefined) parts.body.push(request.body);
  if (named) {
    return { receiver: `client.${resource}.${verb}`, args: resourceVerbs[verb].flatMap((kind) => parts[kind]) };
  }
  return { receiver: `client.${id}`, args: [...parts.path, ...parts.body, ...parts.query] };
}

// The error classes of `@refunds-api/client` the operation can reject with: one per `errorName` its 4xx answers
// declare, each with the field of its content worth printing (the first required one, else the first).
function declaredErrors(spec, operation) {
  const errors = [];
  for (const [code, response] of Object.entries(operation.responses ?? {})) {
    if (!/^4\d\d$/.test(code)) continue;
    const schema = deref(spec, deref(spec, response).content?.["application/json"]?.schema);
    for (const branch of schema?.oneOf ?? [schema]) {
      const envelope = deref(spec, branch);
      const name = envelope?.properties?.errorName?.const;
      if (!name || errors.some((e) => e.name === name)) continue;
      const content = deref(spec, envelope.properties.content);
      const field = content?.required?.[0] ?? Object.keys(content?.properties ?? {})[0];
      if (!field) continue;
      const type = deref(spec, content.properties[field])?.type;
      errors.push({ name, show: type === "array" ? `${field}.join("; ")` : field });
    }
  }
  return errors;
}

function resultSchema(spec, operation, status) {
  const ref = deref(spec, operation.responses[String(status)])?.content?.["application/json"]?.schema;
  if (!ref) return undefined;
  return { name: refName(ref) ?? "result", schema: deref(spec, ref) };
}

// Prints what a reader would look at first: the first two required scalar fields of the result, or of each item
// of its required list.
function useResult(spec, name, schema, call) {
  const variable = lowerCamel(name);
  const scalars = (s) =>
    (s?.required ?? []).filter((field) => isScalar(deref(spec, s.properties?.[field]))).slice(0, 2);
  const own = scalars(schema);
  if (own.length > 0) {
    return [`const ${variable} = ${call};`, `console.log(${own.map((f) => `${variable}.${f}`).join(", ")});`];
  }
  for (const field of schema?.required ?? []) {
    const list = deref(spec, schema.properties?.[field]);
    if (list?.type !== "array") continue;
    const itemVariable = lowerCamel(refName(list.items) ?? "item");
    const fields = scalars(deref(spec, list.items));
    if (fields.length === 0) continue;
    return [
      `const ${variable} = ${call};`,
      `for (const ${itemVariable} of ${variable}.${field}) {`,
      `  console.log(${fields.map((f) => `${itemVariable}.${f}`).join(", ")});`,
      "}",
    ];
  }
  return [`const ${variable} = ${call};`, `console.log(${variable});`];
}

function isScalar(schema) {
  return ["string", "integer", "number", "boolean"].includes(schema?.type);
}

// A path parameter's example: its own, its schema's, or else the value of the same-named field in an example
// answer of an operation on the same path (the id of the refund that `GET` returns).
function pathExample(spec, path, parameter) {
  const own = parameterExample(spec, parameter, false);
  if (own !== undefined) return own;
  for (const operation of Object.values(spec.paths[path])) {
    for (const response of Object.values(operation?.responses ?? {})) {
      const json = deref(spec, response)?.content?.["application/json"];
      const found = json && findField(mediaExample(spec, json), parameter.name);
      if (found !== undefined) return found;
    }
  }
  throw new Error(`samples: no example value for the path parameter ${parameter.name} of ${path}`);
}

// A parameter's example: `example`, the first of `examples`, its schema's, or (unless `withDefault` is false) its
// schema's default.
function parameterExample(spec, parameter, withDefault = true) {
  if (parameter.example !== undefined) return parameter.example;
  const named = Object.values(parameter.examples ?? {})[0];
  if (named !== undefined) return deref(spec, named).value;
  const schema = deref(spec, parameter.schema);
  if (parameter.schema?.example !== undefined) return parameter.schema.example;
  if (Array.isArray(parameter.schema?.examples)) return parameter.schema.examples[0];
  if (schema?.example !== undefined) return schema.example;
  if (Array.isArray(schema?.examples)) return schema.examples[0];
  if (!withDefault) return undefined;
  return parameter.schema?.default ?? schema?.default;
}

// The first named example of a media type, else its `example`.
function mediaExample(spec, media) {
  const named = Object.values(media.examples ?? {})[0];
  if (named !== undefined) return deref(spec, named).value;
  return media.example;
}

function findField(value, name) {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findField(item, name);
      if (found !== undefined) return found;
    }
  } else if (value && typeof value === "object") {
    if (typeof value[name] === "string" || typeof value[name] === "number") return value[name];
    for (const child of Object.values(value)) {
      const found = findField(child, name);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function deref(spec, node) {
  let current = node;
  for (let hops = 0; current && typeof current.$ref === "string"; hops++) {
    if (hops > 20 || !current.$ref.startsWith("#/")) throw new Error(`samples: cannot resolve ${current.$ref}`);
    current = current.$ref
      .slice(2)
      .split("/")
      .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce((at, key) => at?.[key], spec);
  }
  return current;
}

function refName(node) {
  return typeof node?.$ref === "string" ? node.$ref.split("/").at(-1) : undefined;
}

// A JSON value as a TypeScript literal: objects with bare keys where they are identifiers, two-space indents.
function tsLiteral(value, depth = 0) {
  const pad = "  ".repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((v) => v === null || typeof v !== "object"))
      return `[${value.map((v) => tsLiteral(v)).join(", ")}]`;
    return `[\n${value.map((v) => `${pad}  ${tsLiteral(v, depth + 1)}`).join(",\n")},\n${pad}]`;
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const key = (k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));
    return `{\n${entries.map(([k, v]) => `${pad}  ${key(k)}: ${tsLiteral(v, depth + 1)}`).join(",\n")},\n${pad}}`;
  }
  return JSON.stringify(value);
}

// POSIX single quotes: everything literal, a single quote written as '\''.
function shellQuote(text) {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

function words(text) {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

function pascal(text) {
  return words(text)
    .map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase())
    .join("");
}

function camel(text) {
  const p = pascal(text);
  return p[0].toLowerCase() + p.slice(1);
}

function lowerCamel(name) {
  return name[0].toLowerCase() + name.slice(1);
}

function singular(name) {
  return name.replace(/s$/, "");
}
