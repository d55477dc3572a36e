// Bundles the hand-written, multi-file spec in openapi/ into the one document every consumer reads.
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { emitGenerated, generatedHeader, reportGenerated } from "./codegen.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const out = fileURLToPath(new URL("../bundled/", import.meta.url));

// Top-level keys in the order `redocly bundle` writes them; keys it does not name follow in the spec's order.
const topLevelOrder = [
  "openapi",
  "info",
  "jsonSchemaDialect",
  "servers",
  "security",
  "tags",
  "externalDocs",
  "paths",
  "webhooks",
  "x-webhooks",
  "components",
];

/**
 * Bundles `entry` (the spec's `openapi/openapi.yaml`) in this process, as `redocly bundle` does: refs to other files
 * inlined, top-level keys in Redocly's order. Returns the bundle as JSON text, the contents of `openapi.{yaml,json}`
 * in `outDir` by path, and every file the bundler read.
 */
export async function bundleSpec({ entry = join(root, "openapi/openapi.yaml"), outDir = out } = {}) {
  // required, not imported: the ESM loader would scan every CommonJS file of the library for its exports first.
  const { bundle, createConfig, stringifyYaml } = createRequire(import.meta.url)("@redocly/openapi-core");
  const result = await bundle({ ref: entry, config: await createConfig({}) });
  const errors = result.problems.filter((p) => p.severity === "error");
  if (errors.length > 0) {
    throw new Error(`${entry} does not bundle:\n${errors.map((p) => `  ${p.message}`).join("\n")}`);
  }
  const parsed = result.bundle.parsed;
  const document = Object.assign(
    Object.fromEntries(topLevelOrder.filter((k) => k in parsed).map((k) => [k, parsed[k]])),
    parsed,
  );
  const json = `${JSON.stringify(document, null, 2)}\n`;
  return {
    json,
    files: {
      [join(outDir, "openapi.yaml")]: generatedHeader("#") + stringifyYaml(document, { noRefs: true, lineWidth: -1 }),
      [join(outDir, "openapi.json")]: json,
    },
    inputs: [...result.fileDependencies],
  };
}

/**
 * Writes `bundled/` (or with `check` compares it). Returns what {@link bundleSpec} does and the paths that were
 * stale (check) or rewritten.
 */
export async function generateSpec({ check = false, ...paths } = {}) {
  const bundled = await bundleSpec(paths);
  return { ...bundled, changed: emitGenerated(bundled.files, { check, cwd: root }) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const check = process.argv.includes("--check");
  reportGenerated((await generateSpec({ check })).changed, { check, name: "spec" });
}
