// Release gate: when the spec differs from the last released snapshot (openapi/released/), the contract's generated
// types differ too, so a pending changeset must release @refunds-api/contract with a bump at least as large as the
// largest change the spec review reports (`pnpm spec:review --format json`): major for a breaking change no waiver
// covers, minor for a non-breaking (or waived) one, patch for docs only.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import readChangesets from "@changesets/read";
import { reviewSpec } from "./spec-review.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const bumps = ["none", "patch", "minor", "major"];
const rank = (bump) => Math.max(0, bumps.indexOf(bump));

/** The package whose types are generated from the spec. */
export const contractPackage = "@refunds-api/contract";

/**
 * Decides whether the pending changesets release `packageName` enough for the spec's changes. `impacts` are the
 * impacts of the spec review's changes (`major` breaks a client); `changesets` are the pending changesets, as
 * `@changesets/read` returns them. `required` is the largest impact, `declared` the largest bump of the package.
 */
export function releaseDecision({ impacts, changesets, packageName = contractPackage }) {
  const required = impacts.reduce((most, impact) => (rank(impact) > rank(most) ? impact : most), "none");
  const declared = changesets
    .flatMap((changeset) => changeset.releases)
    .filter((release) => release.name === packageName)
    .reduce((most, release) => (rank(release.type) > rank(most) ? release.type : most), "none");
  const problems = [];
  if (rank(required) > 0 && rank(declared) === 0) {
    problems.push(
      `The spec differs from the last release (${impacts.length} change(s), the largest ${required}), ` +
        `so ${packageName}'s types do too, but no changeset releases ${packageName}: run \`pnpm changeset\`.`,
    );
  } else if (rank(declared) < rank(required)) {
    problems.push(
      `The spec's largest change is ${required}${required === "major" ? " (breaking)" : ""}, but the changesets ` +
        `release ${packageName} as ${declared}: make it ${required}.`,
    );
  }
  return { required, declared, problems };
}

/**
 * Runs the gate: the spec review's changes from `basePath` to `revisionPath` (the released snapshot and the working
 * tree's spec by default; files, directories or git refs) against the changesets in `cwd`'s `.changeset/` (the
 * repository's by default). `waivers` and `now` go to the review.
 */
export async function checkRelease({ cwd = root, basePath, revisionPath, waivers, now } = {}) {
  const options = Object.fromEntries(
    Object.entries({ base: basePath, revision: revisionPath, waivers, now }).filter(([, v]) => v !== undefined),
  );
  const [review, changesets] = await Promise.all([reviewSpec(options), readChangesets(cwd)]);
  return {
    ...releaseDecision({ impacts: review.changes.map((change) => change.impact), changesets }),
    review,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  checkRelease().then(
    ({ required, declared, problems, review }) => {
      process.stdout.write(`spec change: ${required}; changesets release ${contractPackage} as: ${declared}\n`);
      for (const problem of [...problems, ...review.problems]) process.stdout.write(`${problem}\n`);
      if (problems.length > 0 || review.problems.length > 0) process.exitCode = 1;
    },
    (error) => {
      process.stderr.write(`release:check: ${error.message}\n`);
      process.exitCode = 2;
    },
  );
}
