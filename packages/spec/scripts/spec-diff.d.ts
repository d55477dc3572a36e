import type { ReviewOptions, ReviewResult } from "./spec-review.js";

export declare const releasedSpecPath: string;
export declare const specEntryPath: string;
export declare const currentSpecPath: string;
export declare function checkSpec(
  base?: string,
  revision?: string,
  options?: Omit<ReviewOptions, "base" | "revision">,
): Promise<{ breaking: boolean; report: string; result: ReviewResult }>;
