// A working copy of the repository in a temp dir, for trying the tools as a new user would without touching this
// tree: the spec, the packages' sources and scripts (their node_modules links kept), the root files, and the root
// node_modules linked, not copied. `git: true` also commits the copy on a branch `main`.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const skip = new Set([".git", "node_modules", "test-artifacts", ".data"]);

/** Copies the repository to a new temp dir and returns its path. */
export function copyRepository({ git = false, prefix = "refunds-api-copy-" } = {}) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const name of readdirSync(root)) {
    if (skip.has(name)) continue;
    cpSync(join(root, name), join(dir, name), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => !/[/\\](\.data|results|\.cache)$/.test(source),
    });
  }
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  if (git) {
    const run = (...args) => execFileSync("git", args, { cwd: dir, stdio: "pipe" });
    run("init", "-q", "-b", "main");
    run("add", "openapi", "package.json");
    run("-c", "user.name=copy", "-c", "user.email=copy@example.com", "commit", "-q", "-m", "copy");
  }
  return dir;
}
