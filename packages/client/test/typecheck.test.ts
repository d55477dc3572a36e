import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSpec } from "@refunds-api/spec";
import { generatedHeader } from "@refunds-api/spec/codegen";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { schemaOptions } from "../../contract/scripts/schema-options.js";
import { readmeExample } from "./support/readme.js";

const pkg = fileURLToPath(new URL("..", import.meta.url));
// The types the client is written against, in the contract package it depends on.
const schemaPath = join(pkg, "../contract/src/generated/schema.ts");
const readmePath = join(pkg, "test/readme-example.ts");
const consumerPath = join(pkg, "test/consumer.ts");
// Code a caller wrote against today's spec.
const consumer = `import type { PatientRefund } from "../src/index.js";
export const note = (refund: PatientRefund): string | undefined => refund.refund_note;
`;

const config = ts.getParsedCommandLineOfConfigFile(
  join(pkg, "tsconfig.json"),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  },
);
if (!config) throw new Error("tsconfig.json could not be read");
const options = config.options;

// Parsed files from disk, shared by both programs: the DOM lib alone is most of the work.
const parsed = new Map<string, ts.SourceFile | undefined>();

/** Type-checks the package's tsconfig files plus `files`, which are added or replace files on disk. */
function typeCheck(files: Record<string, string>, rootNames = config?.fileNames ?? []) {
  const host = ts.createCompilerHost(options);
  const fromDisk = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language) => {
    const text = files[name];
    if (text !== undefined) return ts.createSourceFile(name, text, language);
    if (!parsed.has(name)) parsed.set(name, fromDisk(name, language));
    return parsed.get(name);
  };
  host.fileExists = (name) => name in files || ts.sys.fileExists(name);
  host.readFile = (name) => files[name] ?? ts.sys.readFile(name);
  const program = ts.createProgram({ rootNames: [...rootNames, ...Object.keys(files)], options, host });
  return (file?: string) => {
    const source = file === undefined ? undefined : program.getSourceFile(file);
    const diagnostics = source ? program.getSemanticDiagnostics(source) : ts.getPreEmitDiagnostics(program);
    return {
      codes: diagnostics.map((d) => d.code),
      text: ts.formatDiagnostics(diagnostics, { ...host, getNewLine: () => "\n" }),
    };
  };
}

// The TypeScript compiler takes seconds per program, and more on a busy machine.
describe("types", { timeout: 120_000 }, () => {
  it("the package, its type tests and the README example type-check (tsc --noEmit)", () => {
    const { text } = typeCheck({ [readmePath]: readmeExample(), [consumerPath]: consumer })();
    expect(text).toBe("");
  });

  it("a field removed from the spec is a type error where callers use it, once regenerated", async () => {
    const spec = loadSpec() as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    const patientRefund = spec.components.schemas.PatientRefund;
    expect(patientRefund?.properties).toHaveProperty("refund_note");
    delete patientRefund?.properties.refund_note;
    const regenerated = generatedHeader("//") + astToString(await openapiTS(spec as never, schemaOptions));

    const { codes, text } = typeCheck({ [schemaPath]: regenerated, [consumerPath]: consumer }, [])(consumerPath);
    expect(codes).toEqual([2339]);
    expect(text).toContain("Property 'refund_note' does not exist on type");
  });
});
