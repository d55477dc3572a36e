import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateAll } from "../../packages/contract/scripts/generate.js";
import { remember, upToDate } from "../../packages/contract/scripts/last-run.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dirs: string[] = [];

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "refunds-generate-"));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A copy of openapi/ and of the generated files, which a case may edit while other tests read the real ones, with
 * its own record of the last run.
 */
function copyOfTree() {
  const dir = tempDir();
  cpSync(join(root, "openapi"), join(dir, "openapi"), { recursive: true });
  cpSync(join(root, "packages/spec/bundled"), join(dir, "bundled"), { recursive: true });
  cpSync(join(root, "packages/contract/src/generated"), join(dir, "generated"), { recursive: true });
  const options = {
    entry: join(dir, "openapi/openapi.yaml"),
    specOut: join(dir, "bundled"),
    typesOut: join(dir, "generated"),
    record: join(dir, "last-run.json"),
  };
  const read = (file: string) => readFileSync(join(dir, file), "utf8");
  const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
  // A run, trusting files changed before it starts (the default allows for coarse file clocks, which tmp has not).
  const run = async (check: boolean, record: string | null = options.record) => {
    // A file written in the same millisecond as the run starts counts as changed during it (its change time has
    // sub-millisecond digits, Date.now() has none): let the clock move on to the next millisecond first.
    const written = Date.now();
    while (Date.now() <= written) await new Promise((resolve) => setImmediate(resolve));
    const changed = await generateAll({ ...options, check, record, trustedBefore: Date.now() });
    const paths = [...changed.spec, ...changed.types].map((p: string) => relative(dir, join(root, p))).sort();
    return { paths, fromRecord: changed.fromRecord };
  };
  return { dir, read, write, run };
}

const editSchema = (text: string) =>
  text.replace("description: How part of a refund", "description: How a part of a refund");

describe("pnpm generate and its drift check", () => {
  it("finds a copy of the committed files up to date without a record", async () => {
    expect(await copyOfTree().run(true, null)).toEqual({ paths: [], fromRecord: false });
  });

  describe("after a recorded run", () => {
    const tree = copyOfTree();
    beforeAll(async () => {
      expect(await tree.run(true)).toEqual({ paths: [], fromRecord: false });
    });
    // A case that changed an input leaves a record of the changed tree: a run of the restored one records it again.
    beforeEach(async () => {
      expect((await tree.run(true)).paths).toEqual([]);
    });

    it("answers from the record while nothing changed", async () => {
      expect(await tree.run(true)).toEqual({ paths: [], fromRecord: true });
      expect(await tree.run(false)).toEqual({ paths: [], fromRecord: true });
    });

    const cases = [
      {
        what: "a hand edit",
        given: "bundled/openapi.yaml",
        edit: (t: string) => t.replace("Refunds API", "Refund API"),
      },
      { what: "a hand edit", given: "bundled/openapi.json", edit: (t: string) => `${t}\n` },
      { what: "a hand edit", given: "generated/schema.ts", edit: (t: string) => t.replace("number;", "string;") },
      { what: "a hand edit", given: "generated/models.ts", edit: (t: string) => t.replace("// Gen", "// gen") },
      { what: "emptying", given: "generated/models.ts", edit: () => "" },
      {
        what: "a spec change",
        given: "openapi/components/schemas/Allocation.yaml",
        edit: editSchema,
        want: ["bundled/openapi.json", "bundled/openapi.yaml", "generated/models.ts", "generated/schema.ts"],
      },
    ];
    let restore = () => {};
    afterEach(() => restore());

    it.each(cases)("reports $what of $given", async ({ given, edit, want = [given] }) => {
      const before = tree.read(given);
      restore = () => tree.write(given, before);
      tree.write(given, edit(before));
      expect(tree.read(given)).not.toBe(before);
      expect(await tree.run(true)).toEqual({ paths: want, fromRecord: false });
    });

    it("reports a generated file that is missing", async () => {
      const before = tree.read("generated/models.ts");
      restore = () => tree.write("generated/models.ts", before);
      rmSync(join(tree.dir, "generated/models.ts"));
      expect(await tree.run(true)).toEqual({ paths: ["generated/models.ts"], fromRecord: false });
    });
  });

  it("rewrites what is stale, after which the check passes", async () => {
    const tree = copyOfTree();
    tree.write(
      "openapi/components/schemas/Allocation.yaml",
      editSchema(tree.read("openapi/components/schemas/Allocation.yaml")),
    );
    tree.write("generated/schema.ts", `${tree.read("generated/schema.ts")}// edited\n`);
    expect((await tree.run(false)).paths).toHaveLength(4);
    expect(await tree.run(true)).toEqual({ paths: [], fromRecord: true });
    expect(tree.read("bundled/openapi.yaml")).toContain("How a part of a refund");
  });
});

describe("the record of the last run", () => {
  const context = { entry: "openapi.yaml" };
  const setUp = () => {
    const dir = tempDir();
    const input = join(dir, "input.yaml");
    const output = join(dir, "output.ts");
    const record = join(dir, "record.json");
    writeFileSync(input, "a: 1\n");
    writeFileSync(output, "export {};\n");
    const recorded = remember(record, {
      context,
      inputs: [input],
      outputs: { [output]: "export {};\n" },
      trustedBefore: Date.now() + 1000,
    });
    return { dir, input, output, record, recorded };
  };

  it.each([
    { given: "nothing changed", change: () => {}, want: true },
    {
      given: "an input changed",
      change: (t: ReturnType<typeof setUp>) => writeFileSync(t.input, "a: 2\n"),
      want: false,
    },
    { given: "an input is gone", change: (t: ReturnType<typeof setUp>) => rmSync(t.input), want: false },
    {
      given: "an output changed",
      change: (t: ReturnType<typeof setUp>) => writeFileSync(t.output, "x\n"),
      want: false,
    },
    { given: "an output is gone", change: (t: ReturnType<typeof setUp>) => rmSync(t.output), want: false },
    { given: "the record is torn", change: (t: ReturnType<typeof setUp>) => writeFileSync(t.record, "{"), want: false },
  ])("is up to date when $given: $want", ({ change, want }) => {
    const t = setUp();
    expect(t.recorded).toBe(true);
    change(t);
    expect(upToDate(t.record, context)).toBe(want);
  });

  it("belongs to the settings of its run", () => {
    const t = setUp();
    expect(upToDate(t.record, { entry: "other.yaml" })).toBe(false);
  });

  it("is not written where it cannot be, which only costs the next run its time", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "file"), "");
    const input = join(dir, "input.yaml");
    writeFileSync(input, "a: 1\n");
    const record = join(dir, "file", "record.json");
    const outputs = { [join(dir, "output.ts")]: "" };
    expect(remember(record, { context, inputs: [input], outputs, trustedBefore: Date.now() + 1000 })).toBe(false);
    expect(upToDate(record, context)).toBe(false);
  });

  it("is not written when an input changed after the time it trusts", () => {
    const dir = tempDir();
    const input = join(dir, "input.yaml");
    writeFileSync(input, "a: 1\n");
    const record = join(dir, "record.json");
    const outputs = { [join(dir, "output.ts")]: "" };
    expect(remember(record, { context, inputs: [input], outputs, trustedBefore: Date.now() - 60_000 })).toBe(false);
    expect(upToDate(record, context)).toBe(false);
  });
});
