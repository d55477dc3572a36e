import { createRefundsClient, type RefundsClientOptions } from "../../src/index.js";

/** A request as the fake fetch saw it. */
export interface SeenRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string | undefined;
  signal: AbortSignal;
}

/** One scripted answer: a response, an error to throw, or a function of the request. */
export type Script = Response | Error | ((request: Request) => Response | Promise<Response>);

/**
 * A fetch that answers from a script, one entry per call (the last entry repeats), and records every request.
 */
export function fakeFetch(...script: Script[]) {
  const requests: SeenRequest[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const text = await request.text();
    requests.push({
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body: text === "" ? undefined : text,
      signal: request.signal,
    });
    const next = script.length > 1 ? script.shift() : script[0];
    if (next === undefined) throw new Error("fake fetch has no scripted answer");
    if (next instanceof Error) throw next;
    if (next instanceof Response) return next.clone();
    return next(request);
  };
  return { fetch, requests };
}

/** A JSON answer, as the API sends it. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

/** A client on a fake fetch, with a static token, no retry delays to speak of, and no timeout. */
export function clientWith(script: Script[], options: Partial<RefundsClientOptions> = {}) {
  const fake = fakeFetch(...script);
  const client = createRefundsClient({
    baseUrl: "https://api.test",
    auth: "test-token",
    fetch: fake.fetch,
    timeoutMs: Number.POSITIVE_INFINITY,
    ...options,
  });
  return { client, ...fake };
}

/** A fetch that never answers until its request is aborted, like a server that hangs. */
export function hangingFetch(): (request: Request) => Promise<Response> {
  return (request) =>
    new Promise((_, reject) => {
      request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true });
    });
}
