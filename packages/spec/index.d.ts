export declare const specYamlPath: string;
export declare const specJsonPath: string;
/** The bundled OpenAPI 3.1 document as a plain object. */
export declare function loadSpec(): Record<string, unknown>;
