export declare const verdicts: ("breaking" | "non-breaking" | "docs-only")[];
export declare const rules: Record<
  string,
  { request: string; response: string; operation: string; document: string; why: string }
>;
export declare function verdictOf(ruleId: string, direction: string): string;
export declare function policyTable(): string;
