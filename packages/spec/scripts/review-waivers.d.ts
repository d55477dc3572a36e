import type { ReviewChange, Waiver } from "./spec-review.js";

export declare function readWaivers(file: string): Waiver[];
export declare function applyWaivers<C extends Pick<ReviewChange, "verdict" | "where" | "rule" | "message">>(
  changes: C[],
  waivers: Waiver[],
  now: string,
): {
  changes: (C & { waived?: { reason: string; expires: string }; waiverExpired?: string })[];
  problems: string[];
  unused: Waiver[];
};
