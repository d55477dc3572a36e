import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { generateAll } from "../../packages/client/scripts/generate.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dirs: string[] = [];

/** A copy of openapi/ and of the generated files, which a case may edit while other tests read the real ones. */
function copyOfTree() {
  const dir = mkdtempSync(join(tmpdir(), "refunds-generate-"));
  dirs.push(dir);
  cpSync(join(root, "openapi"), join(dir, "openapi"), { recursive: true });
  cpSync(join(root, "packages/spec/bundled"), join(dir, "bundled"), { recursive: true });
  cpSync(join(root, "packages/client/src/generated"), join(dir, "generated"), { recursive: true });
  const options = {
    entry: join(dir, "openapi/openapi.yaml"),
    specOut: join(dir, "bundled"),
    clientOut: join(dir, "generated"),
  };
  const edit = (file: string, change: (text: string) => string) =>
    writeFileSync(join(dir, file), change(readFileSync(join(dir, file), "utf8")));
  // What the drift check reports, as paths inside the copy.
  const stale = async () => {
    const changed = await generateAll({ ...options, check: true });
    return [...changed.spec, ...changed.client].map((p: string) => relative(dir, join(root, p))).sort();
  };
  return { dir, options, edit, stale };
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const schemaDescription = (text: string) =>
  text.replace("description: How part of a refund", "description: How a part of a refund");

describe("pnpm generate and its drift check", () => {
  it("`pnpm generate:check` passes on the committed files", async () => {
    const script = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts["generate:check"];
    const env = { ...process.env, PATH: `${join(root, "node_modules/.bin")}${delimiter}${process.env.PATH}` };
    await expect(promisify(execFile)("sh", ["-c", script], { cwd: root, env })).resolves.toBeDefined();
  });

  it("finds a copy of the committed files up to date", async () => {
    expect(await copyOfTree().stale()).toEqual([]);
  });

  it.each([
    { given: "bundled/openapi.yaml", edit: (t: string) => t.replace("title: Refunds API", "title: Refund API") },
    { given: "bundled/openapi.json", edit: (t: string) => `${t}\n` },
    { given: "generated/schema.ts", edit: (t: string) => t.replace("amount_cents: number;", "amount_cents: string;") },
    { given: "generated/models.ts", edit: (t: string) => t.replace("// Generated", "// generated") },
  ])("reports a hand edit of $given", async ({ given, edit }) => {
    const tree = copyOfTree();
    const before = readFileSync(join(tree.dir, given), "utf8");
    tree.edit(given, edit);
    expect(readFileSync(join(tree.dir, given), "utf8")).not.toBe(before);
    expect(await tree.stale()).toEqual([given]);
  });

  it("reports every file a spec change reaches", async () => {
    const tree = copyOfTree();
    tree.edit("openapi/components/schemas/Allocation.yaml", schemaDescription);
    expect(await tree.stale()).toEqual([
      "bundled/openapi.json",
      "bundled/openapi.yaml",
      "generated/models.ts",
      "generated/schema.ts",
    ]);
  });

  it("reports a generated file that is missing", async () => {
    const tree = copyOfTree();
    rmSync(join(tree.dir, "generated/models.ts"));
    expect(await tree.stale()).toEqual(["generated/models.ts"]);
  });

  it("rewrites what is stale, after which the check passes", async () => {
    const tree = copyOfTree();
    tree.edit("openapi/components/schemas/Allocation.yaml", schemaDescription);
    tree.edit("generated/schema.ts", (t) => `${t}// edited\n`);
    const written = await generateAll({ ...tree.options });
    expect([...written.spec, ...written.client]).toHaveLength(4);
    expect(await tree.stale()).toEqual([]);
    expect(readFileSync(join(tree.dir, "bundled/openapi.yaml"), "utf8")).toContain("How a part of a refund");
  });
});
