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

/** openapi-fetch's `fetch` option for one attempt: sends the attempt's request. */
export type AttemptFetch = (request: Request) => Promise<Response>;

/** Statuses worth another attempt: the request timed out, was rate limited, or the server failed. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Runs one attempt, `run` being everything it does: openapi-fetch's middleware, the fetch (`run` hands openapi-fetch
 * the `fetch` it is given), and openapi-fetch reading the body, so the timeout covers the body too. The caller's
 * signal and the timeout settle it at once, with an {@link AbortedError} or a {@link TimeoutError}, and abort the
 * attempt's fetch, even when the fetch or the body ignores that abort. Any other failure is made a client error by
 * {@link attemptError}. `custom` is the client's `fetch` option.
 */
export function runAttempt<T>(
  limits: AttemptLimits,
  custom: FetchLike | undefined,
  run: (fetch: AttemptFetch) => Promise<T>,
): Promise<T> {
  const signal = limits.signal;
  if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
  return new Attempt<T>(limits, custom).start(run);
}

/**
 * One attempt in flight: its own signal, the answer once it arrived, and how it settles. Every call makes one, so its
 * timer and the caller's signal call back into it (`setTimeout`'s argument, `handleEvent`) rather than through
 * functions made for each attempt (which tsx, as the benchmark runs the source, also names one by one).
 */
class Attempt<T> {
  /** The signal the fetch is sent with: aborted when the attempt times out or the caller aborts. */
  readonly signal: AbortSignal;
  /** The answer as the fetch returned it. */
  response: Response | undefined = undefined;
  /** Its body, when the transport read it (a success body that is not declared JSON). */
  text: string | undefined = undefined;
  readonly #controller = new AbortController();
  readonly #limits: AttemptLimits;
  readonly custom: FetchLike | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #settled = false;
  #reject: (error: unknown) => void = noop;

  constructor(limits: AttemptLimits, custom: FetchLike | undefined) {
    this.#limits = limits;
    this.custom = custom;
    this.signal = this.#controller.signal;
  }

  start(run: (fetch: AttemptFetch) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#reject = reject;
      const { signal, timeoutMs } = this.#limits;
      signal?.addEventListener("abort", this, { once: true });
      if (Number.isFinite(timeoutMs) && timeoutMs > 0) this.#timer = setTimeout(Attempt.#timeUp, timeoutMs, this);
      // openapi-fetch's `fetch` for this attempt, made here and not kept in a field: with it in a field, each call
      // left 1.6 times as many bytes surviving young-generation collections (`node --trace-gc`, 120,000 calls), as
      // undici keeps each request it followed a signal for until a full collection.
      run((request) => sendAttempt(request, this)).then(
        (value) => {
          if (this.#settle()) resolve(value);
        },
        (error: unknown) => {
          if (this.#settle()) reject(attemptError(error, this));
        },
      );
    });
  }

  /** The caller's signal fired. */
  handleEvent(): void {
    if (!this.#settle()) return;
    const reason: unknown = this.#limits.signal?.reason;
    this.#reject(new AbortedError(reason));
    this.#controller.abort(reason);
  }

  static #timeUp(attempt: Attempt<unknown>): void {
    if (!attempt.#settle()) return;
    const error = new TimeoutError(attempt.#limits.timeoutMs, attempt.response?.headers);
    attempt.#reject(error);
    attempt.#controller.abort(error);
  }

  /** Settles the attempt once: true the first time, then false. */
  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#limits.signal?.removeEventListener("abort", this);
    return true;
  }
}

function noop(): void {}

/**
 * What a failed attempt rejects with: the transport's own errors as they are; a success body that is not JSON
 * (openapi-fetch's `SyntaxError`, kept as the cause) as an {@link UnexpectedResponseError}, with the text when the
 * transport read it; a body that broke off while openapi-fetch read it as a {@link NetworkError}. Anything else,
 * such as an error of the caller's middleware, stays as it is.
 */
function attemptError(error: unknown, attempt: Attempt<unknown>): unknown {
  const response = attempt.response;
  if (error instanceof RefundsError || !response) return error;
  if (error instanceof SyntaxError && response.ok) {
    return new UnexpectedResponseError(response.status, attempt.text, response.headers, "body is not JSON", error);
  }
  return response.bodyUsed ? new NetworkError(error) : error;
}

/**
 * The `Request` class openapi-fetch builds each attempt's request with (its public `Request` option): a `Request`
 * like any other, that also keeps the text of a body built from a string, as openapi-fetch's JSON bodies are. The
 * transport then sends that text instead of reading the request's body stream back, which costs about as much as
 * building the request.
 */
export class OutgoingRequest extends Request {
  readonly #text: string | undefined;

  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(input, init);
    this.#text = typeof init?.body === "string" ? init.body : undefined;
  }

  /**
   * Every `Request` is an instance as far as `instanceof` goes: openapi-fetch checks a request that a middleware
   * returns from `onRequest` against the class of its `Request` option, and a middleware returns a plain `Request`.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Request;
  }

  /**
   * The body's text without reading the stream, while nothing has read or locked it; `undefined` for a request this
   * class did not build (a middleware may answer `onRequest` with a new `Request`) or a body that is not a string.
   */
  static unreadText(request: Request): string | undefined {
    if (!(#text in request) || request.bodyUsed || request.body?.locked) return undefined;
    return request.#text;
  }
}

/**
 * openapi-fetch's `fetch` for one attempt: sends `request` with the attempt's signal and hands openapi-fetch the
 * answer as it came, for it to read. Rejects with a {@link NetworkError} when no answer arrives.
 */
async function sendAttempt(request: Request, attempt: Attempt<unknown>): Promise<Response> {
  const { signal, custom } = attempt;
  // An attempt abandoned (timed out while its middleware waited, say) sends nothing.
  if (signal.aborted) throw signal.reason;
  // The body as text, so the global fetch gets the string as a plain init body (openapi-fetch's JSON bodies are text);
  // read back from the request only when it is not the text openapi-fetch built it from.
  const body = request.body === null ? undefined : (OutgoingRequest.unreadText(request) ?? (await request.text()));
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
