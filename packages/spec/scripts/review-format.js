// The spec review's three outputs: text for a terminal, Markdown for a pull request comment, JSON for tools.
import { verdicts } from "./review-policy.js";

const labels = { breaking: "BREAKING", "non-breaking": "NON-BREAKING", "docs-only": "DOCS-ONLY" };
const titles = { breaking: "Breaking", "non-breaking": "Non-breaking", "docs-only": "Docs-only" };

/** `N breaking, M non-breaking, K docs-only` (and `, W waived` when some are). */
export function summaryLine(result) {
  const s = result.summary;
  const waived = s.waived > 0 ? `, ${s.waived} waived` : "";
  return `${s.breaking} breaking, ${s["non-breaking"]} non-breaking, ${s["docs-only"]} docs-only${waived}`;
}

// Where the change matters in one operation: `response 200 items[].refund_note`.
const place = (a) => (/^[[{(]/.test(a.field) ? `${a.part}${a.field}` : [a.part, a.field].filter(Boolean).join(" "));

/** The report for a terminal: one block per change, breaking first, then the summary line. */
export function formatText(result) {
  const lines = [];
  const pad = " ".repeat(14);
  for (const change of ordered(result.changes)) {
    const label = change.waived ? "WAIVED" : labels[change.verdict];
    lines.push(`${label.padEnd(14)}${change.message}`);
    lines.push(`${pad}${change.rule}${change.direction ? ` (${change.direction})` : ""} at ${change.where}`);
    if (change.waived) lines.push(`${pad}waived until ${change.waived.expires}: ${change.waived.reason}`);
    if (change.waiverExpired) lines.push(`${pad}its waiver expired on ${change.waiverExpired}`);
    const width = Math.max(0, ...change.affected.map((a) => a.operationId.length));
    for (const a of change.affected) {
      lines.push(
        `${pad}${a.operationId.padEnd(width)}  ${a.method.padEnd(6)} ${a.path}${place(a) ? `  ${place(a)}` : ""}`,
      );
    }
  }
  for (const problem of result.problems) lines.push(`FAIL          ${problem}`);
  for (const w of result.unusedWaivers) {
    lines.push(
      `NOTE          The waiver of ${w.rule} at ${w.where} matches no change: delete it from openapi/waivers.yaml.`,
    );
  }
  if (result.lint) lines.push(`lint: ${lintLine(result.lint)}`);
  for (const p of result.lint?.problems ?? []) lines.push(`  ${p.location}  ${p.message} (${p.ruleId})`);
  if (result.changeset) lines.push(`changeset: ${changesetLine(result.changeset)}`);
  lines.push(`${summaryLine(result)} (${result.base} -> ${result.revision})`);
  if (result.breaking) {
    lines.push(
      "Breaking changes can break existing clients: undo them, release a new major version, or (once reviewed) " +
        "waive one in openapi/waivers.yaml (see openapi/README.md).",
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The report for a pull request: a summary line, one table per verdict, waivers, lint and changeset status. */
export function formatMarkdown(result) {
  const out = [];
  const icon = result.breaking ? "❌" : "✅";
  out.push(`### ${icon} Spec review: ${summaryLine(result)}`, "");
  out.push(
    `Compared \`${result.base}\` with \`${result.revision}\`. Verdicts follow the policy in \`openapi/README.md\`.`,
  );
  const status = [];
  if (result.lint) status.push(`**Lint:** ${lintLine(result.lint)}`);
  if (result.changeset) status.push(`**Changeset:** ${changesetLine(result.changeset)}`);
  if (status.length > 0) out.push("", status.join("<br>"));
  for (const p of result.lint?.problems ?? [])
    out.push(`- ${p.severity} \`${p.ruleId}\` ${cell(p.message)} (\`${p.location}\`)`);
  if (result.problems.length > 0) {
    out.push("", "**Failures:**", "", ...result.problems.map((p) => `- ${cell(p)}`));
  }
  const groups = [
    ...verdicts.map((v) => [titles[v], result.changes.filter((c) => c.verdict === v && !c.waived)]),
    ["Waived", result.changes.filter((c) => c.waived)],
  ];
  for (const [title, changes] of groups) {
    if (changes.length === 0) continue;
    out.push("", `#### ${title} (${changes.length})`, "");
    out.push("| Change | Operations | Direction | Rule |", "| --- | --- | --- | --- |");
    for (const c of changes) {
      const notes = [
        c.waived ? `<br>Waived until ${c.waived.expires}: ${cell(c.waived.reason)}` : "",
        c.waiverExpired ? `<br>**Its waiver expired on ${c.waiverExpired}.**` : "",
      ].join("");
      const ops = c.affected.length
        ? c.affected
            .map((a) => `\`${a.operationId}\` ${a.method} \`${a.path}\`${place(a) ? ` (${cell(place(a))})` : ""}`)
            .join("<br>")
        : "—";
      out.push(
        `| ${cell(c.message)}<br><sub>\`${cell(c.where)}\`</sub>${notes} | ${ops} | ${c.direction ?? ""} | \`${c.rule}\` |`,
      );
    }
  }
  if (result.changes.length === 0) out.push("", "No changes to the contract.");
  if (result.unusedWaivers.length > 0) {
    out.push("", "Waivers that match no change (delete them):", "");
    for (const w of result.unusedWaivers) out.push(`- \`${w.rule}\` at \`${w.where}\` (expires ${w.expires})`);
  }
  return `${out.join("\n")}\n`;
}

/** The JSON report: the stable fields documented in openapi/README.md. */
export function formatJson(result) {
  return `${JSON.stringify(result, null, 2)}\n`;
}

function lintLine(lint) {
  if (lint.error) return `could not run (${lint.error})`;
  if (lint.errors === 0 && lint.warnings === 0) return "no problems";
  return `${lint.errors} error(s), ${lint.warnings} warning(s)`;
}

function changesetLine(changeset) {
  if (changeset.problems.length > 0) return changeset.problems.join(" ");
  if (changeset.required === "none")
    return `no release needed; changesets release the contract as ${changeset.declared}`;
  return `the changes need ${changeset.required}; changesets release the contract as ${changeset.declared}`;
}

function ordered(changes) {
  const rank = (c) => (c.waived ? verdicts.length : verdicts.indexOf(c.verdict));
  return [...changes].sort((a, b) => rank(a) - rank(b));
}

// A Markdown table cell: pipes escaped, newlines folded.
function cell(text) {
  return String(text).replaceAll("|", "\\|").replaceAll("\n", " ");
}
