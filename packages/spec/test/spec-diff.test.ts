// `pnpm spec:diff` (the spec review's text report) and `pnpm spec:review` as a new user runs them: on the
// repository, on mutated copies of the released spec, against a git ref, with waivers, in each format.
import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkSpec, currentSpecPath, releasedSpecPath } from "../scripts/spec-diff.js";
import { loadSpec, type ReviewResult, reviewSpec } from "../scripts/spec-review.js";

// biome-ignore lint/suspicious/noExplicitAny: the mutations reach into the document freely
type Spec = any;

const root = fileURLToPath(new URL("../../../", import.meta.url));
const diffScript = fileURLToPath(new URL("../scripts/spec-diff.js", import.meta.url));
const reviewScript = fileURLToPath(new URL("../scripts/spec-review.js", import.meta.url));
const released = (): Spec => JSON.parse(readFileSync(releasedSpecPath, "utf8"));
const tmp = mkdtempSync(join(tmpdir(), "refunds-spec-diff-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const noWaivers = join(tmp, "no-waivers.yaml");

/** Writes the released spec changed by `mutate` to a temp file and returns its path. */
function mutated(name: string, mutate: (spec: Spec) => void): string {
  const spec = released();
  mutate(spec);
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
}

const removeNote = (s: Spec) => delete s.components.schemas.PatientRefund.properties.refund_note;
const addPaypal = (s: Spec) => s.components.schemas.PatientTransactionSource.enum.push("PAYPAL");

async function run(script: string, args: string[], cwd = root) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, ...args], {
      cwd,
      env: { ...process.env, INIT_CWD: cwd },
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe("pnpm spec:diff", () => {
  it("on the working tree's spec against the released snapshot, fails only on what the pending changesets release as major", async () => {
    const { code, out } = await run(diffScript, []);
    expect(out).toMatch(
      /^\d+ breaking, \d+ non-breaking, \d+ docs-only.* \(openapi\/released\/openapi\.json -> working tree\)$/m,
    );
    const result = await reviewSpec({ lint: false, changesets: true });
    const breaking = result.changes.filter((c) => c.verdict === "breaking" && !c.waived);
    expect(code, out).toBe(breaking.length > 0 ? 1 : 0);
    // A breaking change may wait in the working tree for its major release, never without it.
    if (breaking.length > 0) expect(result.changeset).toMatchObject({ required: "major", declared: "major" });
  });

  it("fails on a removed response field, naming every operation that answers with it", async () => {
    const file = mutated("cli-removed-field", removeNote);
    const { code, out } = await run(diffScript, ["--revision", file, "--waivers", noWaivers]);
    expect(out).toContain("BREAKING      PatientRefund.refund_note removed: it was not deprecated first");
    expect(out).toContain("property-removed (response) at #/components/schemas/PatientRefund/properties/refund_note");
    for (const line of [
      /listPatientRefunds\s+GET\s+\/api\/patient-refunds\/v1 {2}response 200 items\[\]\.refund_note/,
      /createPatientRefund\s+POST\s+\/api\/patient-refunds\/v1 {2}response 200 refund_note/,
      /getPatientRefund\s+GET\s+\/api\/patient-refunds\/v1\/\{patient_refund_id\} {2}response 200 refund_note/,
      /updatePatientRefund\s+PATCH\s+\/api\/patient-refunds\/v1\/\{patient_refund_id\} {2}response 200 refund_note/,
    ]) {
      expect(out).toMatch(line);
    }
    expect(out).toMatch(/^1 breaking, 0 non-breaking, 0 docs-only/m);
    expect(code, out).toBe(1);
  });

  it("rates a new enum value by direction: breaking in responses, not in the request parameter", async () => {
    const { breaking, report } = await checkSpec(releasedSpecPath, mutated("paypal", addPaypal), { waivers: [] });
    expect(breaking).toBe(true);
    expect(report).toMatch(/^BREAKING {6}PatientTransactionSource: enum value "PAYPAL" added\n.*\(response\)/m);
    expect(report).toMatch(
      /^NON-BREAKING {2}PatientTransactionSource: enum value "PAYPAL" added\n.*\(request\).*\n.*listPatientRefunds\s+GET\s+\S+ {2}query parameter sources\[\]$/m,
    );
  });

  it("reports a spec it cannot read instead of passing", async () => {
    const { code, out } = await run(diffScript, ["--revision", join(tmp, "missing.json")]);
    expect(out).toMatch(/spec:diff: .*missing\.json is neither a file, a directory nor a git ref/);
    expect(code).toBe(2);
  });
});

describe("pnpm spec:review", () => {
  it("prints JSON other tools read", async () => {
    const file = mutated("json", (s) => {
      removeNote(s);
      addPaypal(s);
    });
    const { code, out } = await run(reviewScript, ["--revision", file, "--format", "json", "--waivers", noWaivers]);
    expect(code, out).toBe(1);
    const result = JSON.parse(out) as ReviewResult;
    expect(result.breaking).toBe(true);
    expect(result.summary).toEqual({ breaking: 2, "non-breaking": 1, "docs-only": 0, waived: 0 });
    expect(result.changes[0]).toMatchObject({
      verdict: "breaking",
      where: "#/components/schemas/PatientRefund/properties/refund_note",
      operations: ["listPatientRefunds", "createPatientRefund", "getPatientRefund", "updatePatientRefund"],
      direction: "response",
      rule: "property-removed",
      impact: "major",
    });
    expect(result.changes.map((c) => Object.keys(c).slice(0, 7))).toEqual(
      result.changes.map(() => ["verdict", "where", "subject", "operations", "direction", "message", "rule"]),
    );
    expect(result.changeset?.required).toBe("major");
  });

  it("writes Markdown for a pull request to --out: summary, a table per verdict, lint and changeset", async () => {
    const file = mutated("markdown", (s) => {
      removeNote(s);
      addPaypal(s);
      s.components.schemas.PatientRefund.properties.amount_cents.description = "Total, in cents.";
    });
    const out = join(tmp, "review.md");
    const { code } = await run(reviewScript, [
      "--revision",
      file,
      "--format=markdown",
      "--out",
      out,
      "--waivers",
      noWaivers,
    ]);
    expect(code).toBe(1);
    const md = readFileSync(out, "utf8");
    expect(md).toMatch(/^### ❌ Spec review: 2 breaking, 1 non-breaking, 1 docs-only$/m);
    expect(md).toContain("#### Breaking (2)\n\n| Change | Operations | Direction | Rule |");
    expect(md).toContain("#### Non-breaking (1)");
    expect(md).toContain("#### Docs-only (1)");
    expect(md).toContain(
      "`listPatientRefunds` GET `/api/patient-refunds/v1` (response 200 items[].refund_note)<br>`createPatientRefund` POST",
    );
    // The repository's pending changesets, whatever they release, are judged against these changes.
    expect(md).toMatch(/\*\*Changeset:\*\* the changes need major; /);
  });

  it("lints the working tree's spec in Markdown", async () => {
    const result = await reviewSpec({ lint: true, waivers: [] });
    expect(result.lint).toMatchObject({ errors: 0, warnings: 0 });
  });
});

describe("waivers", () => {
  const writeWaiver = (expires: string) => {
    const file = join(tmp, `waivers-${expires}.yaml`);
    writeFileSync(
      file,
      [
        "waivers:",
        '  - where: "#/components/schemas/PatientTransactionSource"',
        "    rule: enum-value-added",
        "    reason: The live service returns PAYPAL since 2026-05-02; clients were told.",
        `    expires: ${expires}`,
      ].join("\n"),
    );
    return file;
  };

  it("a waived change shows as waived and passes", async () => {
    const file = mutated("waived", addPaypal);
    const { code, out } = await run(diffScript, [
      "--revision",
      file,
      "--waivers",
      writeWaiver("2026-09-30"),
      "--now",
      "2026-06-01",
    ]);
    expect(out).toMatch(/^WAIVED {8}PatientTransactionSource: enum value "PAYPAL" added$/m);
    expect(out).toContain("waived until 2026-09-30: The live service returns PAYPAL");
    expect(out).toMatch(/^0 breaking, 1 non-breaking, 0 docs-only, 1 waived/m);
    expect(code, out).toBe(0);
  });

  it("an expired waiver fails with a message", async () => {
    const file = mutated("expired", addPaypal);
    const { code, out } = await run(diffScript, [
      "--revision",
      file,
      "--waivers",
      writeWaiver("2026-05-31"),
      "--now",
      "2026-06-01",
    ]);
    expect(out).toContain(
      "FAIL          The waiver of enum-value-added at #/components/schemas/PatientTransactionSource expired on 2026-05-31",
    );
    expect(out).toMatch(/^1 breaking, 1 non-breaking, 0 docs-only/m);
    expect(code, out).toBe(1);
  });

  it("a waiver that matches nothing is pointed out", async () => {
    // Against itself the released spec has no change for the waiver to match.
    const { code, out } = await run(diffScript, [
      "--revision",
      releasedSpecPath,
      "--waivers",
      writeWaiver("2026-09-30"),
      "--now",
      "2026-06-01",
    ]);
    expect(out).toContain("matches no change: delete it from openapi/waivers.yaml");
    expect(code, out).toBe(0);
  });

  it("a waiver without a reason or a date is refused", async () => {
    const file = join(tmp, "bad-waivers.yaml");
    writeFileSync(file, 'waivers:\n  - where: "#/components/schemas/X"\n    rule: enum-value-added\n');
    const { code, out } = await run(diffScript, ["--waivers", file]);
    expect(out).toMatch(/waiver 1 needs `reason`, `expires`/);
    expect(code).toBe(2);
  });

  it("the repository's waivers file reads", async () => {
    const result = await reviewSpec();
    expect(result.problems).toEqual([]);
  });
});

describe("a git ref as the base", () => {
  it("reads the ref's openapi/ and bundles it as pnpm generate does", async () => {
    const { doc, label } = await loadSpec("HEAD");
    const committed = JSON.parse(
      execFileSync("git", ["show", "HEAD:packages/spec/bundled/openapi.json"], { cwd: root }).toString(),
    );
    expect(label).toBe("HEAD");
    expect(doc).toEqual(committed);
  });

  it("in a copy of the repository: an edit to a shared schema file against main", async () => {
    const repo = join(tmp, "copy");
    mkdirSync(repo);
    cpSync(join(root, "openapi"), join(repo, "openapi"), { recursive: true });
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
    git("init", "-q", "-b", "main");
    git("add", "openapi");
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "spec");
    const file = join(repo, "openapi/components/schemas/PatientRefund.yaml");
    const text = readFileSync(file, "utf8");
    const edited = text.replace(/\n {2}refund_note:\n(?: {4}.*\n)+/, "\n");
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);

    const { code, out } = await run(
      reviewScript,
      ["--base", "main", "--revision", "openapi", "--format", "markdown"],
      repo,
    );
    expect(out).toMatch(/^### ❌ Spec review: 1 breaking, 0 non-breaking, 0 docs-only$/m);
    expect(out).toContain("Compared `main` with `");
    // The examples still have the field: lint says so, once per example.
    expect(out).toMatch(/\*\*Lint:\*\* [1-9]\d* error\(s\), 0 warning\(s\)/);
    expect(out).toMatch(/^- error `no-invalid-media-type-examples` .*refund_note/m);
    for (const op of ["listPatientRefunds", "createPatientRefund", "getPatientRefund", "updatePatientRefund"]) {
      expect(out).toContain(`\`${op}\``);
    }
    expect(code, out).toBe(1);
  });
});

describe("the released snapshot", () => {
  it("has the same document in JSON and YAML", () => {
    const yaml = parse(readFileSync(releasedSpecPath.replace(/\.json$/, ".yaml"), "utf8"));
    expect(yaml).toEqual(released());
  });

  it("is an OpenAPI 3.1 document of the same API as the bundle", () => {
    const current = JSON.parse(readFileSync(currentSpecPath, "utf8"));
    expect(released()).toMatchObject({ openapi: current.openapi, info: { title: current.info.title } });
  });
});
