// `pnpm spec:review [--base <git ref, dir or file>] [--revision <same>] [--format text|markdown|json] [--out FILE]`:
// the spec review. Loads the base (openapi/released/ by default; a git ref is read with `git archive` and bundled)
// and the revision (the working tree's openapi/, bundled in this process), compares them (review.js), applies
// openapi/waivers.yaml, adds the lint result and the changeset status, and prints the report. Exits 1 when a change
// breaks a client and no waiver covers it, or an expired waiver still matches a change; 2 when it cannot run.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import readChangesets from "@changesets/read";
import { parse } from "yaml";
import { bundleSpec } from "./bundle.js";
import { lintSpec } from "./lint.js";
import { releaseDecision } from "./release-check.js";
import { reviewDocuments } from "./review.js";
import { formatJson, formatMarkdown, formatText } from "./review-format.js";
import { applyWaivers, readWaivers } from "./review-waivers.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** The snapshot of the last released spec, the default base. */
export const releasedSpecPath = resolve(root, "openapi/released/openapi.json");
/** The working tree's spec entry, the default revision. */
export const specEntryPath = resolve(root, "openapi/openapi.yaml");
/** The waivers file. */
export const waiversPath = resolve(root, "openapi/waivers.yaml");

/** The semver bump a change needs: major for a breaking one no waiver covers, minor for a waived or additive one. */
export function impactOf(change) {
  if (change.verdict === "breaking") return change.waived ? "minor" : "major";
  return change.verdict === "non-breaking" ? "minor" : "patch";
}

/**
 * Loads a spec as one bundled document. `source` is a file (a bundle, or an entry with refs to other files, which is
 * bundled), a directory (its openapi.json, else its openapi.yaml) or a git ref (its openapi/ tree, bundled).
 * Returns `{ doc, label, entry? }`; `entry` is set when the source is a multi-file spec that can be linted.
 */
export async function loadSpec(source, { cwd = root } = {}) {
  const path = resolve(cwd, source);
  if (existsSync(path)) {
    const file = statSync(path).isDirectory()
      ? [join(path, "openapi.json"), join(path, "openapi.yaml")].find((f) => existsSync(f))
      : path;
    if (!file) throw new Error(`${source} holds neither openapi.json nor openapi.yaml`);
    const label = relative(root, file).startsWith("..") ? file : relative(root, file);
    const doc = parse(readFileSync(file, "utf8"), { maxAliasCount: -1 });
    if (!hasExternalRefs(doc)) return { doc, label };
    return { doc: JSON.parse((await bundleSpec({ entry: file })).json), label, entry: file };
  }
  return loadGitRef(source, cwd);
}

// A git ref's openapi/ tree, extracted to a temp dir and bundled.
async function loadGitRef(ref, cwd) {
  const git = (args, options = {}) =>
    execFileSync("git", args, { cwd, maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"], ...options });
  try {
    git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  } catch {
    throw new Error(`${ref} is neither a file, a directory nor a git ref`);
  }
  const top = git(["rev-parse", "--show-toplevel"]).toString().trim();
  const dir = mkdtempSync(join(tmpdir(), "refunds-spec-review-"));
  try {
    const tar = git(["archive", "--format=tar", ref, "--", "openapi"], { cwd: top });
    execFileSync("tar", ["-x", "-C", dir], { input: tar });
    const entry = join(dir, "openapi/openapi.yaml");
    if (!existsSync(entry)) throw new Error(`${ref} has no openapi/openapi.yaml`);
    return { doc: JSON.parse((await bundleSpec({ entry })).json), label: ref };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function hasExternalRefs(node) {
  if (Array.isArray(node)) return node.some(hasExternalRefs);
  if (node === null || typeof node !== "object") return false;
  if (typeof node.$ref === "string" && !node.$ref.startsWith("#")) return true;
  return Object.values(node).some(hasExternalRefs);
}

/**
 * Runs the review. `base` and `revision` are sources for {@link loadSpec} (the released snapshot and the working
 * tree by default). `lint` lints the revision when it is a multi-file spec; `changesets` adds the status of the
 * pending changesets in `cwd`. `now` (YYYY-MM-DD) is the day sunsets and waivers are judged on.
 * Returns the JSON report (see openapi/README.md).
 */
export async function reviewSpec({
  base = releasedSpecPath,
  revision = specEntryPath,
  waivers = waiversPath,
  now = new Date().toISOString().slice(0, 10),
  lint = false,
  changesets = false,
  cwd = root,
  changesetDir = root,
} = {}) {
  const [b, r] = await Promise.all([loadSpec(base, { cwd }), loadSpec(revision, { cwd })]);
  const found = reviewDocuments(b.doc, r.doc, { now });
  const list = Array.isArray(waivers) ? waivers : readWaivers(waivers);
  const applied = applyWaivers(found, list, now);
  const count = (verdict) => applied.changes.filter((c) => c.verdict === verdict && !c.waived).length;
  const result = {
    breaking: count("breaking") > 0 || applied.problems.length > 0,
    base: b.label,
    revision: r.entry === specEntryPath ? "working tree" : r.label,
    summary: {
      breaking: count("breaking"),
      "non-breaking": count("non-breaking"),
      "docs-only": count("docs-only"),
      waived: applied.changes.filter((c) => c.waived).length,
    },
    changes: applied.changes.map(
      ({ verdict, where, subject, operations, direction, message, rule, affected, waived, waiverExpired }) => ({
        verdict,
        where,
        subject,
        operations,
        direction,
        message,
        rule,
        ...(waived ? { waived } : {}),
        ...(waiverExpired ? { waiverExpired } : {}),
        impact: impactOf({ verdict, waived }),
        affected,
      }),
    ),
    problems: applied.problems,
    unusedWaivers: applied.unused,
  };
  if (lint && r.entry) {
    try {
      result.lint = await lintSpec({ entry: r.entry });
    } catch (error) {
      result.lint = { error: error.message, errors: 0, warnings: 0, problems: [] };
    }
  }
  if (changesets) {
    result.changeset = releaseDecision({
      impacts: result.changes.map((c) => c.impact),
      changesets: await readChangesets(changesetDir),
    });
  }
  return result;
}

const formats = { text: formatText, markdown: formatMarkdown, json: formatJson };

/** Parses the command line of `pnpm spec:review`. */
export function parseArgs(argv) {
  const options = { format: "text" };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith("--") && argv[i].includes("=") ? argv[i].split(/=(.*)/s) : [argv[i]];
    const value = () => inline ?? argv[++i];
    if (flag === "--base") options.base = value();
    else if (flag === "--revision") options.revision = value();
    else if (flag === "--format") options.format = value();
    else if (flag === "--out") options.out = value();
    else if (flag === "--waivers") options.waivers = value();
    else if (flag === "--now") options.now = value();
    else throw new Error(`unknown option ${argv[i]} (use --base, --revision, --format, --out, --waivers, --now)`);
  }
  if (!formats[options.format]) throw new Error(`--format must be text, markdown or json, not ${options.format}`);
  return options;
}

/** The CLI: prints (or writes to --out) the report and sets the exit code. */
export async function main(argv, { name = "spec:review" } = {}) {
  try {
    // pnpm runs scripts from the package root; INIT_CWD is where the user typed the command.
    const cwd = process.env.INIT_CWD ?? process.cwd();
    const options = parseArgs(argv);
    const result = await reviewSpec({
      base: options.base ?? releasedSpecPath,
      revision: options.revision ?? specEntryPath,
      waivers: options.waivers ? resolve(cwd, options.waivers) : waiversPath,
      ...(options.now ? { now: options.now } : {}),
      lint: options.format !== "text" || name === "spec:review",
      changesets: options.format !== "text" || name === "spec:review",
      cwd,
    });
    const report = formats[options.format](result);
    if (options.out) {
      writeFileSync(resolve(cwd, options.out), report);
      process.stdout.write(`${name}: wrote ${options.out}; ${result.breaking ? "fails" : "passes"}\n`);
    } else process.stdout.write(report);
    if (result.breaking) process.exitCode = 1;
  } catch (error) {
    process.stderr.write(`${name}: ${error.message}\n`);
    process.exitCode = 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
