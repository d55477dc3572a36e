// The one place that says how to get what the tests need from outside npm.

/** The command that installs PostgreSQL and Chromium from Debian when they are missing (see the root README). */
export const setupCommand = "npx -y pnpm@10.34.9 setup:test-deps";

/** An error for a missing system dependency, naming the command that installs it. */
export function missingDependency(what: string, detail: string): Error {
  return new Error(
    `${what} is not installed (${detail}). Tests never install anything themselves: run \`pnpm setup:test-deps\` ` +
      `(\`${setupCommand}\`, as root) once, then run the tests again.`,
  );
}
