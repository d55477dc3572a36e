export declare function copyRepository(options?: { git?: boolean; prefix?: string }): string;
