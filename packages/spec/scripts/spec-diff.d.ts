/** One change as `redocly diff --format=json` reports it. */
export interface SpecChange {
  path: string;
  kind: "added" | "removed" | "modified" | string;
  impact: "major" | "minor" | "patch";
  property?: string;
  typeName?: string;
  verdicts?: { ruleId: string; impact: string; message: string }[];
  base?: { pointer: string; value?: unknown };
  revision?: { pointer: string; value?: unknown };
}

/** A change in plain words. */
export interface DescribedChange {
  impact: SpecChange["impact"];
  breaking: boolean;
  line: string;
  details: string[];
}

export declare const releasedSpecPath: string;
export declare const currentSpecPath: string;
export declare function diffSpecs(basePath?: string, revisionPath?: string): Promise<SpecChange[]>;
export declare function describeChange(change: SpecChange, docs: { base: unknown; revision: unknown }): DescribedChange;
export declare function formatReport(
  described: DescribedChange[],
  paths: { basePath: string; revisionPath: string },
): string;
export declare function checkSpec(
  basePath?: string,
  revisionPath?: string,
): Promise<{ breaking: boolean; report: string }>;
