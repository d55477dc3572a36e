// Starting and stopping benchmarked servers: each in a child process running `serve.ts` under tsx.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ServeCommand, ServeMessage, ServeSettings } from "./serve.js";

/** A server the benchmark sends load to. */
export interface Target {
  name: string;
  url: string;
  stop(): Promise<void>;
  /** Profiles the server's CPU while `during` runs and writes the profile to `file` (servers of `startServe` only). */
  profile?<T>(file: string, during: () => Promise<T>): Promise<T>;
}

/** Options of {@link startServe}. */
export interface StartServeOptions {
  /** Seeding progress, rows stored so far. */
  onProgress?: (done: number, total: number) => void;
  /** Largest heap of the server process, in MB (a million refunds in memory need more than the default). */
  maxOldSpaceMb?: number;
  /** Give up when the server is not listening by then. */
  startTimeoutMs?: number;
}

const serveFile = fileURLToPath(new URL("./serve.ts", import.meta.url));
const tsx = import.meta.resolve("tsx");

/** Starts `serve.ts` with `settings` and resolves once it listens. */
export async function startServe(
  name: string,
  settings: ServeSettings,
  options: StartServeOptions = {},
): Promise<Target> {
  const execArgv = ["--import", tsx, "--expose-gc"];
  if (options.maxOldSpaceMb) execArgv.push(`--max-old-space-size=${options.maxOldSpaceMb}`);
  const child = fork(serveFile, [JSON.stringify(settings)], {
    execArgv,
    stdio: ["ignore", "ignore", "pipe", "ipc"],
    env: { ...process.env, LOG_LEVEL: "silent" },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = () => stopChild(child, exited);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} did not start within ${options.startTimeoutMs ?? 600_000} ms`)),
        options.startTimeoutMs ?? 600_000,
      );
      child.on("message", (message: ServeMessage) => {
        if (message.type === "progress") options.onProgress?.(message.done, message.total);
        else if (message.type === "ready") {
          clearTimeout(timer);
          resolve(message.url);
        } else if (message.type === "failed") {
          clearTimeout(timer);
          reject(new Error(`${name} failed to start: ${message.message}`));
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code ?? signal}) before listening\n${stderr}`));
      });
    });
    const profile = async <T>(file: string, during: () => Promise<T>): Promise<T> => {
      const written = new Promise<void>((resolve) => {
        const onMessage = (message: ServeMessage) => {
          if (message.type !== "profiled") return;
          child.off("message", onMessage);
          resolve();
        };
        child.on("message", onMessage);
      });
      child.send({ type: "profile-start" } satisfies ServeCommand);
      try {
        return await during();
      } finally {
        child.send({ type: "profile-stop", file } satisfies ServeCommand);
        await written;
      }
    };
    return { name, url, stop, profile };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    const forced = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(forced);
  }
}

/** Kills every server still running when the benchmark exits early. */
export async function stopAll(targets: readonly (Target | undefined)[]): Promise<void> {
  await Promise.all(targets.map((t) => t?.stop()));
}
