// Lints the spec two ways. `lintSpec` runs Redocly's lint in this process (@redocly/openapi-core, the rules of
// redocly.yaml), for the spec review and `pnpm dev`. Run as a script (`pnpm lint`), it runs the Redocly CLI, the
// reference the tests hold the spec to, with its notices off and without the Node 20 deprecation banner the CLI
// prints on every run.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const require = createRequire(import.meta.url);

/** The environment that keeps the Redocly CLI from printing update notices or sending telemetry. */
export const quietRedoclyEnv = {
  NO_UPDATE_NOTIFIER: "1",
  REDOCLY_TELEMETRY: "off",
  REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
  REDOCLY_SUPPRESS_NOTIFICATIONS: "true",
};

let configPromise;

// redocly.yaml's lint rules; the `diff-*` presets are the CLI's diff rules, which the library does not know.
function lintConfig() {
  configPromise ??= (async () => {
    const { createConfig } = require("@redocly/openapi-core");
    const configPath = join(root, "redocly.yaml");
    const raw = parse(readFileSync(configPath, "utf8"));
    const { apis, ...rest } = raw;
    rest.extends = (rest.extends ?? []).filter((preset) => !String(preset).startsWith("diff-"));
    return createConfig(rest, { configPath });
  })();
  return configPromise;
}

/**
 * Lints `entry` (openapi/openapi.yaml by default) in this process. Returns the counts and each problem as
 * `{ ruleId, severity, message, location }`, the location a file and pointer relative to the repository.
 */
export async function lintSpec({ entry = join(root, "openapi/openapi.yaml") } = {}) {
  const { lint } = require("@redocly/openapi-core");
  const found = await lint({ ref: entry, config: await lintConfig() });
  // One problem in a shared file is reported once per place that reaches it; it is listed once.
  const seen = new Set();
  const problems = found
    .filter((p) => p.severity === "error" || p.severity === "warn")
    .map((p) => {
      const at = p.location?.[0];
      const file = at?.source?.absoluteRef ? relative(root, at.source.absoluteRef) : "";
      return { ruleId: p.ruleId, severity: p.severity, message: p.message, location: `${file}${at?.pointer ?? ""}` };
    })
    .filter((p) => {
      const key = JSON.stringify(p);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  return {
    errors: problems.filter((p) => p.severity === "error").length,
    warnings: problems.filter((p) => p.severity === "warn").length,
    problems,
  };
}

/** Drops the CLI's boxed banners (the Node 20 deprecation warning) from its stderr, keeping everything else. */
export function dropBanners(text) {
  const out = [];
  let inBox = false;
  let afterBox = false;
  for (const line of text.split("\n")) {
    if (/^\s*╔/.test(line)) inBox = true;
    if (inBox) {
      if (/^\s*╚/.test(line)) {
        inBox = false;
        afterBox = true;
      }
      continue;
    }
    if (afterBox && line.trim() === "") {
      afterBox = false;
      continue;
    }
    afterBox = false;
    out.push(line);
  }
  return out.join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const cli = require.resolve("@redocly/cli/bin/cli.js");
  const args = process.argv.slice(2);
  const child = spawn(process.execPath, [cli, "lint", ...(args.length ? args : ["openapi/openapi.yaml"])], {
    cwd: root,
    env: { ...process.env, ...quietRedoclyEnv },
    stdio: ["ignore", "inherit", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  child.on("close", (code) => {
    process.stderr.write(dropBanners(stderr));
    process.exitCode = code ?? 1;
  });
}
