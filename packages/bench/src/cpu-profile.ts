// Where a server's CPU went, from a V8 CPU profile: the time sampled in each function, added up by the package
// the function's code lives in and divided by the requests served while profiling. A table of these beside each
// other (validated, bare, stock) says what the validated server pays that the others do not.

/** The fields of a `.cpuprofile` (V8's `Profiler.Profile`) that the summary reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  /** Microseconds since the previous sample, one per sample. */
  timeDeltas: number[];
}

/** The package a function's code belongs to, from its script URL. */
export function codeOwner(url: string, functionName: string): string {
  if (url === "") {
    // V8's own entries: "(garbage collector)", "(program)", "(idle)"; otherwise a builtin or a native function.
    return functionName.startsWith("(") ? functionName : "V8 builtins";
  }
  if (url.startsWith("node:")) return "Node.js";
  const installed = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (installed) return installed[1] as string;
  const workspace = /\/packages\/([^/]+)\//.exec(url);
  if (workspace) return `@refunds-api/${workspace[1]}`;
  return "other";
}

/** CPU time per request by package, in microseconds, idle time left out; the largest first. */
export function cpuByPackage(profile: CpuProfile, requests: number): [owner: string, microseconds: number][] {
  const owners = new Map(profile.nodes.map((n) => [n.id, codeOwner(n.callFrame.url, n.callFrame.functionName)]));
  const spent = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const owner = owners.get(id) ?? "other";
    if (owner === "(idle)") return;
    spent.set(owner, (spent.get(owner) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return [...spent]
    .map(([owner, us]) => [owner, us / Math.max(requests, 1)] as [string, number])
    .sort((a, b) => b[1] - a[1]);
}

/** One profiled run: which server, and what it spent per request. */
export interface ProfiledRun {
  target: string;
  byPackage: [string, number][];
}

/**
 * A Markdown table of CPU per request by package, one column per server, the packages that cost most first, with
 * a total row. Packages under `minMicroseconds` in every column are added up in one row.
 */
export function cpuTable(runs: readonly ProfiledRun[], minMicroseconds = 1): string {
  const columns = runs.map((r) => new Map(r.byPackage));
  const owners = [...new Set(runs.flatMap((r) => r.byPackage.map(([owner]) => owner)))];
  const most = (owner: string) => Math.max(...columns.map((c) => c.get(owner) ?? 0));
  owners.sort((a, b) => most(b) - most(a));
  const shown = owners.filter((o) => most(o) >= minMicroseconds);
  const rest = owners.filter((o) => most(o) < minMicroseconds);
  const cell = (us: number) => us.toFixed(1);
  const sum = (c: Map<string, number>, list: string[]) => list.reduce((n, o) => n + (c.get(o) ?? 0), 0);
  const lines = [
    `| µs of CPU per request | ${runs.map((r) => r.target).join(" | ")} |`,
    `| --- | ${runs.map(() => "---:").join(" | ")} |`,
    ...shown.map((o) => `| ${o} | ${columns.map((c) => cell(c.get(o) ?? 0)).join(" | ")} |`),
  ];
  if (rest.length > 0) {
    lines.push(
      `| ${rest.length} others, each under ${minMicroseconds} µs | ${columns.map((c) => cell(sum(c, rest))).join(" | ")} |`,
    );
  }
  lines.push(`| **total** | ${columns.map((c) => `**${cell(sum(c, owners))}**`).join(" | ")} |`);
  return lines.join("\n");
}
