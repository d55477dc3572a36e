/** A semver bump of a changeset, or `none`. */
export type Bump = "none" | "patch" | "minor" | "major";

/** A pending changeset, as `@changesets/read` returns it. */
export interface PendingChangeset {
  releases: { name: string; type: Bump }[];
}

/** What the release gate decided. */
export interface ReleaseDecision {
  /** The largest impact of the spec's changes (`none` when it equals the snapshot). */
  required: Bump;
  /** The largest bump the changesets give the package. */
  declared: Bump;
  /** Why the changesets do not suffice; empty when they do. */
  problems: string[];
}

export declare const contractPackage: string;
export declare function releaseDecision(input: {
  impacts: ("major" | "minor" | "patch")[];
  changesets: PendingChangeset[];
  packageName?: string;
}): ReleaseDecision;
export declare function checkRelease(options?: {
  cwd?: string;
  basePath?: string;
  revisionPath?: string;
  waivers?: string | import("./spec-review.js").Waiver[];
  now?: string;
}): Promise<ReleaseDecision & { review: import("./spec-review.js").ReviewResult }>;
