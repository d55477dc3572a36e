import { AbortedError, NetworkError, RefundsError, TimeoutError, UnexpectedResponseError } from "./errors.js";
import { parseRetryAfter } from "./retry-after.js";

export { parseRetryAfter };

/**
 * A `fetch` the client can call: the global one, undici's, or a test double. It is given one `Request` per
 * attempt, carrying the attempt's signal (aborted on timeout or by the caller).
 */
export type FetchLike = (request: Request) => Promise<Response>;

/** How failed attempts are retried. */
export interface BackoffOptions {
  /** Delay before the first retry; each further retry doubles it. Default 500 ms. */
  initialDelayMs?: number;
  /** Largest delay between two attempts, before jitter. Default 8 s. */
  maxDelayMs?: number;
  /** Longest `Retry-After` the client waits for; a longer one ends the retries. Default 60 s. */
  maxRetryAfterMs?: number;
}

/** The limits of each attempt of one call. */
export interface AttemptLimits {
  /** Limit on each attempt, body included; `Infinity` or 0 for none. */
  timeoutMs: number;
  signal: AbortSignal | undefined;
}

/** One attempt in flight: its own signal, and the answer once it arrived. */
export interface Attempt {
  readonly signal: AbortSignal;
  /** The answer as the fetch returned it. */
  response?: Response;
  /** Its body, when the transport read it (a success body that is not declared JSON). */
  text?: string;
}

/** Statuses worth another attempt: the request timed out, was rate limited, or the server failed. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Runs one attempt, `run` being everything it does: openapi-fetch's middleware, the fetch, and openapi-fetch reading
 * the body, so the timeout covers the body too. The caller's signal and the timeout settle it at once, with an
 * {@link AbortedError} or a {@link TimeoutError}, and abort the attempt's fetch, even when the fetch or the body
 * ignores that abort. Any other failure is made a client error by {@link attemptError}.
 */
export function runAttempt<T>(limits: AttemptLimits, run: (attempt: Attempt) => Promise<T>): Promise<T> {
  const { signal, timeoutMs } = limits;
  if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
  const controller = new AbortController();
  const attempt: Attempt = { signal: controller.signal };
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      return true;
    };
    const onAbort = () => {
      if (!settle()) return;
      reject(new AbortedError(signal?.reason));
      controller.abort(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    if (Number.isFinite(timeoutMs) && timeoutMs > 0) {
      timer = setTimeout(() => {
        if (!settle()) return;
        const error = new TimeoutError(timeoutMs, attempt.response?.headers);
        reject(error);
        controller.abort(error);
      }, timeoutMs);
    }
    run(attempt).then(
      (value) => {
        if (settle()) resolve(value);
      },
      (error: unknown) => {
        if (settle()) reject(attemptError(error, attempt));
      },
    );
  });
}

/**
 * What a failed attempt rejects with: the transport's own errors as they are; a success body that is not JSON
 * (openapi-fetch's `SyntaxError`, kept as the cause) as an {@link UnexpectedResponseError}, with the text when the
 * transport read it; a body that broke off while openapi-fetch read it as a {@link NetworkError}. Anything else,
 * such as an error of the caller's middleware, stays as it is.
 */
function attemptError(error: unknown, attempt: Attempt): unknown {
  const response = attempt.response;
  if (error instanceof RefundsError || !response) return error;
  if (error instanceof SyntaxError && response.ok) {
    return new UnexpectedResponseError(response.status, attempt.text, response.headers, "body is not JSON", error);
  }
  return response.bodyUsed ? new NetworkError(error) : error;
}

/**
 * openapi-fetch's `fetch` for one attempt: sends `request` with the attempt's signal and hands openapi-fetch the
 * answer as it came, for it to read. Rejects with a {@link NetworkError} when no answer arrives.
 */
export async function sendAttempt(
  request: Request,
  attempt: Attempt,
  custom: FetchLike | undefined,
): Promise<Response> {
  const signal = attempt.signal;
  // An attempt abandoned (timed out while its middleware waited, say) sends nothing.
  if (signal.aborted) throw signal.reason;
  // Read as text, so the global fetch gets the string as a plain init body (openapi-fetch's JSON bodies are text).
  const body = request.body === null ? undefined : await request.text();
  const init: RequestInit = {
    method: request.method,
    headers: request.headers,
    body,
    redirect: request.redirect,
    signal,
  };
  let response: Response;
  try {
    // The global fetch is looked up per attempt, so one installed after the client was created is still used, and
    // given the URL and init as they are: a `Request` would be copied again inside it, its body stream proxied.
    response = await (custom ? custom(new Request(request.url, init)) : fetch(request.url, init));
  } catch (error) {
    throw new NetworkError(error);
  }
  attempt.response = response;
  // A success openapi-fetch cannot parse is shown in the error: read a body not declared JSON here, to keep it.
  if (!response.ok || response.status === 204 || isJson(response.headers.get("Content-Type"))) return response;
  const text = await response.text().catch((error: unknown) => {
    throw new NetworkError(error);
  });
  attempt.text = text;
  attempt.response = new Response(text === "" ? null : text, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  return attempt.response;
}

function isJson(contentType: string | null): boolean {
  return contentType !== null && /[/+]json\b/i.test(contentType);
}

/** Delay before retry number `attempt + 1`: the server's `Retry-After` when it sent one, else backoff. */
export function retryDelay(attempt: number, headers: Headers, settings: Required<BackoffOptions>): number | undefined {
  const retryAfter = parseRetryAfter(headers.get("Retry-After"));
  if (retryAfter === undefined) return backoffDelay(attempt, settings);
  return retryAfter <= settings.maxRetryAfterMs ? retryAfter : undefined;
}

/** Exponential backoff with "equal jitter": half the delay is fixed, half random, so clients spread out. */
export function backoffDelay(attempt: number, settings: Required<BackoffOptions>): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Waits `ms`, or rejects with an {@link AbortedError} as soon as `signal` fires. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError(signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
