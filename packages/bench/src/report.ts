// The report: a table with each ratio beside its target, as text for the terminal or Markdown for the results file.
import type { Machine } from "./machine.js";
import { meets, type Section } from "./section.js";

/** Every section of a run, keyed p1…p5. */
export type Results = Record<string, Section>;

interface Row {
  section: string;
  case: string;
  measured: string;
  ratio: string;
  target: string;
  ok: string;
}

function rows(key: string, section: Section): Row[] {
  return Object.entries(section.ratios).map(([name, ratio]) => {
    const target = section.targets[name] as number;
    return {
      section: key.toUpperCase(),
      case: name,
      measured: section.measured[name] ?? "",
      ratio: `${ratio.toFixed(2)}×`,
      target: `${section.better === "higher" ? "≥" : "≤"} ${target}×`,
      ok: meets(section, ratio, target) ? "yes" : "NO",
    };
  });
}

const columns: [keyof Row, string][] = [
  ["section", ""],
  ["case", "case"],
  ["measured", "measured"],
  ["ratio", "ratio"],
  ["target", "target"],
  ["ok", "met"],
];

/** The results as a plain-text table with one block per section. */
export function textReport(results: Results, machine: Machine): string {
  const lines = [
    `${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.date}, load ${machine.loadAverage}`,
    "",
  ];
  for (const [key, section] of Object.entries(results)) {
    const body = rows(key, section);
    const widths = columns.map(([k, title]) => Math.max(title.length, ...body.map((r) => r[k].length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => c.padEnd(widths[i] as number))
        .join("  ")
        .trimEnd();
    lines.push(section.title, `  ratio: ${section.ratioOf}`);
    lines.push(line(columns.map(([, t]) => t)));
    for (const r of body) lines.push(line(columns.map(([k]) => r[k])));
    for (const note of section.notes) lines.push(`  - ${note}`);
    lines.push("");
  }
  return lines.join("\n");
}

/** The results as Markdown, with the machine they ran on. */
export function markdownReport(results: Results, machine: Machine, command: string): string {
  const out = [
    "# Benchmark results",
    "",
    `Produced by \`${command}\` (see \`packages/bench/README.md\`).`,
    "",
    "| machine | |",
    "| --- | --- |",
    `| CPU | ${machine.cpu}, ${machine.cores} cores |`,
    `| memory | ${machine.memoryGiB} GiB |`,
    `| Node | ${machine.node} (${machine.platform}) |`,
    `| date | ${machine.date} |`,
    `| load average at start | ${machine.loadAverage} (other work on the same cores) |`,
    "",
  ];
  for (const [key, section] of Object.entries(results)) {
    out.push(`## ${section.title}`, "", `Ratio: ${section.ratioOf}.`, "");
    out.push("| case | measured | ratio | target | met |", "| --- | --- | --- | --- | --- |");
    for (const r of rows(key, section)) out.push(`| ${r.case} | ${r.measured} | ${r.ratio} | ${r.target} | ${r.ok} |`);
    out.push("");
    for (const note of section.notes) out.push(`- ${note}`);
    out.push("");
  }
  return out.join("\n");
}

/** The results as one JSON object: `{ machine, p1: {ratios, targets, …}, …, p5 }`. */
export function jsonReport(results: Results, machine: Machine): string {
  const out: Record<string, unknown> = { machine };
  for (const [key, s] of Object.entries(results)) {
    out[key] = {
      title: s.title,
      ratioOf: s.ratioOf,
      better: s.better,
      ratios: s.ratios,
      targets: s.targets,
      met: Object.fromEntries(Object.entries(s.ratios).map(([k, r]) => [k, meets(s, r, s.targets[k] as number)])),
      details: s.details,
      notes: s.notes,
    };
  }
  return JSON.stringify(out, null, 2);
}
