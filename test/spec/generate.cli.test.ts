// `pnpm generate:check` as a command (a child process; generate.test.ts covers the generator in this process).
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

describe("pnpm generate and its drift check", () => {
  it("`pnpm generate:check` passes on the committed files", async () => {
    const script = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts["generate:check"];
    const env = { ...process.env, PATH: `${join(root, "node_modules/.bin")}${delimiter}${process.env.PATH}` };
    await expect(promisify(execFile)("sh", ["-c", script], { cwd: root, env })).resolves.toBeDefined();
  });
});
