/** One operation's request as its samples send it, and the samples. */
export interface OperationSample {
  operationId: string;
  /** Lower case, as in the spec: `get`, `post`, … */
  method: string;
  /** The spec's path, with `{parameters}`. */
  path: string;
  /** The path with its parameters filled in from the examples. */
  url: string;
  pathParams: { name: string; value: unknown }[];
  query: Record<string, unknown>;
  body: unknown;
  /** Whether the operation needs a bearer token. */
  authenticated: boolean;
  /** The 2xx status the example answers with. */
  status: number;
  /** A curl command; `$TOKEN` holds the token when one is needed. */
  curl: string;
  /** A TypeScript program on `@refunds-api/client`. */
  typescript: string;
}

export declare const clientPackage: string;
export declare function operationSamples(spec: unknown, options?: { baseUrl?: string }): OperationSample[];
export declare function withCodeSamples<T>(spec: T, options?: { baseUrl?: string }): T;
