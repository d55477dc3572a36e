// The public packages as another team gets them: packed with `pnpm pack`, installed with plain npm into a project
// outside the workspace (so nothing resolves through the workspace's node_modules), type-checked with
// `tsc --strict`, and run with the Node that runs this test.
import { execFile } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = fileURLToPath(new URL("../../", import.meta.url));
const consumerDir = fileURLToPath(new URL("./consumer/", import.meta.url));
const pnpm = ["-y", "pnpm@10.34.9"];
const publicPackages = [
  "@refunds-api/client",
  "@refunds-api/contract",
  "@refunds-api/core",
  "@refunds-api/server",
  "@refunds-api/spec",
  "@refunds-api/testing",
];

interface Manifest {
  name: string;
  private?: boolean;
  sideEffects?: boolean;
  exports?: unknown;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** What vitest's JSON reporter writes, as far as these tests read it. */
interface VitestReport {
  testResults: { assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, "utf8")) as T;

/** The workspace's packages that are not private, by name, with their directories. */
function workspacePublicPackages(): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of readdirSync(join(root, "packages"))) {
    const path = join(root, "packages", dir, "package.json");
    if (!existsSync(path)) continue;
    const manifest = readJson<Manifest>(path);
    if (!manifest.private) found.set(manifest.name, join(root, "packages", dir));
  }
  return found;
}

/**
 * The environment of the commands run here: the running Node first on PATH (so npm, bins and shebangs use it),
 * and none of the `npm_*` settings a package manager passes to the scripts it runs.
 */
function commandEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== "INIT_CWD"),
  );
  return {
    ...env,
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
    NO_COLOR: "1",
    DO_NOT_TRACK: "1",
    SCARF_ANALYTICS: "false",
  };
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to the end and resolves with its exit code and output, whatever the code. */
function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: commandEnv(), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) || (error && code !== 0 ? error.message : "") });
      },
    );
  });
}

async function mustRun(command: string, args: string[], cwd: string, timeoutMs: number): Promise<Result> {
  const result = await run(command, args, cwd, timeoutMs);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** Every file under `dir`, relative to it, with `/` separators. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => statSync(join(dir, file)).isFile())
    .map((file) => file.split(sep).join("/"))
    .sort();
}

/** Every string an `exports` map points at. */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === "string") return [exports];
  if (exports && typeof exports === "object") return Object.values(exports).flatMap(exportTargets);
  return [];
}

const builtins = new Set(builtinModules);

/** The package a bare import specifier names (`@scope/name/sub` → `@scope/name`); undefined for builtins. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith("node:") || builtins.has(specifier)) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** Bare specifiers a built file imports, re-exports or resolves (`import`, `export … from`, `require.resolve`). */
function importedSpecifiers(source: string): string[] {
  const pattern =
    /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire(?:\.resolve)?\(\s*|\)\.resolve\(\s*)["']([^"'.][^"']*)["']/g;
  return [...source.matchAll(pattern)].map((match) => match[1] as string);
}

/**
 * Imports in a package's built files that its manifest does not declare as a runtime dependency: a JS import needs
 * the package among `dependencies` (or `peerDependencies`), a declaration import needs it or its `@types/` package.
 */
function undeclaredImports(dir: string, manifest: Manifest): string[] {
  const declared = new Set([
    manifest.name,
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const problems = new Set<string>();
  for (const file of filesUnder(dir).filter((f) => /\.(js|d\.ts)$/.test(f) && !f.startsWith("node_modules/"))) {
    for (const specifier of importedSpecifiers(readFileSync(join(dir, file), "utf8"))) {
      const name = packageOf(specifier);
      if (name === undefined || declared.has(name)) continue;
      const typesName = `@types/${name.replace(/^@/, "").replace("/", "__")}`;
      if (file.endsWith(".d.ts") && declared.has(typesName)) continue;
      problems.add(`${file} imports ${specifier}`);
    }
  }
  return [...problems].sort();
}

/** `// TSxxxx` markers of a fixture: the 1-based line and the error code each line must fail with. */
function expectedErrors(source: string): string[] {
  return source
    .split("\n")
    .flatMap((line, i) => [...line.matchAll(/\/\/ (TS\d+)\b/g)].map((match) => `${i + 1} ${match[1]}`));
}

describe(`the packed packages, installed with npm outside the workspace (Node ${process.version})`, () => {
  const scratch = mkdtempSync(join(tmpdir(), "refunds-api-install-"));

  /**
   * Runs one of the consumer's vitest files with the consumer's own vitest; its JSON report (an error naming the
   * output when it wrote none) and its output.
   */
  async function consumerVitest(file: string, reportFile: string): Promise<{ report: VitestReport; output: string }> {
    const result = await run(
      process.execPath,
      [join(scratch, "node_modules/vitest/vitest.mjs"), "run", file, "--reporter=json", `--outputFile=${reportFile}`],
      scratch,
      300_000,
    );
    const output = `${result.stdout}\n${result.stderr}`;
    if (!existsSync(join(scratch, reportFile))) throw new Error(`vitest wrote no report:\n${output}`);
    return { report: readJson(join(scratch, reportFile)), output };
  }
  const tarballDir = join(scratch, "tarballs");
  const installed = (name: string) => join(scratch, "node_modules", name);
  const catalog = (
    parse(readFileSync(join(root, "pnpm-workspace.yaml"), "utf8")) as { catalog: Record<string, string> }
  ).catalog;
  let tarballs: string[] = [];
  let typecheck: Result;

  beforeAll(async () => {
    const names = [...workspacePublicPackages().keys()];
    await mustRun(
      "npx",
      [...pnpm, "-r", ...names.flatMap((n) => ["--filter", n]), "pack", "--pack-destination", tarballDir],
      root,
      300_000,
    );
    tarballs = readdirSync(tarballDir)
      .filter((f) => f.endsWith(".tgz"))
      .sort();

    writeFileSync(
      join(scratch, "package.json"),
      `${JSON.stringify({ name: "refunds-api-consumer", private: true, type: "module" }, null, 2)}\n`,
    );
    await mustRun(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        "--loglevel=error",
        ...tarballs.map((t) => `./tarballs/${t}`),
        `typescript@${catalog.typescript}`,
        `@types/node@${catalog["@types/node"]}`,
        `vitest@${catalog.vitest}`,
        // The peer that `@refunds-api/testing/msw` needs; a team that mocks with MSW has it.
        `msw@${catalog.msw}`,
      ],
      scratch,
      300_000,
    );

    for (const file of ["app.ts", "misuse.ts", "seed.json"]) copyFileSync(join(consumerDir, file), join(scratch, file));
    // Named so that the repository's own vitest does not collect it; the consumer's vitest runs it.
    copyFileSync(join(consumerDir, "doubles.vitest.ts"), join(scratch, "doubles.test.ts"));
    copyFileSync(join(consumerDir, "msw.vitest.ts"), join(scratch, "msw.test.ts"));
    const tsconfig = {
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        skipLibCheck: false,
        types: ["node"],
        outDir: "out",
      },
      files: ["app.ts", "misuse.ts", "doubles.test.ts", "msw.test.ts"],
    };
    writeFileSync(join(scratch, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
    // One compile: every declaration file checked, the mistakes in misuse.ts reported, app.ts emitted anyway.
    typecheck = await run(
      process.execPath,
      [join(scratch, "node_modules/typescript/bin/tsc"), "-p", scratch, "--pretty", "false"],
      scratch,
      300_000,
    );
  }, 900_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("the scratch project is outside the workspace, with no node_modules above it to resolve through", () => {
    expect(relative(root, scratch).startsWith("..")).toBe(true);
    let dir = dirname(scratch);
    const above: string[] = [];
    for (;;) {
      if (existsSync(join(dir, "node_modules"))) above.push(join(dir, "node_modules"));
      if (dirname(dir) === dir) break;
      dir = dirname(dir);
    }
    expect(above).toEqual([]);
  });

  it("packs one tarball per public package", () => {
    expect([...workspacePublicPackages().keys()].sort()).toEqual(publicPackages);
    expect(tarballs.map((t) => t.replace(/-\d+\.\d+\.\d+.*\.tgz$/, ""))).toEqual(
      publicPackages.map((name) => name.slice(1).replace("/", "-")),
    );
  });

  describe.each(publicPackages)("%s as installed", (name) => {
    const manifest = () => readJson<Manifest>(join(installed(name), "package.json"));

    it("declares every package its built files import (no workspace:, catalog: or hoisting)", () => {
      const specifiers = Object.values({ ...manifest().dependencies, ...manifest().peerDependencies });
      expect(specifiers.filter((s) => /^(workspace|catalog):/.test(s))).toEqual([]);
      expect(undeclaredImports(installed(name), manifest())).toEqual([]);
    });

    it("exports built JavaScript with a declaration file beside each module, a README, and no TypeScript source", () => {
      const files = filesUnder(installed(name)).filter((f) => !f.startsWith("node_modules/"));
      const targets = exportTargets(manifest().exports);
      expect(targets.length).toBeGreaterThan(0);
      for (const target of targets) expect(files, target).toContain(target.replace(/^\.\//, ""));
      const modules = targets.filter((t) => t.endsWith(".js"));
      for (const target of modules) expect(files).toContain(target.replace(/^\.\//, "").replace(/\.js$/, ".d.ts"));
      expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts"))).toEqual([]);
      expect(files.filter((f) => /^(src|test)\//.test(f))).toEqual([]);
      expect(files).toContain("README.md");
      expect(manifest().sideEffects).toBe(false);
    });

    it("has bins that exist and start with a node shebang", () => {
      for (const bin of Object.values(manifest().bin ?? {})) {
        expect(readFileSync(join(installed(name), bin), "utf8")).toMatch(/^#!\/usr\/bin\/env node\n/);
      }
    });
  });

  it("exports the browser-safe entries: @refunds-api/testing/msw and the contract's document and validators", () => {
    const exportsOf = (name: string) =>
      readJson<Manifest>(join(installed(name), "package.json")).exports as Record<string, unknown>;
    expect(exportsOf("@refunds-api/testing")["./msw"]).toEqual({ types: "./dist/msw.d.ts", default: "./dist/msw.js" });
    expect(exportsOf("@refunds-api/contract")).toMatchObject({
      "./document": { types: expect.stringMatching(/\.d\.ts$/), default: expect.stringMatching(/\.js$/) },
      "./validators": { types: expect.stringMatching(/\.d\.ts$/), default: expect.stringMatching(/\.js$/) },
    });
    const testing = readJson<Manifest>(join(installed("@refunds-api/testing"), "package.json"));
    expect(testing.dependencies).toHaveProperty("@refunds-api/core");
    expect(testing.dependencies).toHaveProperty("@refunds-api/contract");
    expect(testing.peerDependencies).toHaveProperty("msw");
    // The entry imports the rules, the contract's precompiled pieces and msw: nothing of the server or Node.
    const entry = readFileSync(join(installed("@refunds-api/testing"), "dist/msw.js"), "utf8");
    expect([...new Set(importedSpecifiers(entry))].sort()).toEqual([
      "@refunds-api/contract/document",
      "@refunds-api/contract/validators",
      "@refunds-api/core",
      "msw",
    ]);
  });

  it("type-checks under --strict: the consumer compiles and each marked mistake fails as marked", () => {
    const misuse = readFileSync(join(consumerDir, "misuse.ts"), "utf8");
    const reported = [...typecheck.stdout.matchAll(/^(\S+)\((\d+),\d+\): error (TS\d+)/gm)].map(
      ([, file, line, code]) => `${file} ${line} ${code}`,
    );
    expect(reported.sort()).toEqual(
      expectedErrors(misuse)
        .map((e) => `misuse.ts ${e}`)
        .sort(),
    );
    expect(existsSync(join(scratch, "out/app.js"))).toBe(true);
  });

  describe("the compiled consumer runs", () => {
    let seen: Record<string, unknown> = {};
    beforeAll(async () => {
      const result = await mustRun(process.execPath, ["out/app.js"], scratch, 180_000);
      seen = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}");
    }, 200_000);

    it.each([
      { check: "node", want: process.version },
      { check: "createdAmount", want: 1200 },
      { check: "listIncludesCreated", want: true },
      { check: "getAfterDelete", want: "EntityNotFoundError" },
      { check: "payerRefundsListed", want: true },
      { check: "helperServerListed", want: true },
      { check: "mockListed", want: true },
      { check: "mockMalformedId", want: "EntityNotFoundError" },
      { check: "binHealth", want: { status: "ok" } },
      { check: "binListed", want: true },
      { check: "binDocs", want: "200 text/html; charset=utf-8" },
      { check: "binServesBundledSpec", want: true },
      { check: "binExit", want: 0 },
      { check: "specJsonShipped", want: true },
    ])("$check", ({ check, want }) => {
      expect(seen[check]).toEqual(want);
    });

    it("getReturnsCreated", () => {
      expect(seen.getReturnsCreated).toBe(seen.createdId);
      expect(seen.createdId).toMatch(/^[0-9a-f-]{36}$/);
    });
  });
  // The team's own vitest on msw.test.ts (consumer/msw.vitest.ts): the MSW handlers under setupServer(), with the
  // packed client: state, rules, the control methods, and the reference server's 422.
  describe("a vitest file of the consumer mocks the API with the MSW handlers", () => {
    let report: VitestReport;
    let output = "";
    beforeAll(async () => {
      ({ report, output } = await consumerVitest("msw.test.ts", "msw-vitest.json"));
    }, 320_000);

    it("passes every test", () => {
      const results = report.testResults.flatMap((file) => file.assertionResults);
      expect(results.map((r) => r.fullName)).toHaveLength(5);
      expect(
        results.filter((r) => r.status !== "passed").map((r) => `${r.fullName}: ${r.failureMessages.join("\n")}`),
        output,
      ).toEqual([]);
    });
  });

  // The team's own vitest on doubles.test.ts (consumer/doubles.vitest.ts): both doubles reset, journal and inject faults; the client retries and
  // fails as it should; a 500 shows its cause in the test output.
  describe("a vitest file of the consumer drives both doubles", () => {
    let report: VitestReport;
    let output = "";
    beforeAll(async () => {
      ({ report, output } = await consumerVitest("doubles.test.ts", "vitest.json"));
    }, 320_000);

    it("passes every test", () => {
      const results = report.testResults.flatMap((file) => file.assertionResults);
      expect(results.length).toBeGreaterThanOrEqual(18);
      expect(
        results.filter((r) => r.status !== "passed").map((r) => `${r.fullName}: ${r.failureMessages.join("\n")}`),
      ).toEqual([]);
    });

    it("shows the cause of a 500 with its request id in the test's output", () => {
      const requestId = /500 request id: ([\w-]+)/.exec(output)?.[1];
      expect(requestId).toBeDefined();
      expect(output).toContain(`request id ${requestId}`);
      expect(output).toMatch(/The 200 response of getPatientRefund breaks the spec/);
    });
  });
});
