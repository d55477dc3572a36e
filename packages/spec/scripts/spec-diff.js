// `pnpm spec:diff`: the spec review's text report (spec-review.js), for the terminal. Compares the working tree's
// spec with the last released snapshot (openapi/released/) by default and exits 1 when a change can break a
// client that no waiver covers. Takes the options of `pnpm spec:review`.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { formatText } from "./review-format.js";
import { main, releasedSpecPath, reviewSpec, specEntryPath } from "./spec-review.js";

export { releasedSpecPath, specEntryPath };

/** The bundle `pnpm generate` writes; a revision the review can be given. */
export const currentSpecPath = fileURLToPath(new URL("../bundled/openapi.json", import.meta.url));

/**
 * Compares two specs (the released snapshot and the working tree by default; either may be a file, a directory or a
 * git ref) and returns the text report, whether a change breaks a client, and the review's JSON result.
 */
export async function checkSpec(base = releasedSpecPath, revision = specEntryPath, options = {}) {
  const result = await reviewSpec({ base, revision, ...options });
  return { breaking: result.breaking, report: formatText(result), result };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2), { name: "spec:diff" });
}
