import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);
const bin = (name: string) => join(root, "node_modules", ".bin", name);

async function exec(file: string, args: string[], cwd = root) {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, env: { ...process.env, NO_COLOR: "1" } });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : [join(dir, d.name)],
  );
}

describe("spec tooling", () => {
  it("redocly lint reports no errors and no warnings", async () => {
    const { code, out } = await exec(bin("redocly"), ["lint", "openapi/openapi.yaml", "--format=summary"]);
    // Redocly prints this line only when it found no problem at all, warnings included.
    expect(out).toMatch(/Your API description is valid/);
    expect(out).not.toMatch(/\d+ (warning|error)s?\b/);
    expect(code, out).toBe(0);
  });

  it("every component file is referenced from the spec", () => {
    const yamlFiles = files(join(root, "openapi")).filter((f) => f.endsWith(".yaml"));
    const text = yamlFiles.map((f) => readFileSync(f, "utf8")).join("\n");
    const unused = yamlFiles
      .filter((f) => f.includes("/components/"))
      .filter((f) => !text.includes(`/${f.split("/").pop()}`))
      .map((f) => relative(root, f));
    expect(unused).toEqual([]);
  });

  it("generated files are up to date with the spec", async () => {
    for (const pkg of ["spec", "contract"]) {
      const { code, out } = await exec(
        process.execPath,
        [`scripts/${pkg === "spec" ? "bundle.js" : "generate.js"}`, "--check"],
        join(root, "packages", pkg),
      );
      expect(code, out).toBe(0);
    }
  });

  // The server and the client check their own types in their suites; these have no suite of their own that does.
  it.each(["test", "packages/bench", "packages/testing", "packages/contract", "packages/test-support"])(
    "%s type-checks (tsc --noEmit)",
    { timeout: 120_000 },
    async (project) => {
      const { code, out } = await exec(bin("tsc"), ["--noEmit", "-p", project]);
      expect(code, out).toBe(0);
    },
  );

  it("biome finds nothing to fix", async () => {
    const { code, out } = await exec(bin("biome"), ["check", "--error-on-warnings", "."]);
    expect(code, out).toBe(0);
  });
});
