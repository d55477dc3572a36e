import type { ReviewChange } from "./spec-review.js";

export declare function reviewDocuments(
  base: unknown,
  revision: unknown,
  options?: { now?: string },
): Omit<ReviewChange, "impact" | "waived" | "waiverExpired">[];
export declare function escapeSegment(segment: string): string;
