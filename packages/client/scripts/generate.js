// Generates the TypeScript types of the API from the bundled spec, plus friendly names and enum value arrays.
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadSpec, specJsonPath } from "@refunds-api/spec";
import { emitGenerated, generatedHeader, reportGenerated } from "@refunds-api/spec/codegen";
import openapiTS, { astToString } from "openapi-typescript";
import { schemaOptions } from "./schema-options.js";

const check = process.argv.includes("--check");
const root = fileURLToPath(new URL("../../../", import.meta.url));
const generatedDir = new URL("../src/generated/", import.meta.url);

const ast = await openapiTS(pathToFileURL(specJsonPath), schemaOptions);
const changed = emitGenerated(
  {
    [fileURLToPath(new URL("schema.ts", generatedDir))]: generatedHeader("//") + astToString(ast),
    [fileURLToPath(new URL("models.ts", generatedDir))]: generatedHeader("//") + models(loadSpec()),
  },
  { check, cwd: root },
);
reportGenerated(changed, { check, name: "client types" });

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
