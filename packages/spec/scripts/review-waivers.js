// Waivers: openapi/waivers.yaml lets a reviewed breaking change pass without a major release (the live service
// added an enum value, say). Each waiver names the change by `where` (its location, as the review prints it) and
// `rule`, says why (`reason`) and until when (`expires`, YYYY-MM-DD). A waived change shows as waived and does not
// fail the review; a waiver past its expiry that still matches a change fails it, so waivers cannot outlive their
// review. A waiver that matches nothing is reported, so it can be deleted.
import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { rules } from "./review-policy.js";

/**
 * Reads and checks a waivers file; a missing file is no waivers. Throws on a waiver without `where`, a known
 * `rule`, a `reason` or a valid `expires` date.
 */
export function readWaivers(file) {
  if (!existsSync(file)) return [];
  const parsed = parse(readFileSync(file, "utf8")) ?? {};
  const list = parsed.waivers ?? [];
  if (!Array.isArray(list)) throw new Error(`${file}: \`waivers\` must be a list`);
  return list.map((w, i) => {
    const problems = [];
    if (typeof w?.where !== "string" || !w.where.startsWith("#/"))
      problems.push("`where` (a location such as #/components/schemas/X)");
    if (!rules[w?.rule]) problems.push(`\`rule\` (one of the policy's rules, not ${JSON.stringify(w?.rule)})`);
    if (typeof w?.reason !== "string" || w.reason.trim() === "") problems.push("`reason`");
    // YAML reads an unquoted date as a Date; either form is accepted.
    const expires = w?.expires instanceof Date ? w.expires.toISOString().slice(0, 10) : w?.expires;
    if (typeof expires !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(expires) || Number.isNaN(Date.parse(expires))) {
      problems.push("`expires` (a date, YYYY-MM-DD)");
    }
    if (problems.length > 0) throw new Error(`${file}: waiver ${i + 1} needs ${problems.join(", ")}`);
    return { where: w.where, rule: w.rule, reason: w.reason.trim(), expires };
  });
}

/**
 * Applies `waivers` to the review's breaking `changes` on day `now` (YYYY-MM-DD). A change matched by a waiver still in force
 * gets `waived: { reason, expires }`; one matched by an expired waiver gets `waiverExpired` and a problem. Returns the
 * changes, the problems (they fail the review) and the waivers that matched nothing.
 */
export function applyWaivers(changes, waivers, now) {
  const used = new Set();
  const problems = [];
  const out = changes.map((change) => {
    // A waiver lets a breaking change pass; the same change in a direction where it does not break needs none.
    if (change.verdict !== "breaking") return change;
    const matching = waivers.filter((w) => w.where === change.where && w.rule === change.rule);
    if (matching.length === 0) return change;
    for (const w of matching) used.add(w);
    const active = matching.find((w) => w.expires >= now);
    if (active) return { ...change, waived: { reason: active.reason, expires: active.expires } };
    const expired = matching
      .map((w) => w.expires)
      .sort()
      .at(-1);
    problems.push(
      `The waiver of ${change.rule} at ${change.where} expired on ${expired}: ${change.message}. ` +
        "Review the change again and renew the waiver's date in openapi/waivers.yaml, or undo the change.",
    );
    return { ...change, waiverExpired: expired };
  });
  const unused = waivers.filter((w) => !used.has(w));
  return { changes: out, problems, unused };
}
