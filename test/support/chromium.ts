// Debian's Chromium through playwright-core. `pnpm setup:test-deps` installs it; a test that finds it missing fails
// and names that command (nothing is installed from here).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromiumArgs, chromiumPath } from "@refunds-api/test-support";
import { type BrowserContext, chromium } from "playwright-core";

export { chromiumArgs, chromiumPath };

export interface Chromium {
  /** A browser context on a fresh profile; open pages with `context.newPage()`. */
  context: BrowserContext;
  /** Closes the browser and deletes its profile. */
  close(): Promise<void>;
}

/** Launches headless Debian Chromium through playwright-core, on a fresh user-data-dir. */
export async function launchChromium(): Promise<Chromium> {
  const executablePath = chromiumPath();
  const userDataDir = mkdtempSync(join(tmpdir(), "refunds-chromium-profile-"));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: chromiumArgs,
      viewport: { width: 1440, height: 900 },
      // A busy machine may take a while to start a browser.
      timeout: 120_000,
    });
    return {
      context,
      async close() {
        await context.close();
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
}
