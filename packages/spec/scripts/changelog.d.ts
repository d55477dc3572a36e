export interface ChangelogOperation {
  operationId: string;
  method: string;
  path: string;
}

export interface ChangelogChange {
  breaking: boolean;
  impact: "major" | "minor" | "patch";
  text: string;
  operations: ChangelogOperation[];
}

export interface ReleaseNote {
  text: string;
  packages: string[];
}

export interface ChangelogEntry {
  version: string;
  date?: string;
  released: boolean;
  notes: ReleaseNote[];
  /** The first release's operations. */
  operations?: (ChangelogOperation & { summary: string })[];
  /** The changes from the version before. */
  changes?: ChangelogChange[];
}

export interface ReleasedSnapshot {
  version: string;
  date?: string;
  spec: unknown;
}

export declare const changelogPath: string;
export declare const changelogHeader: string;
export declare function historyComplete(options?: { cwd?: string }): boolean;
export declare function releasedSnapshots(options?: { cwd?: string }): ReleasedSnapshot[];
export declare function releaseNotes(options?: { cwd?: string }): Map<string, ReleaseNote[]>;
export declare function changelogEntries(input: {
  releases: ReleasedSnapshot[];
  notes?: Map<string, ReleaseNote[]>;
  unreleased?: { spec: unknown; changesets: { summary: string; releases: { name: string }[] }[] };
}): Promise<ChangelogEntry[]>;
export declare function buildChangelog(options?: { cwd?: string; unreleased?: boolean }): Promise<ChangelogEntry[]>;
export declare function changelogMarkdown(entries: ChangelogEntry[]): string;
export declare function changelogHtml(
  entries: ChangelogEntry[],
  options?: { title?: string; docsHref?: string },
): string;
