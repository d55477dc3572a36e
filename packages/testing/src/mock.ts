import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { specYamlPath } from "@refunds-api/spec";
import { createWireFront } from "./wire-front.js";

/** Options of {@link startMock}. */
export interface MockOptions {
  /** Generate responses from the schemas instead of serving the spec's examples. */
  dynamic?: boolean;
  /** Seed of dynamic generation, so a dynamic mock answers the same way on every run. */
  seed?: string | number;
  /** Answer requests that break the spec with an error response instead of only logging the violation. */
  errors?: boolean;
  /** Spec to serve; the bundled spec by default. */
  specPath?: string;
  /** How long to wait for Prism to answer before giving up. */
  startTimeoutMs?: number;
  /**
   * Put the wire front before Prism (default): Prism's own errors come back in the API's error envelope
   * (403 UnauthorizedError, 422 UnprocessableEntityError naming the actual violations, 404 for a malformed id),
   * and a page fetched with a `page_token` is the last. `false` exposes Prism as it is.
   */
  wire?: boolean;
  /** Port of the mock; a free one by default. */
  port?: number;
}

/** A running Prism mock. */
export interface RunningMock {
  /** Base URL of the mock, such as `http://127.0.0.1:41234`, without a trailing slash. */
  url: string;
  /** Stops the mock; safe to call more than once. */
  stop(): Promise<void>;
}

/** Seed used by dynamic mocks when none is given, so their answers are reproducible. */
export const defaultMockSeed = "refunds-api";

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Starts Prism on the bundled spec on a free 127.0.0.1 port and resolves once it answers HTTP.
 * The process is killed by `stop()`, and in any case when the test process exits.
 */
export async function startMock(options: MockOptions = {}): Promise<RunningMock> {
  const { dynamic = false, errors = false, specPath = specYamlPath, startTimeoutMs = 60_000, wire = true } = options;
  const prismPort = wire ? 0 : (options.port ?? 0);
  const args = [prismBin(), "mock", specPath, "--host", "127.0.0.1", "--port", String(prismPort), `--errors=${errors}`];
  if (dynamic) args.push("--dynamic", "--seed", String(options.seed ?? defaultMockSeed));

  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
  });
  track(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let front: Server | undefined;
  const stop = async () => {
    if (front?.listening) await new Promise((resolve) => front?.close(resolve));
    front?.closeAllConnections();
    await kill(child, exited);
  };

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
    if (!wire) return { url, stop };
    front = createWireFront(url);
    const frontUrl = await listen(front, options.port ?? 0);
    return { url: frontUrl, stop };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- prism output ---\n${log}`, { cause: error });
  }
}

async function listen(server: Server, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
