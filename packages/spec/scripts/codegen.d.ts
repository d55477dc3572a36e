export declare function generatedHeader(comment: string, command?: string): string;
export declare function emitGenerated(
  files: Record<string, string>,
  options?: { check?: boolean; cwd?: string },
): string[];
export declare function reportGenerated(changed: string[], options: { check: boolean; name: string }): void;
