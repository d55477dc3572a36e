// Builds the static docs page, docs/index.html, from the bundled spec with Redocly's build-docs.
// Redoc's script is inlined (--inlineBundle) so the page renders and works without network access, and
// telemetry is off, which also keeps the page itself from reporting anywhere.
import { execFileSync } from "node:child_process";
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("../", import.meta.url));
const redocly = createRequire(import.meta.url).resolve("@redocly/cli/bin/cli.js");
const out = fileURLToPath(new URL("../docs/index.html", import.meta.url));
// Written next to the page, then renamed over it, so a server reading the page never sees half of it.
const partial = `${out}.${process.pid}.partial`;

mkdirSync(fileURLToPath(new URL("../docs/", import.meta.url)), { recursive: true });
try {
  execFileSync(process.execPath, [redocly, "build-docs", "bundled/openapi.yaml", "-o", partial, "--inlineBundle"], {
    cwd: pkg,
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      REDOCLY_TELEMETRY: "off",
      REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
      REDOCLY_SUPPRESS_NOTIFICATIONS: "true",
    },
  });
  renameSync(partial, out);
  process.stdout.write(`docs: wrote ${out}\n`);
} catch (error) {
  rmSync(partial, { force: true });
  process.stderr.write(`docs: redocly build-docs failed\n${error.stderr ?? error.message}\n`);
  process.exitCode = 1;
}
