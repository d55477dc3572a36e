import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Bump, checkRelease, type PendingChangeset, releaseDecision } from "../scripts/release-check.js";
import { releasedSpecPath } from "../scripts/spec-diff.js";

const client = "@refunds-api/contract";
const server = "@refunds-api/server";
const changeset = (...releases: [string, Bump][]): PendingChangeset => ({
  releases: releases.map(([name, type]) => ({ name, type })),
});

describe("releaseDecision", () => {
  type Impact = "major" | "minor" | "patch";
  const cases: {
    given: string;
    impacts: Impact[];
    changesets: PendingChangeset[];
    want: { required: Bump; declared: Bump; problem?: RegExp };
  }[] = [
    {
      given: "no spec change, no changeset",
      impacts: [],
      changesets: [],
      want: { required: "none", declared: "none" },
    },
    {
      given: "no spec change, a client fix",
      impacts: [],
      changesets: [changeset([client, "patch"])],
      want: { required: "none", declared: "patch" },
    },
    {
      given: "a description change and no changeset",
      impacts: ["patch"],
      changesets: [],
      want: { required: "patch", declared: "none", problem: /no changeset releases @refunds-api\/contract/ },
    },
    {
      given: "an added field and a minor client changeset",
      impacts: ["minor", "patch"],
      changesets: [changeset([client, "minor"])],
      want: { required: "minor", declared: "minor" },
    },
    {
      given: "an added field and a patch client changeset",
      impacts: ["minor"],
      changesets: [changeset([client, "patch"])],
      want: { required: "minor", declared: "patch", problem: /largest change is minor.*as patch: make it minor/ },
    },
    {
      given: "a breaking change and a minor client changeset",
      impacts: ["patch", "major", "minor"],
      changesets: [changeset([client, "minor"], [server, "major"])],
      want: { required: "major", declared: "minor", problem: /major \(breaking\).*make it major/ },
    },
    {
      given: "a breaking change and a major client changeset",
      impacts: ["major"],
      changesets: [changeset([client, "major"])],
      want: { required: "major", declared: "major" },
    },
    {
      given: "a breaking change released only as a major of the server",
      impacts: ["major"],
      changesets: [changeset([server, "major"])],
      want: { required: "major", declared: "none", problem: /no changeset releases @refunds-api\/contract/ },
    },
    {
      given: "a breaking change, the client's largest bump across changesets is major",
      impacts: ["major"],
      changesets: [changeset([client, "patch"]), changeset([server, "minor"], [client, "major"])],
      want: { required: "major", declared: "major" },
    },
    {
      given: "an added field and a client changeset of type none",
      impacts: ["minor"],
      changesets: [changeset([client, "none"])],
      want: { required: "minor", declared: "none", problem: /no changeset releases/ },
    },
  ];

  it.each(cases)("$given", ({ impacts, changesets, want }) => {
    const decision = releaseDecision({ impacts, changesets });
    expect({ required: decision.required, declared: decision.declared }).toEqual({
      required: want.required,
      declared: want.declared,
    });
    if (want.problem) {
      expect(decision.problems).toHaveLength(1);
      expect(decision.problems[0]).toMatch(want.problem);
    } else {
      expect(decision.problems).toEqual([]);
    }
  });
});

describe("checkRelease", () => {
  const tmp = mkdtempSync(join(tmpdir(), "refunds-release-check-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("the repository: the pending changesets cover the spec's changes since the last release", async () => {
    const { required, declared, problems } = await checkRelease();
    expect(problems, `spec change: ${required}, client changesets: ${declared}`).toEqual([]);
  });

  it.each([
    { bump: "minor", problem: /make it major/ },
    { bump: "major", problem: undefined },
  ])("a removed response field with a $bump client changeset", async ({ bump, problem }) => {
    const dir = join(tmp, bump);
    mkdirSync(join(dir, ".changeset"), { recursive: true });
    writeFileSync(join(dir, ".changeset", "change.md"), `---\n"${client}": ${bump}\n---\n\nA change.\n`);
    const spec = JSON.parse(readFileSync(releasedSpecPath, "utf8"));
    delete spec.components.schemas.PatientRefund.properties.refund_note;
    const revisionPath = join(dir, "openapi.json");
    writeFileSync(revisionPath, JSON.stringify(spec));

    const decision = await checkRelease({ cwd: dir, revisionPath, waivers: [] });
    expect(decision.required).toBe("major");
    expect(decision.declared).toBe(bump);
    if (problem) expect(decision.problems.join("\n")).toMatch(problem);
    else expect(decision.problems).toEqual([]);
  });
  it.each([
    { waived: false, required: "major" },
    { waived: true, required: "minor" },
  ])("a new response enum value, waived: $waived, needs $required", async ({ waived, required }) => {
    const dir = join(tmp, `waiver-${waived}`);
    mkdirSync(join(dir, ".changeset"), { recursive: true });
    writeFileSync(join(dir, ".changeset", "change.md"), `---\n"${client}": minor\n---\n\nPAYPAL.\n`);
    const spec = JSON.parse(readFileSync(releasedSpecPath, "utf8"));
    spec.components.schemas.PatientTransactionSource.enum.push("PAYPAL");
    const revisionPath = join(dir, "openapi.json");
    writeFileSync(revisionPath, JSON.stringify(spec));
    const waivers = waived
      ? [
          {
            where: "#/components/schemas/PatientTransactionSource",
            rule: "enum-value-added",
            reason: "Live.",
            expires: "2026-09-30",
          },
        ]
      : [];

    const decision = await checkRelease({ cwd: dir, revisionPath, waivers, now: "2026-06-01" });
    expect(decision.required).toBe(required);
    expect(decision.problems.length).toBe(waived ? 0 : 1);
    expect(decision.review.breaking).toBe(!waived);
  });
});
