// Generates the TypeScript types of the API (the contract package) from the bundled spec, plus friendly names and enum value arrays.
// `--bundle` bundles openapi/ first, in the same process, and generates from that bundle: `pnpm generate` runs both
// steps this way, so Node, Redocly and TypeScript start once. It keeps a record of its last run (last-run.js) and
// answers from it while no input or output changed; `--no-record` runs in full.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { specJsonPath } from "@refunds-api/spec";
import { emitGenerated, generatedHeader, reportGenerated } from "@refunds-api/spec/codegen";
import { documentModule, stripDocument } from "./document.js";
import { remember, upToDate } from "./last-run.js";
import { schemaOptions } from "./schema-options.js";
import { validatorFiles } from "./validators.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const generatedDir = fileURLToPath(new URL("../src/generated/", import.meta.url));
// The bundler is a repository script of the spec package (a dependency of this one), not one of its exports.
const bundler = new URL("scripts/bundle.js", import.meta.resolve("@refunds-api/spec/package.json"));

/**
 * The contents of `schema.ts`, `models.ts`, `document.ts`, `validators.ts` and `validators/` in `outDir` by path,
 * from the bundled spec as JSON text.
 */
export async function contractFiles(specJson, outDir = generatedDir) {
  // required, not imported: loads the CommonJS build, which spares the ESM loader's scan of TypeScript's 9 MB.
  const { default: openapiTS, astToString } = createRequire(import.meta.url)("openapi-typescript");
  // Each consumer gets its own copy: Redocly's bundler inside openapi-typescript rewrites the document it is given.
  const ast = await openapiTS(JSON.parse(specJson), schemaOptions);
  return {
    [join(outDir, "schema.ts")]: generatedHeader("//") + astToString(ast),
    [join(outDir, "models.ts")]: generatedHeader("//") + models(JSON.parse(specJson)),
    ...runtimeFiles(specJson, outDir),
  };
}

/**
 * The generated files that run the API's rules (no types): `document.ts`, the spec without its prose, and the
 * precompiled validators (`validators.ts`, `validators/`), compiled from that document.
 */
export function runtimeFiles(specJson, outDir = generatedDir) {
  const document = stripDocument(JSON.parse(specJson));
  return {
    [join(outDir, "document.ts")]: documentModule(document, generatedHeader("//")),
    ...validatorFiles(document, outDir, generatedHeader("//")),
  };
}

/** Writes `src/generated/` (or with `check` compares it); returns the paths that were stale or rewritten. */
export async function generateContract({ check = false, specJson = readFileSync(specJsonPath, "utf8"), outDir } = {}) {
  return emitGenerated(await contractFiles(specJson, outDir), { check, cwd: root });
}

/**
 * What `pnpm generate` runs: bundles the spec (`entry`, into `specOut`) and generates the contract types from that
 * bundle (into `typesOut`), or with `check` compares both with what is on disk. Returns the paths of each that were
 * stale (check) or rewritten. With a `record` file (see `last-run.js`), a run whose inputs and outputs are those of
 * the recorded one is answered from the record: nothing is stale and nothing needs writing.
 *
 * @param {{ check?: boolean, entry?: string, specOut?: string, typesOut?: string, record?: string | null,
 *   trustedBefore?: number }} [options] `record: null` runs in full and records nothing.
 */
export async function generateAll({
  check = false,
  entry,
  specOut,
  typesOut,
  record = join(root, "node_modules/.cache/refunds-api/generate.json"),
  // Files changed from shortly before this process started on are not trusted: some file clocks tick in seconds.
  trustedBefore = performance.timeOrigin - 2000,
} = {}) {
  const context = { entry, specOut, typesOut };
  if (record && upToDate(record, context)) return { spec: [], types: [], fromRecord: true };
  const require = createRequire(import.meta.url);
  const { generateSpec } = await import(bundler.href);
  const spec = await generateSpec({ check, entry, outDir: specOut });
  const types = await contractFiles(spec.json, typesOut);
  const changed = { spec: spec.changed, types: emitGenerated(types, { check, cwd: root }), fromRecord: false };
  if (record) {
    // Every file whose change could change the output: the spec's files, the code (the ES modules and manifests of
    // this script and the bundler here; require.cache holds the rest, ES modules that CommonJS required included)
    // and what pnpm installed.
    const code = [
      import.meta.url,
      new URL("schema-options.js", import.meta.url),
      new URL("last-run.js", import.meta.url),
      new URL("document.js", import.meta.url),
      new URL("validators.js", import.meta.url),
      new URL("eov-schemas.js", import.meta.url),
      new URL("../package.json", import.meta.url),
      bundler,
      import.meta.resolve("@refunds-api/spec/codegen"),
      import.meta.resolve("@refunds-api/spec/package.json"),
    ];
    const inputs = [
      ...spec.inputs,
      ...code.map((url) => fileURLToPath(url)),
      ...Object.keys(require.cache),
      join(root, "node_modules/.pnpm/lock.yaml"),
    ];
    remember(record, { context, inputs, outputs: { ...spec.files, ...types }, trustedBefore });
  }
  return changed;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const check = process.argv.includes("--check");
  if (process.argv.includes("--bundle")) {
    const changed = await generateAll({ check, ...(process.argv.includes("--no-record") && { record: null }) });
    reportGenerated(changed.spec, { check, name: "spec" });
    reportGenerated(changed.types, { check, name: "contract types" });
  } else {
    reportGenerated(await generateContract({ check }), { check, name: "contract types" });
  }
}

/**
 * Friendly names for every component schema, the query type of every operation that has one,
 * a value array for every enum, and the list of error names.
 */
function models(spec) {
  const schemas = Object.entries(spec.components.schemas);
  const out = ['import type { components, operations } from "./schema.js";', ""];

  for (const [name, schema] of schemas) {
    out.push(doc(schema.description), `export type ${typeName(name)} = components["schemas"]["${name}"];`);
  }
  out.push("");

  for (const [path, item] of Object.entries(spec.paths)) {
    for (const operation of Object.values(item)) {
      if (!operation.parameters?.some((p) => (p.$ref ? resolve(spec, p.$ref) : p).in === "query")) continue;
      const name = `${pascal(operation.operationId)}Query`;
      out.push(
        doc(`Query parameters of \`${operation.operationId}\` (\`${path}\`).`),
        `export type ${name} = NonNullable<operations["${operation.operationId}"]["parameters"]["query"]>;`,
      );
    }
  }
  out.push("");

  for (const [name, schema] of schemas) {
    if (!Array.isArray(schema.enum)) continue;
    out.push(
      doc(`Every value of {@link ${name}}, in the order of the spec.`),
      `export const ${plural(camel(name))} = ${JSON.stringify(schema.enum)} as const satisfies readonly ${name}[];`,
    );
  }
  out.push("");

  const errorNames = schemas.map(([, schema]) => schema.properties?.errorName?.const).filter(Boolean);
  out.push(
    doc("Every `errorName` the API answers with, in the order of the spec."),
    `export const apiErrorNames = ${JSON.stringify(errorNames)} as const;`,
    doc("Name of an error the API answers with."),
    "export type ApiErrorName = (typeof apiErrorNames)[number];",
  );
  return `${out.join("\n")}\n`;
}

// Error envelopes are exported as `…ErrorBody`: the client's error classes carry the plain names.
function typeName(schemaName) {
  return schemaName.endsWith("Error") ? `${schemaName}Body` : schemaName;
}

function resolve(spec, ref) {
  return ref
    .slice(2)
    .split("/")
    .reduce((node, key) => node[key], spec);
}

function doc(text) {
  return text ? `/** ${text.replaceAll("*/", "*\\/").replace(/\s+/g, " ").trim()} */` : "";
}

function pascal(id) {
  return id[0].toUpperCase() + id.slice(1);
}

function camel(name) {
  return name[0].toLowerCase() + name.slice(1);
}

function plural(word) {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}
