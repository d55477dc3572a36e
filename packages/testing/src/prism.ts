// One Prism process (`prism mock` or `prism proxy`) on a loopback port: started, awaited until it answers HTTP,
// stopped reliably, and killed when the test process exits without stopping it.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** A running Prism process. */
export interface PrismProcess {
  /** Base URL Prism listens on, such as `http://127.0.0.1:41234`. */
  url: string;
  /** Sends SIGTERM, then SIGKILL after 3 s; safe to call more than once. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Runs `prism <args>` and resolves once it answers HTTP. On failure (an early exit, or no answer within
 * `startTimeoutMs`) Prism is killed and the error carries the tail of its output.
 */
export async function spawnPrism(args: string[], startTimeoutMs: number): Promise<PrismProcess> {
  const child = spawn(process.execPath, [prismBin(), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
  });
  track(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = () => kill(child, exited);

  // Prism logs every request; keep reading so its pipe never fills, and keep a tail to explain a failed start.
  let log = "";
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log = (log + chunk.toString("utf8")).slice(-8_000);
      const match = /Prism is listening on (http:\/\/[\w.:-]+)/.exec(log);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", reject);
    child.once("exit", (code, signal) => reject(new Error(`Prism exited (${code ?? signal}) before listening`)));
  });

  try {
    const url = await withTimeout(
      listening.then((address) => waitUntilAnswering(address)),
      startTimeoutMs,
      "Prism did not start",
    );
    return { url, stop };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- prism output ---\n${log}`, { cause: error });
  }
}

function prismBin(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve("@stoplight/prism-cli/package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { bin: { prism: string } };
  return join(dirname(manifestPath), manifest.bin.prism);
}

// Prism prints its address before the socket is guaranteed to accept; any HTTP answer, 404 included, means ready.
async function waitUntilAnswering(url: string): Promise<string> {
  for (;;) {
    try {
      const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      return url;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function kill(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    const forced = setTimeout(() => child.kill("SIGKILL"), 3_000);
    await exited;
    clearTimeout(forced);
  }
  running.delete(child);
}

// A test that throws before its `stop()` must not leave Prism behind: kill what is left when the worker exits.
function track(child: ChildProcess): void {
  running.add(child);
  child.once("exit", () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const leftover of running) leftover.kill("SIGKILL");
  });
}
