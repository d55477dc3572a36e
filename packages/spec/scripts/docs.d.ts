export declare const definitionElementId: string;
export declare const prerenderedMarkers: readonly [string, string];
export declare const changelogLink: string;
export declare const redocOptions: Record<string, unknown>;
export declare function docsDefinition<T>(spec: T): T;
export declare function finishPage(html: string, definition: unknown): string;
export declare function buildDocs(options?: { outDir?: string; changelog?: string }): Promise<{
  page: string;
  changelogPage: string;
  /** The Markdown changelog, when it was rewritten. */
  changelog?: string;
}>;
