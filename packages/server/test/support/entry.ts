// The entry `pnpm start` runs (`main.ts`, through tsx instead of the build) as a child process, for the tests of what
// it prints and how it stops. `stopEntries` (for `afterEach`) kills every entry a test left running.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const children: ChildProcess[] = [];

/** Kills (SIGKILL) every entry started by `runEntry` that is still running; for `afterEach`. */
export function stopEntries(): void {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** An entry `runEntry` started. */
export interface RunningEntry {
  child: ChildProcess;
  /** The URL of the "listening on" line, "" when it was not printed before `until`. */
  url: string;
  /** The JSON lines printed so far (LOG_FORMAT=json, or output to something not a terminal, as here). */
  readonly lines: { msg: string; [key: string]: unknown }[];
  /** Everything printed so far, stdout and stderr. */
  output: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/**
 * Runs the entry with `env` (on a free port, in memory, unless `env` says otherwise) and `args`, and resolves once
 * `until` shows in its output; rejects when it exits before, or after 90 s.
 */
export async function runEntry(env: Record<string, string>, until: RegExp, args: string[] = []): Promise<RunningEntry> {
  const child = spawn(process.execPath, ["--import", "tsx", main, ...args], {
    // In memory: the default store would write to the repository's .data folder (test/store/restart.test.ts
    // runs the entry on the embedded store).
    env: { ...process.env, PORT: "0", NODE_ENV: "", STORE: "memory", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let text = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    // Generous: tsx compiles the entry first, which takes a while on a busy machine.
    const timer = setTimeout(() => reject(new Error(`no ${until} in: ${text}`)), 90_000);
    const check = (chunk: Buffer) => {
      text += chunk;
      if (until.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.stderr?.on("data", check);
    // "close" comes after the last output: an entry that printed what was awaited and exited still resolves.
    child.on("close", () => {
      clearTimeout(timer);
      reject(new Error(`exited early: ${text}`));
    });
  });
  const url = /listening on (http:\/\/[\d.:]+)/.exec(text)?.[1] ?? "";
  return {
    child,
    url,
    get lines() {
      return text
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l));
    },
    output: () => text,
    exited,
  };
}
