// The API changelog (packages/spec/scripts/changelog.js): versions from the released snapshots in git, changes from
// comparing them, notes from the changesets; the committed API-CHANGELOG.md is checked for drift.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildChangelog,
  changelogEntries,
  changelogHtml,
  changelogMarkdown,
  changelogPath,
  historyComplete,
  releasedSnapshots,
  releaseNotes,
} from "../../packages/spec/scripts/changelog.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const released = JSON.parse(readFileSync(join(root, "openapi/released/openapi.json"), "utf8"));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// The released spec with one breaking change (an operation removed), one addition and one description edit.
function nextVersion() {
  const spec = structuredClone(released);
  delete spec.paths["/api/non-insurance-payer-refunds/v1/{non_insurance_payer_refund_id}"].delete;
  spec.components.schemas.PatientRefund.properties.refund_memo = { type: "string", description: "A memo." };
  spec.paths["/api/patient-refunds/v1"].get.description = "Lists patient refunds.";
  return spec;
}

describe("API-CHANGELOG.md", () => {
  it.skipIf(!historyComplete())("is what `pnpm run docs` writes from the released snapshots (no drift)", async () => {
    const want = changelogMarkdown(await buildChangelog());
    expect(readFileSync(changelogPath, "utf8"), "API-CHANGELOG.md is stale: run `pnpm run docs`").toBe(want);
    expect(want).toContain(`## ${released.info.version} (`);
  });
});

describe("the changelog's entries", () => {
  it("list the first release's operations, then each later version's changes with the operations they touch", async () => {
    const notes = new Map([
      ["2.0.0", [{ text: "Payer refunds can no longer be deleted.", packages: ["@refunds-api/contract"] }]],
    ]);
    const entries = await changelogEntries({
      releases: [
        { version: "1.0.0", date: "2026-01-01", spec: released },
        { version: "2.0.0", date: "2026-02-01", spec: nextVersion() },
      ],
      notes,
      unreleased: {
        spec: released,
        changesets: [{ summary: "Payer refunds can be deleted again.", releases: [{ name: "@refunds-api/server" }] }],
      },
    });
    expect(entries.map((e) => [e.version, e.released])).toEqual([
      ["Unreleased", false],
      ["2.0.0", true],
      ["1.0.0", true],
    ]);
    const [unreleased, second, first] = entries;
    expect(first?.operations).toHaveLength(11);
    expect(first?.operations?.[0]).toMatchObject({
      operationId: "getToken",
      method: "POST",
      path: "/api/auth/v2/token",
    });

    const removed = second?.changes?.find((c) =>
      c.operations.some((o) => o.operationId === "deleteNonInsurancePayerRefund"),
    );
    expect(removed).toMatchObject({ breaking: true, impact: "major" });
    const added = second?.changes?.find((c) => c.text.includes("refund_memo"));
    expect(added?.breaking).toBe(false);
    expect(added?.operations.map((o) => o.operationId)).toContain("getPatientRefund");
    expect(second?.changes?.find((c) => c.text.includes("description"))?.impact).toBe("patch");
    expect(second?.notes).toEqual(notes.get("2.0.0"));
    expect(unreleased?.notes).toEqual([
      { text: "Payer refunds can be deleted again.", packages: ["@refunds-api/server"] },
    ]);
    expect(
      unreleased?.changes?.some((c) => !c.breaking && c.operations[0]?.operationId === "deleteNonInsurancePayerRefund"),
    ).toBe(true);

    const markdown = changelogMarkdown(entries);
    expect(markdown).toMatch(/^## 2\.0\.0 \(2026-02-01\)$/m);
    expect(markdown).toMatch(/^### Breaking changes\n\n- \*\*Breaking:\*\* .*deleteNonInsurancePayerRefund/m);
    expect(markdown).toContain("- Payer refunds can no longer be deleted. (`@refunds-api/contract`)");
    const html = changelogHtml(entries, { title: "Refunds API" });
    expect(html).toContain('<li class="breaking"><strong>Breaking:</strong> ');
    expect(html).toContain('<section id="v2.0.0">');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it("leave out an empty unreleased part", async () => {
    const entries = await changelogEntries({
      releases: [{ version: "1.0.0", spec: released }],
      unreleased: { spec: released, changesets: [] },
    });
    expect(entries.map((e) => e.version)).toEqual(["1.0.0"]);
  });
});

describe("versions and notes from a repository", () => {
  it("reads each release commit's snapshot and package version, then the working tree's, and the changesets' notes", () => {
    const dir = mkdtempSync(join(tmpdir(), "refunds-changelog-repo-"));
    dirs.push(dir);
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        cwd: dir,
        encoding: "utf8",
      });
    const write = (file: string, text: string) => {
      mkdirSync(join(dir, file, ".."), { recursive: true });
      writeFileSync(join(dir, file), text);
    };
    const release = (version: string, spec: unknown, date: string) => {
      write("openapi/released/openapi.json", JSON.stringify(spec));
      write("packages/spec/package.json", JSON.stringify({ name: "@refunds-api/spec", version }));
      git("add", ".");
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", version], {
        cwd: dir,
        env: { ...process.env, GIT_COMMITTER_DATE: `${date}T12:00:00Z`, GIT_AUTHOR_DATE: `${date}T12:00:00Z` },
      });
    };
    git("init", "-q");
    release("1.0.0", released, "2026-01-01");
    release("1.1.0", nextVersion(), "2026-02-01");
    // A release being made: the snapshot and the version changed, not yet committed.
    const third = nextVersion();
    third.info.description = "Third.";
    write("openapi/released/openapi.json", JSON.stringify(third));
    write("packages/spec/package.json", JSON.stringify({ name: "@refunds-api/spec", version: "2.0.0" }));
    write(
      "packages/contract/CHANGELOG.md",
      "# @refunds-api/contract\n\n## 1.1.0\n\n### Minor Changes\n\n- 1a2b3c4: Refunds carry a memo.\n\n### Patch Changes\n\n- Updated dependencies [1a2b3c4]\n  - @refunds-api/spec@1.1.0\n",
    );
    write("packages/contract/package.json", JSON.stringify({ name: "@refunds-api/contract", version: "1.1.0" }));

    const snapshots = releasedSnapshots({ cwd: dir });
    expect(snapshots.map((s) => [s.version, s.date])).toEqual([
      ["1.0.0", "2026-01-01"],
      ["1.1.0", "2026-02-01"],
      ["2.0.0", undefined],
    ]);
    expect(historyComplete({ cwd: dir })).toBe(true);
    expect(releaseNotes({ cwd: dir }).get("1.1.0")).toEqual([
      { text: "Refunds carry a memo.", packages: ["@refunds-api/contract"] },
    ]);
    // Without git, the working tree's snapshot is all there is.
    rmSync(join(dir, ".git"), { recursive: true, force: true });
    expect(releasedSnapshots({ cwd: dir }).map((s) => s.version)).toEqual(["2.0.0"]);
    expect(historyComplete({ cwd: dir })).toBe(false);
  });
});
