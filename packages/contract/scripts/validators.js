// Precompiled validators (`src/generated/validators.ts` and `src/generated/validators/`): Ajv's standalone code
// (https://ajv.js.org/standalone.html, `code: { source: true, esm: true }`) of
// - each operation's request schemas as express-openapi-validator builds them (`eov-schemas.js`), compiled with the
//   options and keywords of its request Ajv: the parameters coerced, the body not;
// - each JSON response of each operation, compiled as the server's response check (server/src/responses.ts) does.
// The modules import nothing: Ajv's one runtime helper they use (`ucs2length`) and the formats of the spec (from
// ajv-formats, through Ajv's documented `code.formats` option) are in a generated module beside them.
import { createRequire } from "node:module";
import { join } from "node:path";
import { requestSchemas, validatorSpec } from "./eov-schemas.js";

const require = createRequire(import.meta.url);
// Required, not imported: CommonJS, and what `require.cache` lists is what the record of the last run digests.
const { default: Ajv2020 } = require("ajv/dist/2020.js");
// https://ajv.js.org/standalone.html: `const standaloneCode = require("ajv/dist/standalone").default`.
const { default: standaloneCode } = require("ajv/dist/standalone");
const { _, str } = require("ajv");
const addFormatsModule = require("ajv-formats");

const addFormats = addFormatsModule.default ?? addFormatsModule;

/** Formats the generated runtime implements (as ajv-formats' "full" mode does). */
export const supportedFormats = ["uuid", "date", "date-time"];

/**
 * `x-eov-type`: the validator's alias of `type` on date strings (framework/ajv/index.js adds Ajv's JTD `type`
 * keyword under that name), as a code keyword: the same condition and error (`must be string`,
 * `{type, nullable}`).
 */
const xEovType = {
  keyword: "x-eov-type",
  schemaType: "string",
  before: "type",
  error: {
    message: ({ parentSchema, schema }) => (parentSchema?.nullable ? `must be ${schema} or null` : `must be ${schema}`),
    params: ({ parentSchema, schema }) => _`{type: ${schema}, nullable: ${!!parentSchema?.nullable}}`,
  },
  code(cxt) {
    const { data, schema, parentSchema } = cxt;
    if (schema !== "string" && schema !== "boolean") throw new Error(`x-eov-type ${schema} is not mirrored.`);
    const cond = _`typeof ${data} == ${schema}`;
    cxt.pass(parentSchema.nullable ? _`${data} === null || ${cond}` : cond);
  },
};

/**
 * `readOnly` in requests: the validator's keyword (framework/ajv/index.js, a function keyword, which standalone
 * code cannot hold) as a code keyword. A readOnly property that is sent fails with `is read-only` and
 * `{writeOnly: <property>}`; sent as null, the validator's function reports no error of its own and Ajv's default
 * one stands (or the errors its previous failing call left on it, which is not mirrored).
 */
const readOnly = {
  keyword: "readOnly",
  error: {
    message: ({ params }) => (params.sentNull ? str`must pass "readOnly" keyword validation` : str`is read-only`),
    params: ({ params, it }) => (params.sentNull ? _`{}` : _`{writeOnly: ${it.parentDataProperty}}`),
  },
  code(cxt) {
    if (!cxt.schema) return;
    cxt.gen.if(
      _`${cxt.data} == null`,
      () => cxt.error(false, { sentNull: true }),
      () => cxt.error(false, { sentNull: false }),
    );
  },
};

// `lines`: one statement a line, so that a change of the spec shows as a readable diff of the generated code.
const codeOptions = { source: true, esm: true, lines: true, formats: _`fullFormats` };

/** Ajv of the validator's requests (framework/ajv/options.js `request`, with the server's options). */
function requestAjv({ coerce }) {
  const ajv = new Ajv2020({
    strict: false,
    strictNumbers: true,
    strictTuples: true,
    allowUnionTypes: false,
    validateSchema: false,
    ...(coerce && { coerceTypes: true }),
    useDefaults: true,
    removeAdditional: false,
    validateFormats: true,
    allErrors: true,
    discriminator: true,
    logger: false,
    code: codeOptions,
  });
  addFormats(ajv, { mode: "full" });
  ajv.addKeyword(xEovType);
  ajv.removeKeyword("readOnly");
  ajv.addKeyword(readOnly);
  return ajv;
}

/** Ajv of the server's response check (server/src/responses.ts). */
function responseAjv() {
  const ajv = new Ajv2020({ strict: false, discriminator: true, allErrors: false, logger: false, code: codeOptions });
  addFormats(ajv, { mode: "full" });
  return ajv;
}

/** Points a schema's local `$ref`s at the components added to Ajv as `spec`. */
function rebase(schema) {
  return JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', '"$ref":"spec#/'));
}

const runtimeImport = /require\("ajv\/dist\/runtime\/ucs2length"\)\.default/g;

/** Ajv's standalone module of `ajv` exporting `exports` (export name → schema key), importing from `./runtime.js`. */
function moduleCode(ajv, exports, header, what) {
  let code = standaloneCode(ajv, exports).replace(runtimeImport, "ucs2length");
  if (/\brequire\(/.test(code))
    throw new Error(`The standalone code of ${what} requires a module that is not mirrored.`);
  for (const [, dotted, quoted] of code.matchAll(/fullFormats(?:\.([\w$]+)|\["([^"]+)"\])/g)) {
    const name = dotted ?? quoted;
    if (!supportedFormats.includes(name)) throw new Error(`Format ${name} is not in the generated runtime.`);
  }
  code = dropUnusedSchemas(code);
  const used = ["fullFormats", "ucs2length"].filter((name) => new RegExp(`\\b${name}\\b`).test(code));
  code = code.replace(/^"use strict";/, "");
  const imports = used.length > 0 ? `import { ${used.join(", ")} } from "./runtime.js";\n` : "";
  return `${header}// @ts-nocheck: Ajv's standalone code (https://ajv.js.org/standalone.html) of ${what}.\n${imports}${code}\n`;
}

/**
 * `code` without the \`const schemaN = <JSON>;\` declarations nothing reads: Ajv writes the root schema of every
 * function it compiles into standalone code, most of which only its error paths would name, and here none do.
 */
function dropUnusedSchemas(code) {
  let out = code;
  for (const match of [...code.matchAll(/const (schema\d+) = /g)]) {
    const name = match[1];
    if ((out.match(new RegExp(`\\b${name}\\b`, "g")) ?? []).length !== 1) continue;
    const start = out.indexOf(match[0]);
    const end = jsonEnd(out, start + match[0].length);
    if (out[end] !== ";") throw new Error(`Cannot find the end of ${name} in Ajv's code.`);
    out = out.slice(0, start) + out.slice(out[end + 1] === "\n" ? end + 2 : end + 1);
  }
  return out;
}

/** The index just after the JSON value that starts at `start` in `text`. */
function jsonEnd(text, start) {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    if (depth === 0 && !inString) return i + 1;
  }
  return text.length;
}

/** Export name of the body validator of `operationId` for its `index`th declared media type. */
function bodyExport(operationId, index) {
  return `${operationId}_${index}`;
}

/**
 * The validators' files by path under `outDir` (`src/generated/`), from the stripped document `document` (see
 * `document.js`: validation reads no prose), each after `header`.
 */
export function validatorFiles(document, outDir, header) {
  const { components, operations } = requestSchemas(document);
  const parametersAjv = requestAjv({ coerce: true });
  const bodiesAjv = requestAjv({ coerce: false });
  parametersAjv.addSchema({ $id: "spec", components });
  bodiesAjv.addSchema({ $id: "spec", components });
  const parameterExports = {};
  const bodyExports = {};
  for (const [operationId, op] of Object.entries(operations)) {
    parametersAjv.addSchema(rebase(op.general), operationId);
    parameterExports[operationId] = operationId;
    op.bodies.forEach((body, index) => {
      const name = bodyExport(operationId, index);
      bodiesAjv.addSchema(rebase(body.schema), name);
      bodyExports[name] = name;
    });
  }

  const served = validatorSpec(document);
  const responsesAjv = responseAjv();
  responsesAjv.addSchema({ $id: "spec", components: served.components });
  const responseExports = {};
  const responseTable = {};
  const responseNames = new Map();
  for (const item of Object.values(served.paths)) {
    for (const op of Object.values(item)) {
      if (!op?.operationId || !op.responses) continue;
      const statuses = {};
      for (const [code, declared] of Object.entries(op.responses)) {
        const status = Number(code);
        if (!Number.isInteger(status)) throw new Error(`${op.operationId}: response ${code} is not a status.`);
        const response = declared.$ref ? resolvePointer(served, declared.$ref) : declared;
        const schema = response?.content?.["application/json"]?.schema;
        if (!schema) {
          statuses[status] = null;
          continue;
        }
        // One validator per distinct schema: most operations answer with the same error envelopes.
        const rebased = rebase(schema);
        const key = JSON.stringify(rebased);
        let name = responseNames.get(key);
        if (!name) {
          name = `${op.operationId}_${status}`;
          responseNames.set(key, name);
          responsesAjv.addSchema(rebased, name);
          responseExports[name] = name;
        }
        statuses[status] = name;
      }
      responseTable[op.operationId] = statuses;
    }
  }

  const dir = join(outDir, "validators");
  return {
    [join(dir, "runtime.ts")]: header + runtime,
    [join(dir, "request-parameters.ts")]: moduleCode(
      parametersAjv,
      parameterExports,
      header,
      "each operation's parameters, as express-openapi-validator validates them (coerced)",
    ),
    [join(dir, "request-bodies.ts")]: moduleCode(
      bodiesAjv,
      bodyExports,
      header,
      "each operation's body per media type, as express-openapi-validator validates it",
    ),
    [join(dir, "responses.ts")]: moduleCode(
      responsesAjv,
      responseExports,
      header,
      "each JSON response, as the server's response check validates it",
    ),
    [join(outDir, "validators.ts")]: header + indexModule(operations, responseTable),
  };
}

function resolvePointer(doc, ref) {
  return ref
    .slice(2)
    .split("/")
    .reduce((node, key) => node?.[key], doc);
}

function indexModule(operations, responseTable) {
  const entries = Object.entries(operations).map(([operationId, op]) => {
    const bodies = op.bodies.map(
      (body, index) => `${JSON.stringify(body.mediaType)}: bodies.${bodyExport(operationId, index)}`,
    );
    const responses = Object.entries(responseTable[operationId] ?? {}).map(
      ([status, name]) => `${status}: ${name === null ? "null" : `responses.${name}`}`,
    );
    return `  ${operationId}: {
    method: ${JSON.stringify(op.method)},
    path: ${JSON.stringify(op.path)},
    expressRoute: ${JSON.stringify(op.expressRoute)},
    request: ${JSON.stringify(op.request)},
    parameters: parameters.${operationId},
    bodies: { ${bodies.join(", ")} },
    responses: { ${responses.join(", ")} },
  },`;
  });
  return `// The operations of the spec with their precompiled validators and what the steps before validation need.
import type { OperationValidators } from "../request-shape.js";
import * as bodies from "./validators/request-bodies.js";
import * as parameters from "./validators/request-parameters.js";
import * as responses from "./validators/responses.js";

/** Every operation by id, in the order of the spec. */
export const operationValidators = {
${entries.join("\n")}
} as unknown as Record<string, OperationValidators>;
`;
}

/**
 * The generated runtime: the formats of the spec and Ajv's `ucs2length`, copied from ajv-formats 3 ("full" mode:
 * `uuid` is a regular expression Ajv writes into the code itself) and Ajv 8 (both MIT). The contract's tests check
 * them against ajv-formats.
 */
const runtime = `// The helpers Ajv's standalone code of the validators calls: Ajv's \`ucs2length\` and the "full" formats of
// ajv-formats that the spec uses (Ajv writes \`uuid\`, a regular expression, into the code itself). Copied from Ajv 8
// and ajv-formats 3 (MIT); the contract's tests compare them with those packages.

/** Length of a string in Unicode code points, as JSON Schema counts it (ajv/dist/runtime/ucs2length). */
export function ucs2length(str: string): number {
  const len = str.length;
  let length = 0;
  let pos = 0;
  let value: number;
  while (pos < len) {
    length++;
    value = str.charCodeAt(pos++);
    if (value >= 0xd800 && value <= 0xdbff && pos < len) {
      // high surrogate, and there is a next character
      value = str.charCodeAt(pos);
      if ((value & 0xfc00) === 0xdc00) pos++; // low surrogate
    }
  }
  return length;
}

function isLeapYear(year: number): boolean {
  // https://tools.ietf.org/html/rfc3339#appendix-C
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const DATE = /^(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)$/;
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function date(str: string): boolean {
  // full-date from http://tools.ietf.org/html/rfc3339#section-5.6
  const matches = DATE.exec(str);
  if (!matches) return false;
  const year = +(matches[1] as string);
  const month = +(matches[2] as string);
  const day = +(matches[3] as string);
  return month >= 1 && month <= 12 && day >= 1 && day <= (month === 2 && isLeapYear(year) ? 29 : (DAYS[month] as number));
}

const TIME = /^(\\d\\d):(\\d\\d):(\\d\\d(?:\\.\\d+)?)(z|([+-])(\\d\\d)(?::?(\\d\\d))?)?$/i;

/** ajv-formats' \`time\` with a required time zone (\`getTime(true)\`). */
function time(str: string): boolean {
  const matches = TIME.exec(str);
  if (!matches) return false;
  const hr = +(matches[1] as string);
  const min = +(matches[2] as string);
  const sec = +(matches[3] as string);
  const tz = matches[4];
  const tzSign = matches[5] === "-" ? -1 : 1;
  const tzH = +(matches[6] || 0);
  const tzM = +(matches[7] || 0);
  if (tzH > 23 || tzM > 59 || !tz) return false;
  if (hr <= 23 && min <= 59 && sec < 60) return true;
  // leap second
  const utcMin = min - tzM * tzSign;
  const utcHr = hr - tzH * tzSign - (utcMin < 0 ? 1 : 0);
  return (utcHr === 23 || utcHr === -1) && (utcMin === 59 || utcMin === -1) && sec < 61;
}

const DATE_TIME_SEPARATOR = /t|\\s/i;

function dateTime(str: string): boolean {
  // http://tools.ietf.org/html/rfc3339#section-5.6
  const parts = str.split(DATE_TIME_SEPARATOR);
  return parts.length === 2 && date(parts[0] as string) && time(parts[1] as string);
}

/** The formats of ajv-formats' "full" mode the generated code calls, by name (Ajv's \`code.formats\`). */
export const fullFormats = {
  date: { validate: date },
  "date-time": { validate: dateTime },
};
`;
