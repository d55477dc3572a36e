// Dependencies are used through their public surface only: a package's exports map, its declared bins and its
// package.json, or a subpath its own documentation tells users to import. A deep import of a private module breaks
// silently when the package moves a file, and pins the package to the version it was written against.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Subpaths of packages without an exports map that their documentation names as entry points. */
const documented: Record<string, string> = {
  // https://ajv.js.org/json-schema.html#draft-2020-12: `import Ajv2020 from "ajv/dist/2020"`.
  "ajv/dist/2020.js": "Ajv's documented entry point for JSON Schema 2020-12",
  // https://ajv.js.org/standalone.html: `const standaloneCode = require("ajv/dist/standalone").default`. The contract's
  // generator writes its precompiled validators with it; the code it writes imports nothing of Ajv's.
  "ajv/dist/standalone": "Ajv's documented entry point for standalone validation code",
};

const skipped = new Set(["node_modules", "dist", ".git", "bundled", "test-artifacts", "coverage"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (skipped.has(entry.name) || entry.name.startsWith(".")) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

const specifierPattern =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bresolve\s*\(\s*|\bimport\s+)["']([^"'\s]+)["']/g;

/** Bare module specifiers with a subpath (`pkg/sub`, `@scope/pkg/sub`) in `text`. */
export function subpathSpecifiers(text: string): { pkg: string; subpath: string }[] {
  return [...text.matchAll(specifierPattern)].flatMap(([, specifier = ""]) => {
    if (/^(\.|\/|node:|[a-z]+:)/.test(specifier)) return [];
    const parts = specifier.split("/");
    const size = specifier.startsWith("@") ? 2 : 1;
    if (parts.length <= size) return [];
    return [{ pkg: parts.slice(0, size).join("/"), subpath: `./${parts.slice(size).join("/")}` }];
  });
}

interface Manifest {
  exports?: unknown;
  bin?: string | Record<string, string>;
}

/** Whether `subpath` is public in `manifest`: exported, a declared bin, the manifest itself, or documented. */
export function isPublicSubpath(pkg: string, subpath: string, manifest: Manifest): boolean {
  if (subpath === "./package.json") return true;
  if (documented[`${pkg}/${subpath.slice(2)}`]) return true;
  const bins = typeof manifest.bin === "string" ? [manifest.bin] : Object.values(manifest.bin ?? {});
  if (bins.some((bin) => `./${bin.replace(/^\.\//, "")}` === subpath)) return true;
  const exports = manifest.exports;
  if (!exports || typeof exports !== "object" || Array.isArray(exports)) return false;
  return Object.keys(exports).some((key) => {
    if (!key.includes("*")) return key === subpath;
    const [before = "", after = ""] = key.split("*");
    return subpath.startsWith(before) && subpath.endsWith(after) && subpath.length >= before.length + after.length;
  });
}

/** The manifest of `pkg` as the file at `from` resolves it. */
function manifestOf(pkg: string, from: string): Manifest | undefined {
  const require = createRequire(from);
  for (const request of [`${pkg}/package.json`]) {
    try {
      return JSON.parse(readFileSync(require.resolve(request), "utf8")) as Manifest;
    } catch {
      // Not resolvable as a subpath (an exports map without ./package.json): walk up from the entry instead.
    }
  }
  const paths = require.resolve.paths(pkg) ?? [];
  for (const dir of paths) {
    try {
      return JSON.parse(readFileSync(join(dir, pkg, "package.json"), "utf8")) as Manifest;
    } catch {}
  }
  return undefined;
}

describe("dependencies through their public surface", () => {
  // This file quotes private paths as cases of the rule.
  const files = sourceFiles(root).filter((file) => file !== fileURLToPath(import.meta.url));

  it("finds the repository's sources", () => {
    expect(files.some((f) => f.endsWith(join("packages", "server", "src", "app.ts")))).toBe(true);
    expect(files.length).toBeGreaterThan(100);
  });

  it("no file imports a private module of a package", () => {
    const private_: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const { pkg, subpath } of subpathSpecifiers(text)) {
        const manifest = manifestOf(pkg, file);
        // A package that does not resolve from here (a consumer fixture's own dependency) is checked where it is.
        if (manifest && !isPublicSubpath(pkg, subpath, manifest)) {
          private_.push(`${relative(root, file)}: ${pkg}/${subpath.slice(2)}`);
        }
      }
    }
    // The packaging test's consumer imports a private path on purpose, to show it does not type-check.
    expect(private_.filter((line) => !line.startsWith(join("test", "packaging", "consumer", "misuse.ts")))).toEqual([]);
  });

  it("no file loads modules relative to another package's files", () => {
    // `createRequire(<a path inside a dependency>)` is how a private module is reached without naming it.
    const offenders = files.filter((file) => /createRequire\((?!import\.meta\.url\))/.test(readFileSync(file, "utf8")));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it.each([
    { pkg: "express-openapi-validator", subpath: "./dist/middlewares", manifest: {}, want: false },
    { pkg: "ajv", subpath: "./dist/2020.js", manifest: {}, want: true },
    { pkg: "ajv", subpath: "./dist/compile/index.js", manifest: {}, want: false },
    { pkg: "x", subpath: "./package.json", manifest: {}, want: true },
    { pkg: "@redocly/cli", subpath: "./bin/cli.js", manifest: { bin: { redocly: "bin/cli.js" } }, want: true },
    { pkg: "@refunds-api/spec", subpath: "./codegen", manifest: { exports: { "./codegen": "./c.js" } }, want: true },
    { pkg: "@refunds-api/spec", subpath: "./scripts/x.js", manifest: { exports: { ".": "./i.js" } }, want: false },
    { pkg: "p", subpath: "./features/a", manifest: { exports: { "./features/*": "./f/*.js" } }, want: true },
  ])("$pkg/$subpath is public: $want", ({ pkg, subpath, manifest, want }) => {
    expect(isPublicSubpath(pkg, subpath, manifest)).toBe(want);
  });

  it("finds subpaths in every import form", () => {
    const text = `import a from "ajv/dist/2020.js";\nconst b = require("x/y");\nawait import("@s/p/q");\n
      import "side/effect";\nimport c from "./local/x";\nimport d from "node:fs/promises";\nimport e from "plain";`;
    expect(subpathSpecifiers(text).map((s) => `${s.pkg} ${s.subpath}`)).toEqual([
      "ajv ./dist/2020.js",
      "x ./y",
      "@s/p ./q",
      "side ./effect",
    ]);
  });
});
