export type Verdict = "breaking" | "non-breaking" | "docs-only";
export type Direction = "request" | "response" | "both" | "operation" | "document";

/** One operation a change reaches, and where in it. */
export interface AffectedOperation {
  operationId: string;
  method: string;
  path: string;
  direction: Direction;
  /** `request body`, `query parameter sources`, `response 200`. */
  part: string;
  /** The field path inside `part`: `items[].refund_note`. */
  field: string;
}

/** One change: the stable fields of `pnpm spec:review --format json`. */
export interface ReviewChange {
  verdict: Verdict;
  where: string;
  subject: string;
  operations: string[];
  direction: Direction;
  message: string;
  rule: string;
  waived?: { reason: string; expires: string };
  waiverExpired?: string;
  impact: "major" | "minor" | "patch";
  affected: AffectedOperation[];
}

export interface Waiver {
  where: string;
  rule: string;
  reason: string;
  expires: string;
}

export interface ReviewResult {
  breaking: boolean;
  base: string;
  revision: string;
  summary: Record<Verdict | "waived", number>;
  changes: ReviewChange[];
  problems: string[];
  unusedWaivers: Waiver[];
  lint?: {
    errors: number;
    warnings: number;
    problems: { ruleId: string; severity: string; message: string; location: string }[];
    error?: string;
  };
  changeset?: { required: string; declared: string; problems: string[] };
}

export interface ReviewOptions {
  base?: string;
  revision?: string;
  waivers?: string | Waiver[];
  now?: string;
  lint?: boolean;
  changesets?: boolean;
  cwd?: string;
  changesetDir?: string;
}

export declare const releasedSpecPath: string;
export declare const specEntryPath: string;
export declare const waiversPath: string;
export declare function impactOf(change: Pick<ReviewChange, "verdict" | "waived">): "major" | "minor" | "patch";
export declare function loadSpec(
  source: string,
  options?: { cwd?: string },
): Promise<{ doc: unknown; label: string; entry?: string }>;
export declare function reviewSpec(options?: ReviewOptions): Promise<ReviewResult>;
export declare function parseArgs(argv: string[]): {
  format: string;
  base?: string;
  revision?: string;
  out?: string;
  waivers?: string;
  now?: string;
};
export declare function main(argv: string[], options?: { name?: string }): Promise<void>;
