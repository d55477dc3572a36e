// `pnpm bundle:size` (scripts/bundle-size.js): `@refunds-api/testing/msw` bundles for the browser with nothing of the
// server's world in it, and the script's own check would see it if it did. Runs the script as a child process.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../scripts/bundle-size.js", import.meta.url));

interface Variant {
  name: string;
  external: string[];
  raw: number;
  minified: number;
  gzip: number;
  packages: Record<string, number>;
  inputs: string[];
  violations: { rule: string; file: string; detail: string }[];
}
interface Report {
  entry: string;
  esbuild: string;
  variants: Variant[];
  violations: Variant["violations"];
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

// The rules, written again here rather than read from the script, so that a script that stopped checking fails.
const forbidden = /\/node_modules\/(pino|pg|@electric-sql\/pglite|express|express-openapi-validator)\//;
const ajvCompiler = /\/node_modules\/ajv\/(?!dist\/runtime\/)/;
const serverPackage = /(^|\/)packages\/server\//;

describe("bundle:size for @refunds-api/testing/msw", () => {
  let result: Awaited<ReturnType<typeof run>>;
  let report: Report;
  beforeAll(async () => {
    result = await run(["--json"]);
    if (result.code !== 0) throw new Error(`bundle-size.js failed (${result.code}):\n${result.stderr}${result.stdout}`);
    report = JSON.parse(result.stdout);
  });

  it("bundles the entry for the browser and passes its own check", () => {
    expect(result.stderr).toBe("");
    expect(report.entry).toBe("@refunds-api/testing/msw");
    expect(report.variants.map((v) => v.name)).toEqual(["msw external", "msw included"]);
    expect(report.violations).toEqual([]);
    process.stdout.write(
      `bundle:size: ${report.variants.map((v) => `${v.name}: raw ${v.raw} B, minified ${v.minified} B, min+gzip ${v.gzip} B`).join("; ")}\n`,
    );
  });

  it("has no pino, pg, PGlite, Express, express-openapi-validator, server code or Ajv compiler among its inputs", () => {
    for (const variant of report.variants) {
      expect(variant.inputs.length).toBeGreaterThan(10);
      expect(variant.inputs.filter((file) => forbidden.test(file))).toEqual([]);
      expect(variant.inputs.filter((file) => ajvCompiler.test(file))).toEqual([]);
      expect(variant.inputs.filter((file) => serverPackage.test(file))).toEqual([]);
      expect(variant.violations).toEqual([]);
    }
  });

  it("brings in the rules (core) and the contract's precompiled validators", () => {
    const [external] = report.variants;
    expect(Object.keys(external?.packages ?? {})).toEqual(
      expect.arrayContaining(["@refunds-api/core", "@refunds-api/contract", "@refunds-api/testing"]),
    );
  });

  it("leaves msw out of the first variant and in the second, which is the larger", () => {
    const [external, included] = report.variants as [Variant, Variant];
    expect(external.external).toEqual(["msw", "msw/*"]);
    expect(external.inputs.filter((file) => /\/node_modules\/msw\//.test(file))).toEqual([]);
    expect(included.inputs.some((file) => /\/node_modules\/msw\//.test(file))).toBe(true);
    expect(included.packages.msw).toBeGreaterThan(0);
    expect(included.minified).toBeGreaterThan(external.minified);
  });

  it("measures raw > minified > minified+gzip > 0", () => {
    for (const variant of report.variants) {
      expect(variant.raw).toBeGreaterThan(variant.minified);
      expect(variant.minified).toBeGreaterThan(variant.gzip);
      expect(variant.gzip).toBeGreaterThan(0);
    }
  });

  it("prints a table of the three sizes for both variants", async () => {
    const result = await run([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/raw\s+minified\s+min\+gzip/);
    expect(result.stdout).toMatch(/^msw external\s+[\d.]+ kB\s+[\d.]+ kB\s+[\d.]+ kB$/m);
    expect(result.stdout).toMatch(/^msw included\s+[\d.]+ kB\s+[\d.]+ kB\s+[\d.]+ kB$/m);
    expect(result.stdout).toMatch(/no Node built-in/);
  });

  it("refuses a server-side entry, naming each rule it breaks", async () => {
    // The reference server has all of it: the check must see it, or its silence above means nothing.
    const result = await run(["--json", "--entry", "@refunds-api/server"]);
    expect(result.code).toBe(1);
    const server: Report = JSON.parse(result.stdout);
    const rules = new Set(server.violations.map((v) => v.rule));
    for (const rule of [
      "pino",
      "pg",
      "@electric-sql/pglite",
      "express",
      "express-openapi-validator",
      "@refunds-api/server",
      "ajv compiler",
      "node built-in",
    ]) {
      expect(rules, rule).toContain(rule);
    }
    const builtins = server.violations.filter((v) => v.rule === "node built-in").map((v) => v.detail);
    expect(builtins).toEqual(expect.arrayContaining(["node:http", "node:fs"]));
  });
});
