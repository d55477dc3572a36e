#!/usr/bin/env node
// `pnpm --filter @refunds-api/testing bundle:size`: what `@refunds-api/testing/msw` weighs in a browser application.
// The entry is bundled with esbuild for the browser (ESM, minified), once with msw left out (the application has msw
// anyway) and once with it, and the sizes are printed raw (bundled, not minified), minified and minified+gzipped.
// It fails (exit 1) when the bundle's inputs (esbuild's metafile) include what has no place in a browser: pino, pg,
// @electric-sql/pglite, express, express-openapi-validator, the server package, Ajv's compiler (only
// ajv/dist/runtime/* may come in), or any Node built-in.
//
//   node scripts/bundle-size.js [--json] [--entry <specifier>]
//
// --json prints one JSON object instead of the table; --entry bundles another specifier (resolved from this
// package), which is how the test checks that the rules catch a server-side import.
import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, version as esbuildVersion } from "esbuild";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const asJson = args.includes("--json");
const entryAt = args.indexOf("--entry");
const entry = entryAt >= 0 ? args[entryAt + 1] : "@refunds-api/testing/msw";
if (!entry) {
  process.stderr.write("bundle-size: --entry needs a module specifier\n");
  process.exit(2);
}

/** Packages that must not reach a browser bundle, and why. */
const forbiddenPackages = {
  pino: "a Node logger",
  pg: "the PostgreSQL driver",
  "@electric-sql/pglite": "an embedded database",
  express: "the HTTP framework",
  "express-openapi-validator": "the server's validator, which compiles schemas",
  "@refunds-api/server": "the reference server",
};

const builtins = new Set(builtinModules.filter((name) => !name.startsWith("_")));
const isBuiltin = (specifier) => specifier.startsWith("node:") || builtins.has(specifier.split("/")[0]);

// Node built-ins are left out as externals instead of failing the build at the first, so that every one is named
// with the module that imports it.
const builtinsOut = {
  name: "node-builtins-out",
  setup(bundler) {
    bundler.onResolve({ filter: /^[a-z@_:]/ }, ({ path }) => (isBuiltin(path) ? { path, external: true } : undefined));
  },
};

const packageNames = new Map();
/** The name of the package an input file belongs to (its nearest package.json with a name). */
function packageOf(file) {
  let dir = dirname(resolve(packageDir, file));
  const seen = [];
  for (;;) {
    if (packageNames.has(dir)) break;
    seen.push(dir);
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, "utf8"));
      if (name) {
        packageNames.set(dir, name);
        break;
      }
    }
    if (dirname(dir) === dir) {
      packageNames.set(dir, "(none)");
      break;
    }
    dir = dirname(dir);
  }
  const name = packageNames.get(dir);
  for (const d of seen) packageNames.set(d, name);
  return name;
}

/** The file's path inside its package, for the Ajv rule. */
function pathInPackage(file) {
  const absolute = resolve(packageDir, file);
  const marker = absolute.lastIndexOf("/node_modules/");
  if (marker < 0) return relative(packageDir, absolute);
  const rest = absolute.slice(marker + "/node_modules/".length).split("/");
  return rest.slice(rest[0]?.startsWith("@") ? 2 : 1).join("/");
}

/** A short name of an input file: package and path inside it for an installed package, else the repository path. */
function label(file) {
  const absolute = resolve(packageDir, file);
  if (absolute.includes("/node_modules/")) return `${packageOf(file)}/${pathInPackage(file)}`;
  return relative(resolve(packageDir, "../.."), absolute);
}

/**
 * What breaks the rules among a metafile's inputs: `{ rule, file, detail }`, the rule being a forbidden package's
 * name, "ajv compiler" or "node built-in".
 */
function violationsOf(metafile) {
  const found = [];
  for (const [file, input] of Object.entries(metafile.inputs)) {
    if (file === "<stdin>") continue;
    const name = packageOf(file);
    if (forbiddenPackages[name]) found.push({ rule: name, file, detail: forbiddenPackages[name] });
    if (name === "ajv" && !pathInPackage(file).startsWith("dist/runtime/")) {
      found.push({ rule: "ajv compiler", file, detail: "only ajv/dist/runtime/* may be bundled" });
    }
    for (const imported of input.imports) {
      if (imported.external && isBuiltin(imported.path)) {
        found.push({ rule: "node built-in", file, detail: imported.path });
      }
    }
  }
  return found;
}

async function bundle(minify, external) {
  const result = await build({
    stdin: { contents: `export * from ${JSON.stringify(entry)};\n`, resolveDir: packageDir, loader: "js" },
    absWorkingDir: packageDir,
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify,
    metafile: true,
    external,
    plugins: [builtinsOut],
    outfile: "bundle.js",
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  return { bytes: output.contents, metafile: result.metafile };
}

/** Bytes each package adds to an output, largest first. */
function byPackage(metafile) {
  const totals = new Map();
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (file === "<stdin>") continue;
      const name = packageOf(file);
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return Object.fromEntries([...totals].sort((a, b) => b[1] - a[1]));
}

async function measure(name, external) {
  const raw = await bundle(false, external);
  const minified = await bundle(true, external);
  return {
    name,
    external,
    raw: raw.bytes.length,
    minified: minified.bytes.length,
    gzip: gzipSync(minified.bytes, { level: 9 }).length,
    packages: byPackage(minified.metafile),
    inputs: Object.keys(minified.metafile.inputs).filter((file) => file !== "<stdin>"),
    violations: violationsOf(minified.metafile),
  };
}

let variants;
try {
  variants = [await measure("msw external", ["msw", "msw/*"]), await measure("msw included", [])];
} catch (error) {
  const messages = error.errors?.map((e) => `${e.location?.file ?? ""}:${e.location?.line ?? ""} ${e.text}`);
  process.stderr.write(
    `bundle-size: esbuild could not bundle ${entry} for the browser:\n${messages?.join("\n") ?? error}\n`,
  );
  process.exit(1);
}
// The variant with msw included has every input of the other one.
const violations = variants[1].violations;

/** One line per broken rule: how many files, and which built-ins or files. */
function summary(found) {
  const rules = new Map();
  for (const v of found) rules.set(v.rule, [...(rules.get(v.rule) ?? []), v]);
  return [...rules].map(([rule, all]) => {
    if (rule === "node built-in") {
      return `  Node built-ins ${[...new Set(all.map((v) => v.detail.replace(/^node:/, "")))].sort().join(", ")}, imported by ${new Set(all.map((v) => v.file)).size} file(s)`;
    }
    const files = [...new Set(all.map((v) => label(v.file)))];
    return `  ${rule} (${all[0].detail}): ${files.length} file(s), such as ${files.slice(0, 2).join(", ")}`;
  });
}

if (asJson) {
  process.stdout.write(`${JSON.stringify({ entry, esbuild: esbuildVersion, variants, violations }, null, 2)}\n`);
} else {
  const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`.padStart(10);
  const lines = [
    `${entry} for the browser (esbuild ${esbuildVersion}, platform browser, ESM, es2022)`,
    `${"".padEnd(14)}${"raw".padStart(10)}${"minified".padStart(10)}${"min+gzip".padStart(10)}`,
    ...variants.map((v) => `${v.name.padEnd(14)}${kB(v.raw)}${kB(v.minified)}${kB(v.gzip)}`),
    "",
    `Minified bytes by package (${variants[0].name}):`,
    ...Object.entries(variants[0].packages)
      .slice(0, 12)
      .map(([name, bytes]) => `  ${name.padEnd(28)}${kB(bytes)}`),
    ...(Object.keys(variants[0].packages).length > 12
      ? [`  … and ${Object.keys(variants[0].packages).length - 12} more packages`]
      : []),
    "",
    violations.length === 0
      ? `Inputs (${variants[1].inputs.length}): no ${Object.keys(forbiddenPackages).join(", ")}, no Ajv compiler, no Node built-in.`
      : "Refused: the bundle's inputs include what has no place in a browser (--json lists every file):",
    ...summary(violations),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}
process.exitCode = violations.length === 0 ? 0 : 1;
