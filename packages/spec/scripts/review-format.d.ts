import type { ReviewResult } from "./spec-review.js";

export declare function summaryLine(result: ReviewResult): string;
export declare function formatText(result: ReviewResult): string;
export declare function formatMarkdown(result: ReviewResult): string;
export declare function formatJson(result: ReviewResult): string;
