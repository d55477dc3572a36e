export declare const quietRedoclyEnv: Record<string, string>;
export declare function lintSpec(options?: { entry?: string }): Promise<{
  errors: number;
  warnings: number;
  problems: { ruleId: string; severity: string; message: string; location: string }[];
}>;
export declare function dropBanners(text: string): string;
