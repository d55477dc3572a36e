import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type AuthOption, UnauthorizedError, UnexpectedResponseError } from "../src/index.js";
import { examples } from "./support/examples.js";
import { clientWith, json, type SeenRequest } from "./support/fake-fetch.js";

const tokenPath = "/api/auth/v2/token";
const credentials = { clientId: "client-1", clientSecret: "s3cret" };

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, "random").mockReturnValue(0.5);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A fake API: the token endpoint hands out `token-1`, `token-2`, … valid for `expiresIn` seconds; the rest answer a refund. */
function fakeApi({ expiresIn = 3600, tokenDelayMs = 0 } = {}) {
  let issued = 0;
  return async (request: Request) => {
    if (new URL(request.url).pathname !== tokenPath) return json(200, examples.patientRefund);
    if (tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, tokenDelayMs));
    issued += 1;
    return json(200, { access_token: `token-${issued}`, expires_in: expiresIn, token_type: "Bearer" });
  };
}

const authorizations = (requests: SeenRequest[]) =>
  requests.filter((r) => r.url.pathname !== tokenPath).map((r) => r.headers.get("Authorization"));
const tokenRequests = (requests: SeenRequest[]) => requests.filter((r) => r.url.pathname === tokenPath);

describe("auth", () => {
  it.each<{ name: string; auth: AuthOption | undefined; want: (string | null)[] }>([
    { name: "a static token", auth: "static-token", want: ["Bearer static-token", "Bearer static-token"] },
    { name: "a sync provider", auth: () => "sync-token", want: ["Bearer sync-token", "Bearer sync-token"] },
    {
      name: "an async provider, asked on every request",
      auth: (() => {
        let n = 0;
        return async () => `async-${++n}`;
      })(),
      want: ["Bearer async-1", "Bearer async-2"],
    },
    { name: "client credentials", auth: credentials, want: ["Bearer token-1", "Bearer token-1"] },
    { name: "no auth", auth: undefined, want: [null, null] },
  ])("$name", async ({ auth, want }) => {
    const { client, requests } = clientWith([fakeApi()], { auth });
    await client.patientRefunds.get("r-1");
    await client.patientRefunds.get("r-2");
    expect(authorizations(requests)).toEqual(want);
  });

  it.each<{ name: string; auth: AuthOption | undefined; want: string }>([
    { name: "kept without auth", auth: undefined, want: "Basic dXNlcjpwdw==" },
    { name: "replaced by the token with auth", auth: "static-token", want: "Bearer static-token" },
  ])("an Authorization header of the caller is $name", async ({ auth, want }) => {
    const { client, requests } = clientWith([fakeApi(), json(503, {}), fakeApi()], {
      auth,
      headers: { Authorization: "Basic dXNlcjpwdw==" },
    });
    await client.patientRefunds.get("r-1");
    const call = client.patientRefunds.get("r-2");
    await vi.runAllTimersAsync();
    await call;
    expect(authorizations(requests)).toEqual([want, want, want]);
  });

  it("exchanges client credentials at the token endpoint, without a bearer token", async () => {
    const { client, requests } = clientWith([fakeApi()], { auth: credentials });
    await client.patientRefunds.get("r-1");
    const [exchange] = tokenRequests(requests);
    expect(exchange?.method).toBe("POST");
    expect(JSON.parse(exchange?.body ?? "")).toEqual({ client_id: "client-1", client_secret: "s3cret" });
    expect(exchange?.headers.get("Authorization")).toBeNull();
  });

  it("caches the token until shortly before it expires, then refreshes it", async () => {
    const { client, requests } = clientWith([fakeApi({ expiresIn: 3600 })], { auth: credentials });
    await client.patientRefunds.get("r-1");
    await vi.advanceTimersByTimeAsync(3600_000 - 60_001);
    await client.patientRefunds.get("r-2");
    await vi.advanceTimersByTimeAsync(1);
    await client.patientRefunds.get("r-3");
    expect(authorizations(requests)).toEqual(["Bearer token-1", "Bearer token-1", "Bearer token-2"]);
    expect(tokenRequests(requests)).toHaveLength(2);
  });

  it.each([
    {
      name: "default margin, short-lived token: half its lifetime",
      expiresIn: 60,
      options: {},
      refreshAfterMs: 30_000,
    },
    { name: "custom margin", expiresIn: 600, options: { refreshBeforeExpiryMs: 100_000 }, refreshAfterMs: 500_000 },
  ])("refreshes at the right time: $name", async ({ expiresIn, options, refreshAfterMs }) => {
    const { client, requests } = clientWith([fakeApi({ expiresIn })], { auth: { ...credentials, ...options } });
    await client.patientRefunds.get("r-1");
    await vi.advanceTimersByTimeAsync(refreshAfterMs - 1);
    await client.patientRefunds.get("r-2");
    expect(tokenRequests(requests)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await client.patientRefunds.get("r-3");
    expect(tokenRequests(requests)).toHaveLength(2);
  });

  it("shares one exchange between concurrent requests", async () => {
    const { client, requests } = clientWith([fakeApi({ tokenDelayMs: 100 })], { auth: credentials });
    const calls = Promise.all(Array.from({ length: 5 }, (_, i) => client.patientRefunds.get(`r-${i}`)));
    await vi.advanceTimersByTimeAsync(100);
    await calls;
    expect(tokenRequests(requests)).toHaveLength(1);
    expect(new Set(authorizations(requests))).toEqual(new Set(["Bearer token-1"]));
  });

  it("does not cache a failed exchange: the next request tries again", async () => {
    let exchanges = 0;
    const { client, requests } = clientWith(
      [
        async (request) => {
          if (new URL(request.url).pathname !== tokenPath) return json(200, examples.patientRefund);
          exchanges += 1;
          return exchanges === 1
            ? json(403, examples.unauthorizedError)
            : json(200, { access_token: "fresh", expires_in: 3600, token_type: "Bearer" });
        },
      ],
      { auth: credentials },
    );
    await expect(client.patientRefunds.get("r-1")).rejects.toBeInstanceOf(UnauthorizedError);
    await client.patientRefunds.get("r-2");
    expect(authorizations(requests)).toEqual(["Bearer fresh"]);
  });

  it("retries the exchange on a server error", async () => {
    let exchanges = 0;
    const { client, requests } = clientWith(
      [
        async (request) => {
          if (new URL(request.url).pathname !== tokenPath) return json(200, examples.patientRefund);
          exchanges += 1;
          return exchanges === 1 ? json(503, {}) : json(200, examples.tokenResponse);
        },
      ],
      { auth: credentials },
    );
    const call = client.patientRefunds.get("r-1");
    await vi.runAllTimersAsync();
    await call;
    expect(tokenRequests(requests)).toHaveLength(2);
  });

  it("rejects a token answer without a lifetime", async () => {
    const { client } = clientWith([json(200, { access_token: "t", token_type: "Bearer" })], { auth: credentials });
    await expect(client.patientRefunds.get("r-1")).rejects.toBeInstanceOf(UnexpectedResponseError);
  });

  it("drops a token the API refuses, so the next request gets a new one", async () => {
    let refuse = true;
    const api = fakeApi();
    const { client, requests } = clientWith(
      [
        async (request) => {
          if (new URL(request.url).pathname === tokenPath) return api(request);
          if (refuse) {
            refuse = false;
            return json(403, examples.unauthorizedError);
          }
          return json(200, examples.patientRefund);
        },
      ],
      { auth: credentials },
    );
    await expect(client.patientRefunds.get("r-1")).rejects.toBeInstanceOf(UnauthorizedError);
    await client.patientRefunds.get("r-2");
    expect(authorizations(requests)).toEqual(["Bearer token-1", "Bearer token-2"]);
  });

  it("asks for the token again before a retry", async () => {
    let n = 0;
    const { client, requests } = clientWith([json(503, {}), json(200, examples.patientRefund)], {
      auth: async () => `provided-${++n}`,
    });
    const call = client.patientRefunds.get("r-1");
    await vi.runAllTimersAsync();
    await call;
    expect(authorizations(requests)).toEqual(["Bearer provided-1", "Bearer provided-2"]);
  });
});
