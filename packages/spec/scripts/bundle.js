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
 * Bundles `openapi/openapi.yaml` in this process, as `redocly bundle` does (refs to other files inlined, top-level
 * keys in Redocly's order). Returns the document and the contents of `bundled/openapi.{yaml,json}` by path.
 */
export async function bundleSpec() {
  // required, not imported: the ESM loader would scan every CommonJS file of the library for its exports first.
  const { bundle, createConfig, stringifyYaml } = createRequire(import.meta.url)("@redocly/openapi-core");
  const result = await bundle({ ref: join(root, "openapi/openapi.yaml"), config: await createConfig({}) });
  const errors = result.problems.filter((p) => p.severity === "error");
  if (errors.length > 0) {
    throw new Error(`openapi/ does not bundle:\n${errors.map((p) => `  ${p.message}`).join("\n")}`);
  }
  const parsed = result.bundle.parsed;
  const document = Object.assign(
    Object.fromEntries(topLevelOrder.filter((k) => k in parsed).map((k) => [k, parsed[k]])),
    parsed,
  );
  const json = `${JSON.stringify(document, null, 2)}\n`;
  return {
    document,
    json,
    files: {
      [join(out, "openapi.yaml")]: generatedHeader("#") + stringifyYaml(document, { noRefs: true, lineWidth: -1 }),
      [join(out, "openapi.json")]: json,
    },
  };
}

/** Writes `bundled/` (or with `check` compares it); returns the bundle and the paths that were stale or rewritten. */
export async function generateSpec({ check = false } = {}) {
  const bundled = await bundleSpec();
  const changed = emitGenerated(bundled.files, { check, cwd: root });
  reportGenerated(changed, { check, name: "spec" });
  return { ...bundled, changed };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await generateSpec({ check: process.argv.includes("--check") });
}
