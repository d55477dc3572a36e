// What every door of the API needs to know about bearer tokens, whoever issues them: why a token is refused and in
// which words, the `Authorization` header's token, the authority's interface, and the throttle of failed credential
// checks. The server's authority signs JWTs with Node's crypto (server/src/auth.ts); the in-process handlers keep
// opaque tokens in memory (`SessionAuthority`).
import type { TokenResponse } from "./types.js";

/** Why a token was refused. */
export type TokenProblem = "missing" | "invalid" | "expired";

/** What a refused token is told, by why it was refused. */
export const authMessages: Record<TokenProblem, string> = {
  missing: "Authorization header with a bearer token is required.",
  invalid: "The bearer token is not valid.",
  expired: "The bearer token has expired; get a new one from POST /api/auth/v2/token.",
};

/** The outcome of a credential exchange. */
export type Exchange =
  | { ok: true; token: TokenResponse }
  | { ok: false; reason: "credentials" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

/** Issues and checks access tokens. */
export interface Authority {
  /** A token for matching client credentials, or undefined. Not throttled: see `exchange`. */
  issue(clientId: string, clientSecret: string): TokenResponse | undefined;
  /** The token endpoint's throttled credential exchange, from a client at `address`. */
  exchange(clientId: string, clientSecret: string, address: string): Exchange;
  /** Undefined when the token may be used now, else why not. */
  check(token: string | undefined): TokenProblem | undefined;
}

/** Limits of the token endpoint's failure throttle. */
export interface ThrottleOptions {
  /** Failures of one client id from one address within `windowSeconds` before a pause. */
  perClient: number;
  /** Failures from one address (any client id) within `windowSeconds` before a pause. */
  perAddress: number;
  /** How long failures count, and how long the pause lasts. */
  windowSeconds: number;
  /** Keys remembered at most; the oldest go first. */
  maxKeys: number;
}

export const defaultThrottle: ThrottleOptions = { perClient: 10, perAddress: 50, windowSeconds: 300, maxKeys: 10_000 };

/** Fixed windows of failures per key: a key over its limit is paused until its window ends. */
export class FailureThrottle {
  private readonly windows = new Map<string, { failures: number; until: number }>();

  constructor(
    private readonly options: ThrottleOptions,
    private readonly now: () => number,
  ) {}

  private limitOf(key: string): number {
    return key.startsWith("client") ? this.options.perClient : this.options.perAddress;
  }

  /** Seconds until the longest pause among `keys` ends, or undefined when none is paused. */
  blocked(keys: readonly string[]): number | undefined {
    const now = this.now();
    let until = 0;
    for (const key of keys) {
      const window = this.windows.get(key);
      if (window && window.until > now && window.failures >= this.limitOf(key)) until = Math.max(until, window.until);
    }
    return until > 0 ? Math.max(1, Math.ceil((until - now) / 1000)) : undefined;
  }

  fail(keys: readonly string[]): void {
    const now = this.now();
    for (const key of keys) {
      const window = this.windows.get(key);
      if (window && window.until > now) window.failures++;
      else {
        this.windows.delete(key);
        this.windows.set(key, { failures: 1, until: now + this.options.windowSeconds * 1000 });
      }
    }
    this.prune(now);
  }

  succeed(keys: readonly string[]): void {
    for (const key of keys) this.windows.delete(key);
  }

  private prune(now: number): void {
    if (this.windows.size <= this.options.maxKeys) return;
    for (const [key, window] of this.windows) if (window.until <= now) this.windows.delete(key);
    // Still too many: forget the oldest windows (a Map iterates in insertion order).
    for (const key of this.windows.keys()) {
      if (this.windows.size <= this.options.maxKeys) break;
      this.windows.delete(key);
    }
  }
}

/** The keys an exchange is throttled under: the client id at the address, and the address. */
export function throttleKeys(clientId: string, address: string): [string, string] {
  return [`client\u0000${clientId}\u0000${address}`, `address\u0000${address}`];
}

/**
 * The exchange every authority shares: while the client id at that address (or the address itself) has failed too
 * often, every attempt is refused, the right secret too, until the pause ends; so guessing online goes no faster
 * than the limits allow.
 */
export function throttledExchange(
  throttle: FailureThrottle,
  issue: () => TokenResponse | undefined,
  clientId: string,
  address: string,
): Exchange {
  const keys = throttleKeys(clientId, address);
  const retryAfterSeconds = throttle.blocked(keys);
  if (retryAfterSeconds !== undefined) return { ok: false, reason: "throttled", retryAfterSeconds };
  const token = issue();
  if (!token) {
    throttle.fail(keys);
    return { ok: false, reason: "credentials" };
  }
  throttle.succeed(keys.slice(0, 1));
  return { ok: true, token };
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Who may get tokens from a {@link SessionAuthority}, and for how long they stay valid. */
export interface SessionAuthorityOptions {
  clientId: string;
  clientSecret: string;
  /** Bearer tokens accepted as they are, without expiry. */
  staticTokens?: readonly string[];
  /** Lifetime of an issued token; 3600 by default. */
  tokenTtlSeconds?: number;
  /** Failed credential checks allowed before a pause (see {@link ThrottleOptions}). */
  throttle?: Partial<ThrottleOptions>;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

/**
 * An authority for a double that lives in one process or page: issued tokens are random and remembered here until
 * they expire, so nothing is signed and no key is needed. Clients treat tokens as opaque, so they cannot tell.
 */
export class SessionAuthority implements Authority {
  readonly tokenTtlSeconds: number;
  private readonly issued = new Map<string, number>();
  private readonly staticTokens: ReadonlySet<string>;
  private readonly now: () => number;
  private readonly throttle: FailureThrottle;

  constructor(private readonly options: SessionAuthorityOptions) {
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
    this.staticTokens = new Set(options.staticTokens ?? []);
    this.now = options.now ?? Date.now;
    this.throttle = new FailureThrottle({ ...defaultThrottle, ...options.throttle }, this.now);
  }

  issue(clientId: string, clientSecret: string): TokenResponse | undefined {
    if (clientId !== this.options.clientId || clientSecret !== this.options.clientSecret) return undefined;
    const token = `session.${crypto.randomUUID()}`;
    this.issued.set(token, this.now() + this.tokenTtlSeconds * 1000);
    return { access_token: token, expires_in: this.tokenTtlSeconds, token_type: "Bearer" };
  }

  exchange(clientId: string, clientSecret: string, address: string): Exchange {
    return throttledExchange(this.throttle, () => this.issue(clientId, clientSecret), clientId, address);
  }

  check(token: string | undefined): TokenProblem | undefined {
    if (!token) return "missing";
    if (this.staticTokens.has(token)) return undefined;
    const expires = this.issued.get(token);
    if (expires === undefined) return "invalid";
    return expires > this.now() ? undefined : "expired";
  }

  /** Forgets every issued token. */
  clear(): void {
    this.issued.clear();
  }
}
