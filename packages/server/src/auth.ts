// Bearer tokens: the client-credentials exchange of `POST /api/auth/v2/token`, and the check of every other call.
// Access tokens are HS256 JWTs signed with a key derived from the client secret, so they stay valid across a
// restart with the same credentials and need no token table.
import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type { TokenResponse } from "./types.js";

/** Who may get tokens, and for how long they stay valid. */
export interface AuthOptions {
  clientId: string;
  clientSecret: string;
  /** Bearer tokens accepted as they are, without expiry (for scripts and tests). */
  staticTokens?: readonly string[];
  /** Lifetime of an issued token; 3600 by default. */
  tokenTtlSeconds?: number;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now?: () => number;
}

/** Why a token was refused. */
export type TokenProblem = "missing" | "invalid" | "expired";

const encodedHeader = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

const sha256 = (text: string) => createHash("sha256").update(text).digest();

/** Issues and checks access tokens. */
export class TokenAuthority {
  readonly tokenTtlSeconds: number;
  private readonly key: Buffer;
  private readonly clientIdHash: Buffer;
  private readonly clientSecretHash: Buffer;
  private readonly staticTokens: ReadonlySet<string>;
  private readonly now: () => number;

  constructor(options: AuthOptions) {
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
    this.key = createHmac("sha256", options.clientSecret).update("refunds-api access token").digest();
    this.clientIdHash = sha256(options.clientId);
    this.clientSecretHash = sha256(options.clientSecret);
    this.staticTokens = new Set(options.staticTokens ?? []);
    this.now = options.now ?? Date.now;
  }

  /** A token for matching client credentials, or undefined. */
  issue(clientId: string, clientSecret: string): TokenResponse | undefined {
    // Comparing hashes keeps the comparison constant-time whatever the lengths.
    const idOk = timingSafeEqual(sha256(clientId), this.clientIdHash);
    const secretOk = timingSafeEqual(sha256(clientSecret), this.clientSecretHash);
    if (!idOk || !secretOk) return undefined;
    const iat = Math.floor(this.now() / 1000);
    const payload = { sub: clientId, iat, exp: iat + this.tokenTtlSeconds, jti: randomUUID() };
    const body = `${encodedHeader}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
    return { access_token: `${body}.${this.sign(body)}`, expires_in: this.tokenTtlSeconds, token_type: "Bearer" };
  }

  /** Undefined when the token may be used now, else why not. */
  check(token: string | undefined): TokenProblem | undefined {
    if (!token) return "missing";
    if (this.staticTokens.has(token)) return undefined;
    const dot = token.lastIndexOf(".");
    if (dot < 0) return "invalid";
    const body = token.slice(0, dot);
    const signature = Buffer.from(token.slice(dot + 1), "base64url");
    const expected = Buffer.from(this.sign(body), "base64url");
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return "invalid";
    let exp: unknown;
    try {
      exp = JSON.parse(Buffer.from(body.slice(body.indexOf(".") + 1), "base64url").toString("utf8")).exp;
    } catch {
      return "invalid";
    }
    if (typeof exp !== "number") return "invalid";
    return exp * 1000 > this.now() ? undefined : "expired";
  }

  private sign(body: string): string {
    return createHmac("sha256", this.key).update(body).digest("base64url");
  }
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
