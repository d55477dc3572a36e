// Bearer tokens: the client-credentials exchange of `POST /api/auth/v2/token`, and the check of every other call.
// Access tokens are HS256 JWTs signed with a key of their own (AUTH_SIGNING_KEY), never one derived from the client
// secret: a token must not let anyone test guesses of the secret offline. Instances behind one database share the
// key; without one, each process draws a random key, and its tokens die with it.
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import {
  type Authority,
  defaultThrottle,
  type Exchange,
  FailureThrottle,
  type ThrottleOptions,
  type TokenProblem,
  type TokenResponse,
  throttledExchange,
} from "@refunds-api/core";

export { bearerToken, type Exchange, type ThrottleOptions, type TokenProblem } from "@refunds-api/core";

/** Who may get tokens, how tokens are signed, and for how long they stay valid. */
export interface AuthOptions {
  clientId: string;
  clientSecret: string;
  /**
   * The key tokens are signed with (at least 32 characters), shared by every instance that must accept the
   * others' tokens. Without it a random key is drawn: tokens then stop working when the process ends.
   */
  signingKey?: string;
  /**
   * The key used before the current one: tokens it signed are still accepted for `previousKeyGraceSeconds`
   * (the token lifetime by default, the longest any of them can live), so rotating the key logs nobody out.
   */
  previousSigningKey?: string;
  previousKeyGraceSeconds?: number;
  /** Bearer tokens accepted as they are, without expiry (for scripts and tests). */
  staticTokens?: readonly string[];
  /** Lifetime of an issued token; 3600 by default. */
  tokenTtlSeconds?: number;
  /** Failed credential checks allowed per client id and address, and per address, before a pause. */
  throttle?: Partial<ThrottleOptions>;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now?: () => number;
}

/** The shortest signing key accepted. */
export const minSigningKeyLength = 32;

const encodedHeader = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
const base64url = /^[A-Za-z0-9_-]+$/;

const sha256 = (text: string) => createHash("sha256").update(text).digest();

/** Issues and checks access tokens. */
export class TokenAuthority implements Authority {
  readonly tokenTtlSeconds: number;
  /** True when no signing key was given and this process drew one: its tokens do not survive a restart. */
  readonly ephemeralKey: boolean;
  private readonly key: Buffer;
  private readonly previousKey: Buffer | undefined;
  private readonly previousKeyUntil: number;
  private readonly clientIdHash: Buffer;
  private readonly clientSecretHash: Buffer;
  private readonly staticTokens: ReadonlySet<string>;
  private readonly now: () => number;
  private readonly throttle: FailureThrottle;

  constructor(options: AuthOptions) {
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
    this.now = options.now ?? Date.now;
    for (const [name, key] of [
      ["signingKey", options.signingKey],
      ["previousSigningKey", options.previousSigningKey],
    ] as const) {
      if (key !== undefined && key.length < minSigningKeyLength) {
        throw new Error(`The token ${name} must be at least ${minSigningKeyLength} characters long`);
      }
    }
    this.ephemeralKey = options.signingKey === undefined;
    this.key = options.signingKey === undefined ? randomBytes(32) : Buffer.from(options.signingKey, "utf8");
    this.previousKey =
      options.previousSigningKey === undefined ? undefined : Buffer.from(options.previousSigningKey, "utf8");
    this.previousKeyUntil = this.now() + (options.previousKeyGraceSeconds ?? this.tokenTtlSeconds) * 1000;
    this.clientIdHash = sha256(options.clientId);
    this.clientSecretHash = sha256(options.clientSecret);
    this.staticTokens = new Set(options.staticTokens ?? []);
    this.throttle = new FailureThrottle({ ...defaultThrottle, ...options.throttle }, this.now);
  }

  /** Whether the client credentials match (constant-time whatever the lengths: hashes are compared). */
  private matches(clientId: string, clientSecret: string): boolean {
    const idOk = timingSafeEqual(sha256(clientId), this.clientIdHash);
    const secretOk = timingSafeEqual(sha256(clientSecret), this.clientSecretHash);
    return idOk && secretOk;
  }

  /** A token for matching client credentials, or undefined. Not throttled: see `exchange`. */
  issue(clientId: string, clientSecret: string): TokenResponse | undefined {
    if (!this.matches(clientId, clientSecret)) return undefined;
    const iat = Math.floor(this.now() / 1000);
    const payload = { sub: clientId, iat, exp: iat + this.tokenTtlSeconds, jti: randomUUID() };
    const body = `${encodedHeader}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
    return {
      access_token: `${body}.${sign(this.key, body)}`,
      expires_in: this.tokenTtlSeconds,
      token_type: "Bearer",
    };
  }

  /**
   * The credential exchange of the token endpoint, from a client at `address`: while the client id at that address
   * (or the address itself) has failed too often, every attempt is refused, the right secret too, until the pause
   * ends; so guessing online goes no faster than the limits allow.
   */
  exchange(clientId: string, clientSecret: string, address: string): Exchange {
    return throttledExchange(this.throttle, () => this.issue(clientId, clientSecret), clientId, address);
  }

  /** Undefined when the token may be used now, else why not. */
  check(token: string | undefined): TokenProblem | undefined {
    if (!token) return "missing";
    if (this.staticTokens.has(token)) return undefined;
    // Strict: exactly three unpadded base64url parts, our header, and the signature as we write it, character
    // for character (another encoding of the same bytes, padding or stray characters are refused).
    const parts = token.split(".");
    if (parts.length !== 3 || !parts.every((p) => base64url.test(p))) return "invalid";
    const [header, payload, signature] = parts as [string, string, string];
    if (header !== encodedHeader) return "invalid";
    const body = `${header}.${payload}`;
    const keys = [this.key];
    if (this.previousKey && this.now() < this.previousKeyUntil) keys.push(this.previousKey);
    if (!keys.some((key) => sameText(signature, sign(key, body)))) return "invalid";
    let exp: unknown;
    try {
      exp = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")).exp;
    } catch {
      return "invalid";
    }
    if (typeof exp !== "number") return "invalid";
    return exp * 1000 > this.now() ? undefined : "expired";
  }
}

function sign(key: Buffer, body: string): string {
  return createHmac("sha256", key).update(body).digest("base64url");
}

/** Constant-time equality of two ASCII strings. */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, "latin1");
  const y = Buffer.from(b, "latin1");
  return x.length === y.length && timingSafeEqual(x, y);
}
