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
export interface TransportSettings {
  send: Sender;
  backoff: Required<BackoffOptions>;
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
    // openapi-fetch passes a Headers of its own making, fresh for each call.
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
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
      delayMs = retryDelay(attempt, outcome.headers, settings.backoff);
      if (delayMs === undefined) return outcome;
    } else {
      if (!canRetry || outcome.kind === "aborted") throw outcome;
      delayMs = backoffDelay(attempt, settings.backoff);
    }
    await sleep(delayMs, signal);
  }
}

/**
 * One attempt: the answer with its body read, or the error it ended in. The caller's signal and the timeout settle
 * it at once, even when the fetch or the body ignores the abort they send it.
 */
function attemptOnce(
  url: string,
  init: RequestInit,
  settings: TransportSettings,
  record: AttemptRecord,
): Promise<Response | RefundsError> {
  const { signal, timeoutMs } = settings;
  if (signal?.aborted) return Promise.resolve(new AbortedError(signal.reason));
  const controller = new AbortController();
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const settle = (outcome: Response | RefundsError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(outcome);
    };
    const onAbort = () => {
      settle(new AbortedError(signal?.reason));
      controller.abort(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    if (Number.isFinite(timeoutMs) && timeoutMs > 0) {
      timer = setTimeout(() => {
        const error = new TimeoutError(timeoutMs);
        settle(error);
        controller.abort(error);
      }, timeoutMs);
    }
    const sent: RequestInit = {
      method: init.method,
      headers: init.headers,
      body: init.body,
      redirect: init.redirect,
      signal: controller.signal,
    };
    settings
      .send(url, sent)
      .then(async (response) => {
        const text = await response.text();
        if (settled) return;
        record.body = text;
        record.response = { status: response.status, headers: response.headers };
        settle(new BufferedResponse(response, text));
      })
      .catch((error: unknown) => settle(new NetworkError(error)));
  });
}

/**
 * An answer whose body was read in full, as openapi-fetch then reads it. The body is kept as the text it was read
 * as: given to `new Response()`, it would become a stream again, which costs about as much as the rest of the call.
 */
class BufferedResponse extends Response {
  readonly #text: string;

  constructor(response: Response, text: string) {
    super(null, { status: response.status, statusText: response.statusText, headers: response.headers });
    this.#text = text;
  }

  override async text(): Promise<string> {
    return this.#text;
  }

  override async json(): Promise<unknown> {
    return JSON.parse(this.#text);
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return new TextEncoder().encode(this.#text).buffer as ArrayBuffer;
  }

  override async blob(): Promise<Blob> {
    return new Blob([this.#text], { type: this.headers.get("Content-Type") ?? "" });
  }
}

/** Delay before retry number `attempt + 1`: the server's `Retry-After` when it sent one, else backoff. */
function retryDelay(attempt: number, headers: Headers, settings: Required<BackoffOptions>): number | undefined {
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
