// Debian's Chromium, which `pnpm setup:test-deps` installs; tests drive it with playwright-core.
import { existsSync } from "node:fs";
import { missingDependency } from "./setup.js";

/** Where Debian's `chromium` package puts the browser. */
export const debianChromium = "/usr/bin/chromium";

/**
 * Flags for a quiet, offline-friendly browser in a container running as root. playwright-core adds `--headless`
 * itself (`headless: true`); run by hand, Chromium needs it too.
 */
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The path of Debian's Chromium; throws, naming `pnpm setup:test-deps`, when it is not installed. */
export function chromiumPath(): string {
  if (!existsSync(debianChromium)) throw missingDependency("Chromium", `no ${debianChromium}`);
  return debianChromium;
}
