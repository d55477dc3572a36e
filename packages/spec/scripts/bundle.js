// Bundles the hand-written, multi-file spec in openapi/ into the one document every consumer reads.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { emitGenerated, generatedHeader, reportGenerated } from "./codegen.js";

const check = process.argv.includes("--check");
const root = fileURLToPath(new URL("../../../", import.meta.url));
const out = fileURLToPath(new URL("../bundled/", import.meta.url));
const redocly = createRequire(import.meta.url).resolve("@redocly/cli/bin/cli.js");

const tmp = mkdtempSync(join(tmpdir(), "refunds-spec-"));
try {
  const file = join(tmp, "openapi.yaml");
  execFileSync(process.execPath, [redocly, "bundle", "openapi/openapi.yaml", "-o", file], {
    cwd: root,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  });
  const yaml = readFileSync(file, "utf8");
  const changed = emitGenerated(
    {
      [join(out, "openapi.yaml")]: generatedHeader("#") + yaml,
      [join(out, "openapi.json")]: `${JSON.stringify(parse(yaml), null, 2)}\n`,
    },
    { check, cwd: root },
  );
  reportGenerated(changed, { check, name: "spec" });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
