import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type BrowserContext, chromium } from "playwright-core";

/** Where Debian's `chromium` package puts the browser. */
export const chromiumPath = "/usr/bin/chromium";

/** Flags for a quiet, headless, offline-friendly browser in a container running as root. */
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// One lock per machine, so parallel test files (or parallel runs) install the package once.
const lockDir = join(tmpdir(), "refunds-api-chromium-install.lock");
const installTimeoutMs = 15 * 60_000;

/**
 * Makes sure Debian's Chromium is at `/usr/bin/chromium`: when missing, runs `apt-get update` and
 * `apt-get install -y chromium` once, under a machine-wide lock. Throws with apt's output when it cannot.
 */
export async function ensureChromium(): Promise<string> {
  if (existsSync(chromiumPath)) return chromiumPath;
  await withInstallLock(async () => {
    if (existsSync(chromiumPath)) return;
    if (process.getuid?.() !== 0) {
      throw new Error(`${chromiumPath} is missing and installing it needs root: run apt-get install -y chromium`);
    }
    const started = Date.now();
    for (const args of [["update"], ["install", "-y", "chromium"]]) {
      const { code, output } = await aptGet(args);
      if (code !== 0) {
        throw new Error(
          `Cannot install Chromium: \`apt-get ${args.join(" ")}\` exited with ${code}. ` +
            `Install it by hand (apt-get update && apt-get install -y chromium) and run the tests again.\n` +
            output.slice(-4000),
        );
      }
    }
    if (!existsSync(chromiumPath)) throw new Error(`apt-get installed chromium but ${chromiumPath} is still missing`);
    process.stderr.write(`chromium: installed with apt-get in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  });
  return chromiumPath;
}

export interface Chromium {
  /** A browser context on a fresh profile; open pages with `context.newPage()`. */
  context: BrowserContext;
  /** Closes the browser and deletes its profile. */
  close(): Promise<void>;
}

/** Launches headless Debian Chromium (installed when missing) through playwright-core, on a fresh user-data-dir. */
export async function launchChromium(): Promise<Chromium> {
  const executablePath = await ensureChromium();
  const userDataDir = mkdtempSync(join(tmpdir(), "refunds-chromium-profile-"));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: chromiumArgs,
      viewport: { width: 1440, height: 900 },
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

function aptGet(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    // Wait for a dpkg lock another installer holds instead of failing at once.
    const child = spawn("apt-get", ["-o", "DPkg::Lock::Timeout=600", ...args], {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", (error) => resolve({ code: -1, output: String(error) }));
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

// A lock directory holding the owner's pid: mkdir is atomic, and a lock whose owner died is taken over.
async function withInstallLock(fn: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + installTimeoutMs;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, "pid"), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (!lockOwnerAlive()) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for another Chromium install (lock ${lockDir})`);
      await sleep(500);
    }
  }
  try {
    await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function lockOwnerAlive(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lockDir, "pid"), "utf8"));
  } catch {
    // The owner may have made the directory and not yet written its pid; give it a moment.
    try {
      return Date.now() - statSync(lockDir).mtimeMs < 10_000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
