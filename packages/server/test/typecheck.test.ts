import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";

const configPath = fileURLToPath(new URL("../tsconfig.json", import.meta.url));
const fixturePath = fileURLToPath(new URL("./typecheck/handlers.fixture.ts", import.meta.url));
const fixture = readFileSync(fixturePath, "utf8");
const directive = /\/\/ @ts-expect-error (.+) \(TS(\d+)\)$/;

const config = ts.getParsedCommandLineOfConfigFile(
  configPath,
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  },
) as ts.ParsedCommandLine;

const format = (diagnostics: readonly ts.Diagnostic[]) =>
  diagnostics.map((d) => {
    const where = d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
    return `${where} TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
  });

/** The fixture's cases: each directive, its expected code, and the line it guards. */
const cases = fixture.split("\n").flatMap((text, index) => {
  const match = directive.exec(text.trim());
  return match ? [{ name: match[1] as string, code: Number(match[2]), line: index + 2 }] : [];
});

describe("handler types", () => {
  let diagnostics: string[] = [];
  let errors: { line: number; code: number }[] = [];

  // Type-checking the whole package takes seconds; it happens once, for every case below.
  beforeAll(() => {
    const program = ts.createProgram(config.fileNames, config.options);
    diagnostics = format(ts.getPreEmitDiagnostics(program));
    // The same program with the directives taken out of the fixture: every guarded line must fail as named.
    const host = ts.createCompilerHost(config.options);
    const getSourceFile = host.getSourceFile;
    host.getSourceFile = (fileName, language, ...rest) =>
      fileName === fixturePath
        ? ts.createSourceFile(fileName, fixture.replace(/\/\/ @ts-expect-error .*$/gm, "//"), language)
        : getSourceFile.call(host, fileName, language, ...rest);
    const bare = ts.createProgram({ rootNames: config.fileNames, options: config.options, host, oldProgram: program });
    errors = ts.getPreEmitDiagnostics(bare, bare.getSourceFile(fixturePath)).map((d) => ({
      line: (d.file?.getLineAndCharacterOfPosition(d.start ?? 0).line ?? -1) + 1,
      code: d.code,
    }));
  }, 120_000);

  it("the server and its tests typecheck, fixture directives included", () => {
    expect(config.fileNames).toContain(fixturePath);
    expect(diagnostics).toEqual([]);
  });

  it("the fixture holds every case", () => {
    expect(cases.map((c) => c.name)).toEqual([
      "missing handler",
      "handler for an operation the spec does not have",
      "path parameter declared with the wrong type",
      "query parameter used as the wrong type",
      "body missing required fields of the response schema",
      "body field of the wrong type",
      "body value outside the schema's enum",
      "body on an operation whose 200 is empty",
    ]);
  });

  it.each(cases)("$name is error TS$code", ({ line, code }) => {
    expect(errors).toContainEqual({ line, code });
  });
});
