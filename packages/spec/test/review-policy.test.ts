import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { dropBanners } from "../scripts/lint.js";
import { policyTable, rules, verdictOf } from "../scripts/review-policy.js";

const readme = readFileSync(fileURLToPath(new URL("../../../openapi/README.md", import.meta.url)), "utf8");

describe("the review's policy", () => {
  it("is printed in openapi/README.md as the code has it", () => {
    const printed = readme.match(/<!-- policy:start -->\n([\s\S]*?)\n<!-- policy:end -->/)?.[1];
    expect(printed, "run policyTable() and paste it between the policy markers").toBe(policyTable());
  });

  it.each([
    ["enum-value-added", "request", "non-breaking"],
    ["enum-value-added", "response", "breaking"],
    ["property-added", "request", "non-breaking"],
    ["required-property-added", "request", "breaking"],
    ["union-variant-added", "response", "breaking"],
    ["bounds-tightened", "request", "breaking"],
    ["bounds-loosened", "request", "non-breaking"],
    ["property-removed", "response", "breaking"],
    ["removed-after-sunset", "operation", "non-breaking"],
    ["description-changed", "response", "docs-only"],
  ])("%s in a %s is %s", (rule, direction, verdict) => {
    expect(verdictOf(rule, direction)).toBe(verdict);
  });

  it("gives every rule a verdict in both directions and a reason", () => {
    for (const [id, r] of Object.entries(rules)) {
      expect(
        [r.request, r.response].every((v) => ["breaking", "non-breaking", "docs-only"].includes(v)),
        id,
      ).toBe(true);
      expect(r.why.length, id).toBeGreaterThan(10);
    }
  });
});

describe("quiet tools", () => {
  const banner = [
    "",
    "    ╔═════════════════════════════════════════════════════════════════╗",
    "    ║  Deprecation warning: Node.js 20 support is ending              ║",
    "    ╚═════════════════════════════════════════════════════════════════╝",
    "",
    "validating openapi/openapi.yaml using lint rules for api 'refunds'...",
    "",
    "Woohoo! Your API description is valid. 🎉",
  ].join("\n");

  it("drops the Redocly CLI's boxed banner and keeps its report", () => {
    expect(dropBanners(banner)).toBe(
      "\nvalidating openapi/openapi.yaml using lint rules for api 'refunds'...\n\nWoohoo! Your API description is valid. 🎉",
    );
  });

  it("pnpm lint's spec half prints no banner or notice", { timeout: 60_000 }, async () => {
    const script = fileURLToPath(new URL("../scripts/lint.js", import.meta.url));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script]);
    const out = stdout + stderr;
    expect(out).toContain("Your API description is valid");
    expect(out).not.toMatch(/Deprecation|deprecat|╔|new version|update/i);
  });
});
