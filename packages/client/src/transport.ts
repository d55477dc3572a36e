import { AbortedError, NetworkError, type RefundsError, TimeoutError } from "./errors.js";

/** A `fetch` the client can call: the global one, undici's, or a test double. */
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

/** Sends one attempt: a URL and an init with its signal, however the client's `fetch` wants them. */
export type Sender = (url: string, init: RequestInit) => Promise<Response>;

/** Everything one call needs to send its request, attempt after attempt. */
export interface TransportSettings extends Required<BackoffOptions> {
  send: Sender;
  /** Per-attempt limit; `Infinity` or 0 for none. */
  timeoutMs: number;
  /** Retries after the first attempt, used only when `retry` is true. */
  maxRetries: number;
  retry: boolean;
  signal?: AbortSignal | undefined;
  /** Bearer token for each attempt, asked again before every retry so a refreshed token is used. */
  token?: (() => Promise<string | undefined>) | undefined;
}

/** What the transport saw of the last attempt, for errors raised after it returned. */
export interface AttemptRecord {
  token?: string | undefined;
  response?: { status: number; headers: Headers } | undefined;
  body?: string | undefined;
}

/**
 * The request openapi-fetch builds (it is given this class as its `Request`), kept as plain parts: a `Request`
 * with a body wraps it in a stream, which costs more than the rest of a call on a fast network, and a stream
 * would have to be read back before every attempt.
 */
export class OutgoingRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: BodyInit | null | undefined;
  readonly redirect: RequestRedirect | undefined;

  constructor(url: string, init: RequestInit = {}) {
    this.url = url;
    this.method = init.method ?? "GET";
    this.headers = new Headers(init.headers);
    this.body = init.body;
    this.redirect = init.redirect;
  }
}

/** Statuses worth another attempt: the request timed out, was rate limited, or the server failed. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Sends `request` with a bearer token, a per-attempt timeout and the caller's signal, retrying network errors,
 * timeouts and retryable statuses with exponential backoff and jitter, or after the server's `Retry-After`.
 * The answer's body is read inside the attempt, so the timeout covers it and the caller gets it buffered.
 */
export async function send(
  request: OutgoingRequest,
  settings: TransportSettings,
  record: AttemptRecord = {},
): Promise<Response> {
  const { signal } = settings;
  // Each attempt's fetch copies the headers, so one set can carry each attempt's token in turn.
  const headers = request.headers;
  const given = headers.get("Authorization");
  const init: RequestInit = { method: request.method, headers, body: request.body, redirect: request.redirect };
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw new AbortedError(signal.reason);
    record.token = settings.token ? await abortable(settings.token(), signal) : undefined;
    if (record.token) headers.set("Authorization", `Bearer ${record.token}`);
    else if (given === null) headers.delete("Authorization");
    else headers.set("Authorization", given);

    const outcome = await attemptOnce(request.url, init, settings, record);
    const canRetry = settings.retry && attempt < settings.maxRetries;
    let delayMs: number | undefined;
    if (outcome instanceof Response) {
      if (!canRetry || !isRetryableStatus(outcome.status)) return outcome;
      delayMs = retryDelay(attempt, outcome.headers, settings);
      if (delayMs === undefined) return outcome;
    } else {
      if (!canRetry || outcome.kind === "aborted") throw outcome;
      delayMs = backoffDelay(attempt, settings);
    }
    await sleep(delayMs, signal);
  }
}

async function attemptOnce(
  url: string,
  init: RequestInit,
  settings: TransportSettings,
  record: AttemptRecord,
): Promise<Response | RefundsError> {
  const { signal, timeoutMs } = settings;
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  let timedOut = false;
  const timer =
    Number.isFinite(timeoutMs) && timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          controller.abort(new TimeoutError(timeoutMs));
        }, timeoutMs)
      : undefined;
  try {
    // A fetch that ignores its signal still loses the race against it.
    const response = await abortable(settings.send(url, { ...init, signal: controller.signal }), controller.signal);
    record.body = await abortable(response.text(), controller.signal);
    record.response = { status: response.status, headers: response.headers };
    const empty = response.status === 204 || response.status === 205 || response.status === 304;
    return new Response(empty ? null : record.body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  } catch (error) {
    if (signal?.aborted) return new AbortedError(signal.reason);
    if (timedOut) return new TimeoutError(timeoutMs);
    return new NetworkError(error);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Delay before retry number `attempt + 1`: the server's `Retry-After` when it sent one, else backoff. */
function retryDelay(attempt: number, headers: Headers, settings: TransportSettings): number | undefined {
  const retryAfter = parseRetryAfter(headers.get("Retry-After"));
  if (retryAfter === undefined) return backoffDelay(attempt, settings);
  return retryAfter <= settings.maxRetryAfterMs ? retryAfter : undefined;
}

/** Exponential backoff with "equal jitter": half the delay is fixed, half random, so clients spread out. */
export function backoffDelay(attempt: number, settings: Required<BackoffOptions>): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** `Retry-After` in milliseconds: delay-seconds or an HTTP date; `undefined` when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its day and month; anything else (a negative number, say) is not one.
  const date = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
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

/** Settles with `promise`, or rejects with an {@link AbortedError} as soon as `signal` fires. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(new AbortedError(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
