import type { TokenRequest, TokenResponse } from "@refunds-api/contract";
import type { Middleware } from "openapi-fetch";
import type { ApiResponse } from "./client.js";
import { UnexpectedResponseError } from "./errors.js";

/** Client credentials, exchanged for an access token at `POST /api/auth/v2/token`. */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /**
   * How long before its expiry a token is replaced. Default 60 s, at most half the token's lifetime,
   * so a request never leaves with a token about to expire.
   */
  refreshBeforeExpiryMs?: number;
}

/** How the client authenticates: a bearer token, a function that returns one (and may cache it), or client credentials. */
export type AuthOption = string | (() => string | Promise<string>) | ClientCredentials;

/** Hands out the bearer token for each request. */
export interface TokenSource {
  /**
   * The token to send, or a promise of it when it must be fetched or refreshed first (or the caller's function
   * returns one); `undefined` sends no `Authorization`.
   */
  token(): string | undefined | Promise<string | undefined>;
  /** Drops `token` from the cache when the API refused it, so the next request fetches a new one. */
  invalidate(token: string | undefined): void;
}

/**
 * The token source for an {@link AuthOption}. Client credentials are exchanged with `exchange`; the token is cached
 * until shortly before it expires, and concurrent requests share one exchange in flight.
 */
export function createTokenSource(
  auth: AuthOption | undefined,
  exchange: (credentials: TokenRequest) => Promise<ApiResponse<TokenResponse>>,
): TokenSource {
  if (auth === undefined || typeof auth === "string") {
    return { token: () => auth, invalidate() {} };
  }
  if (typeof auth === "function") {
    return { token: () => auth(), invalidate() {} };
  }

  const { clientId, clientSecret, refreshBeforeExpiryMs = 60_000 } = auth;
  let cached: { token: string; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function refresh(): Promise<string> {
    const requestedAt = Date.now();
    const { data: answer, response } = await exchange({ client_id: clientId, client_secret: clientSecret });
    if (typeof answer?.access_token !== "string" || !(answer.expires_in > 0)) {
      const detail = "token answer lacks access_token or expires_in";
      throw new UnexpectedResponseError(response.status, answer, response.headers, detail);
    }
    // Counted from when the request left, so the token is never held past its real expiry.
    const lifetimeMs = answer.expires_in * 1000;
    cached = {
      token: answer.access_token,
      refreshAt: requestedAt + lifetimeMs - Math.min(refreshBeforeExpiryMs, lifetimeMs / 2),
    };
    return answer.access_token;
  }

  return {
    token() {
      if (cached && Date.now() < cached.refreshAt) return cached.token;
      inFlight ??= refresh().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate(token) {
      if (token !== undefined && cached?.token === token) cached = undefined;
    },
  };
}

/**
 * Sends the bearer token on every request but those of `unauthenticated` paths, asked anew for each request. The
 * client sends each attempt of a call through openapi-fetch again, so a retry carries a token refreshed meanwhile.
 * A 403 drops the token it was sent with, so the next request fetches a new one.
 */
export function authMiddleware(tokens: TokenSource, unauthenticated: ReadonlySet<string>): Middleware {
  return {
    onRequest({ request, schemaPath }) {
      if (unauthenticated.has(schemaPath)) return undefined;
      const token = tokens.token();
      // A token at hand is set at once; only one still to come makes openapi-fetch wait for it.
      if (typeof token === "object") return token.then((value) => setBearer(request, value));
      setBearer(request, token);
      return undefined;
    },
    onResponse({ request, response }) {
      if (response.status !== 403) return;
      const sent = request.headers.get("Authorization");
      if (sent?.startsWith("Bearer ")) tokens.invalidate(sent.slice("Bearer ".length));
    },
  };
}

/** Replaces an Authorization header of the caller's: with `auth`, the client's token is the one that counts. */
function setBearer(request: Request, token: string | undefined): undefined {
  if (token) request.headers.set("Authorization", `Bearer ${token}`);
  return undefined;
}
