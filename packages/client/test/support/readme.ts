import { readFileSync } from "node:fs";

/** The TypeScript block under the README's `## Example` heading, verbatim. */
export function readmeExample(): string {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const match = /^## Example\n[\s\S]*?^```ts\n([\s\S]*?)^```$/m.exec(readme);
  if (!match?.[1]) throw new Error("README.md has no ```ts block under ## Example");
  return match[1];
}
