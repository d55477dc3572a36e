// The real entry (`main.ts`, as `pnpm start` runs it, through tsx instead of the build) as a child process.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../../packages/server/src/main.ts", import.meta.url));

/** The bearer token the entry accepts (AUTH_TOKENS). */
export const entryToken = "entry-token-77a1";

const children: ChildProcess[] = [];

/** Kills every entry still running (SIGKILL); for `afterEach`. */
export function stopEntries(): void {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/**
 * Starts the entry on a free port with `env` and resolves with its URL once it listens. `wrapper` runs it under
 * another program (`["unshare", "--pid", "--fork"]`: the entry as PID 1 of a new PID namespace).
 */
export async function startEntry(env: Record<string, string>, wrapper: readonly string[] = []) {
  const [command = process.execPath, ...args] = [...wrapper, process.execPath, "--import", "tsx", main];
  const child = spawn(command, args, {
    env: { ...process.env, PORT: "0", NODE_ENV: "", AUTH_TOKENS: entryToken, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening after 60 s: ${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk;
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    exited.then(() => reject(new Error(`exited before listening: ${output}`)));
  });
  return { child, url, exited, output: () => output };
}
