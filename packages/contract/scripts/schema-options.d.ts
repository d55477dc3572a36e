import type { OpenAPITSOptions } from "openapi-typescript";

export declare const schemaOptions: OpenAPITSOptions;
