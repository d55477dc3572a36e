// The test lanes stay what test/lanes.ts says they are: the fast project starts no child process and opens no
// database or browser, every listed file exists, no test installs anything, and no package's code borrows another
// package's test helpers. Runs in the fast lane.

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createStore } from "@refunds-api/server";
import { describe, expect, it } from "vitest";
import { allTests, fastTests, postgresTests } from "./lanes.js";

const root = fileURLToPath(new URL("../", import.meta.url));

/** Every file under `dir` (repository-relative), node_modules, dist and dot-folders left out. */
function walk(dir: string): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((d) => {
    if (d.name === "node_modules" || d.name === "dist" || d.name.startsWith(".")) return [];
    const path = join(dir, d.name);
    return d.isDirectory() ? walk(path) : [path];
  });
}

/** A glob of test/lanes.ts (`*` within a name, `**` across folders) as a regular expression. */
function globRegExp(glob: string): RegExp {
  const parts = glob.split("/");
  const source = parts
    .map((part, i) => {
      if (part === "**") return "(?:[^/]+/)*";
      const name = part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*");
      return i === parts.length - 1 ? name : `${name}/`;
    })
    .join("");
  return new RegExp(`^${source}$`);
}

const matches = (globs: string[], file: string) => globs.some((g) => globRegExp(g).test(file));
const testFiles = [...walk("test"), ...readdirSync(join(root, "packages")).flatMap((p) => walk(`packages/${p}/test`))]
  .filter((f) => matches(allTests, f))
  .sort();
const fastFiles = testFiles.filter((f) => matches(fastTests, f));

interface Import {
  specifier: string;
  /** The names it imports (`{ a, b as c }` gives a and b); empty for a default, namespace or bare import. */
  names: string[];
  typeOnly: boolean;
}

/** The static and dynamic imports (and re-exports) of a TypeScript file. */
function importsOf(text: string): Import[] {
  const found: Import[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+["']([^"']+)["']/gm;
  for (const m of text.matchAll(statement)) {
    const names = /\{([^}]*)\}/.exec(m[3] ?? "")?.[1] ?? "";
    found.push({
      specifier: m[4] as string,
      typeOnly: Boolean(m[2]),
      names: names
        .split(",")
        .map(
          (n) =>
            n
              .trim()
              .replace(/^type\s+/, "")
              .split(/\s+as\s+/)[0] as string,
        )
        .filter(Boolean),
    });
  }
  for (const m of text.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) {
    found.push({ specifier: m[1] as string, names: [], typeOnly: false });
  }
  for (const m of text.matchAll(/\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g)) {
    found.push({ specifier: m[1] as string, names: [], typeOnly: false });
  }
  return found;
}

/** A relative import of `from` as a repository-relative .ts path, when it points into a test folder. */
function localTestModule(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const target = relative(root, resolve(root, dirname(from), specifier)).replace(/\.js$/, ".ts");
  if (!/(^|\/)test\//.test(target) || !existsSync(join(root, target))) return undefined;
  return target;
}

// What a fast file (or a test helper it imports) may not import at run time, and why.
const forbiddenModules: Record<string, string> = {
  "node:child_process": "starts child processes",
  child_process: "starts child processes",
  pg: "talks to a PostgreSQL server",
  "@electric-sql/pglite": "opens a database",
  "playwright-core": "drives a browser",
  typescript: "runs the TypeScript compiler",
  "@stoplight/prism-cli": "runs Prism",
  "@refunds-api/test-support/vitest": "needs the run's PostgreSQL cluster",
};
const forbiddenNames: Record<string, Record<string, string>> = {
  "@refunds-api/testing": { startMock: "starts Prism", startProxy: "starts Prism" },
  "@refunds-api/test-support": {
    startPostgres: "starts PostgreSQL",
    createDatabase: "needs a PostgreSQL server",
    chromiumPath: "is for a browser",
  },
};
// Test helpers that open a database themselves.
const forbiddenHelpers: Record<string, string> = {
  "packages/server/test/support/embedded.ts": "makes PGlite databases",
  "packages/server/test/store/stores.ts": "opens PGlite and PostgreSQL",
  "test/support/chromium.ts": "drives a browser",
};

/** Why a fast file is not fast, following its relative imports into test helpers; empty when it is. */
function slowImports(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const problems: string[] = [];
  for (const imp of importsOf(readFileSync(join(root, file), "utf8"))) {
    if (imp.typeOnly) continue;
    const module = forbiddenModules[imp.specifier];
    // This file imports child_process only to see the fast lane refuse it.
    if (module && !(file === "test/lanes.test.ts" && imp.specifier === "node:child_process"))
      problems.push(`${file} imports ${imp.specifier}, which ${module}`);
    for (const name of imp.names) {
      const why = forbiddenNames[imp.specifier]?.[name];
      if (why) problems.push(`${file} imports ${name} from ${imp.specifier}, which ${why}`);
    }
    const local = localTestModule(file, imp.specifier);
    if (!local) continue;
    const helper = forbiddenHelpers[local];
    if (helper) problems.push(`${file} imports ${local}, which ${helper}`);
    else problems.push(...slowImports(local, seen));
  }
  return problems;
}

describe("test lanes (test/lanes.ts)", () => {
  it("finds the test files, and each glob of the fast and postgres lists matches one at least", () => {
    expect(testFiles.length).toBeGreaterThan(40);
    expect([...fastTests, ...postgresTests].filter((g) => !testFiles.some((f) => globRegExp(g).test(f)))).toEqual([]);
    expect(fastFiles.filter((f) => matches(postgresTests, f))).toEqual([]);
  });

  it("the fast lane's files (and the test helpers they import) import nothing slow", () => {
    expect(fastFiles.length).toBeGreaterThan(20);
    expect(fastFiles.flatMap((f) => slowImports(f))).toEqual([]);
  });

  it("the check itself sees a slow import: a helper that opens a database, Prism, a child process", () => {
    const problems = slowImports("test/contract/targets.ts");
    expect(problems.join("\n")).toMatch(/startMock from @refunds-api\/testing/);
    expect(problems.join("\n")).toMatch(/@refunds-api\/test-support\/vitest/);
    expect(slowImports("packages/server/test/store/contract.postgres.test.ts").join("\n")).toMatch(/stores\.ts/);
    expect(slowImports("packages/server/test/main.test.ts").join("\n")).toMatch(/node:child_process/);
  });

  it("in the fast lane, starting a child process throws (test/support/fast-lane.ts)", () => {
    expect(() => spawnSync("true")).toThrow(/the fast lane starts no child process/);
  });

  it("in the fast lane, opening an embedded (PGlite) store throws", async () => {
    await expect(createStore({ kind: "embedded" })).rejects.toThrow(/the fast lane opens no database/);
  });
});

describe("no installs in tests", () => {
  const installers = /apt-get|\bapt install|\bdpkg -i/;

  it("no test file, test helper or test-support module runs apt-get: `pnpm setup:test-deps` installs", () => {
    const files = [
      ...walk("test"),
      ...readdirSync(join(root, "packages")).flatMap((p) => walk(`packages/${p}/test`)),
      ...walk("packages/test-support/src"),
    ].filter((f) => /\.(ts|js|mjs|cjs|sh)$/.test(f) && f !== "test/lanes.test.ts");
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((f) => installers.test(readFileSync(join(root, f), "utf8")))).toEqual([]);
  });
});

describe("packages", () => {
  it("no package's code imports another package's tests or test helpers", () => {
    const problems: string[] = [];
    for (const pkg of readdirSync(join(root, "packages"))) {
      for (const file of [...walk(`packages/${pkg}/src`), ...walk(`packages/${pkg}/scripts`)]) {
        if (!/\.(ts|js|mjs)$/.test(file)) continue;
        for (const { specifier } of importsOf(readFileSync(join(root, file), "utf8"))) {
          if (!specifier.startsWith(".")) continue;
          const target = relative(root, resolve(root, dirname(file), specifier));
          if (/(^|\/)test(\/|$)/.test(target) && !target.startsWith(`packages/${pkg}/`)) {
            problems.push(`${file} imports ${specifier}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe("CI", () => {
  it(".ci/run runs the README's second command verbatim, which sets up the test dependencies first", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const block = /^```sh\n([\s\S]*?)^```$/m.exec(readme)?.[1] ?? "";
    const second = block.split("\n")[1] ?? "";
    expect(second).toMatch(/setup:test-deps && .*\btest$/);
    expect(readFileSync(join(root, ".ci/run"), "utf8")).toContain(`(${second})`);
  });
});
