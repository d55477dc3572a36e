import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearerToken, TokenAuthority } from "../src/index.js";
import { type Harness, startHarness } from "./support/harness.js";

const tokenPath = "/api/auth/v2/token";
/** The harness's signing key, so that a token issued here in the past is the server's own, only expired. */
const signingKey = "auth-test-signing-key-0123456789abcdef";
const credentials = { client_id: "dev-client", client_secret: "dev-secret" };
const id = "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ tokenTtlSeconds: 600, signingKey });
});
afterAll(() => h?.close());

const getToken = async () => (await h.request("POST", tokenPath, { token: null, body: credentials })).body.access_token;

describe("getToken", () => {
  it("exchanges client credentials for a bearer token that works", async () => {
    const reply = await h.request("POST", tokenPath, { token: null, body: credentials });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ access_token: expect.any(String), expires_in: 600, token_type: "Bearer" });
    const list = await h.request("GET", "/api/patient-refunds/v1", { token: reply.body.access_token });
    expect(list.status).toBe(200);
  });

  it.each([
    { name: "a wrong secret", body: { ...credentials, client_secret: "nope" }, want: [403, "UnauthorizedError"] },
    { name: "a wrong client id", body: { ...credentials, client_id: "someone" }, want: [403, "UnauthorizedError"] },
    { name: "no secret", body: { client_id: "dev-client" }, want: [422, "UnprocessableEntityError"] },
    { name: "an empty client id", body: { ...credentials, client_id: "" }, want: [422, "UnprocessableEntityError"] },
  ])("refuses $name", async ({ body, want }) => {
    const reply = await h.request("POST", tokenPath, { token: null, body });
    expect([reply.status, reply.body.errorName]).toEqual(want);
    expect(reply.body.content.message).toBeTruthy();
    expect(JSON.stringify(reply.body)).not.toContain("dev-secret");
  });

  it("tokens expire after expires_in seconds", async () => {
    const token = await getToken();
    h.clock.advance(599);
    expect((await h.request("GET", "/api/patient-refunds/v1", { token })).status).toBe(200);
    h.clock.advance(1);
    const reply = await h.request("GET", "/api/patient-refunds/v1", { token });
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({
      errorName: "UnauthorizedError",
      content: { message: expect.stringMatching(/expired/) },
    });
    // A fresh token works again.
    expect((await h.request("GET", "/api/patient-refunds/v1", { token: await getToken() })).status).toBe(200);
  });
});

// Every operation needs a token. The non-insurance payer operations declare no 403 (like the live service) but
// answer it all the same, in the same envelope.
const operations = [
  ["listPatientRefunds", "GET", "/api/patient-refunds/v1"],
  ["createPatientRefund", "POST", "/api/patient-refunds/v1"],
  ["getPatientRefund", "GET", `/api/patient-refunds/v1/${id}`],
  ["updatePatientRefund", "PATCH", `/api/patient-refunds/v1/${id}`],
  ["deletePatientRefund", "DELETE", `/api/patient-refunds/v1/${id}`],
  ["listNonInsurancePayerRefunds", "GET", "/api/non-insurance-payer-refunds/v1"],
  ["createNonInsurancePayerRefund", "POST", "/api/non-insurance-payer-refunds/v1"],
  ["getNonInsurancePayerRefund", "GET", `/api/non-insurance-payer-refunds/v1/${id}`],
  ["updateNonInsurancePayerRefund", "PATCH", `/api/non-insurance-payer-refunds/v1/${id}`],
  ["deleteNonInsurancePayerRefund", "DELETE", `/api/non-insurance-payer-refunds/v1/${id}`],
] as const;

const expired = new TokenAuthority({
  clientId: "dev-client",
  clientSecret: "dev-secret",
  signingKey,
  now: () => 0,
}).issue("dev-client", "dev-secret")?.access_token;
const foreign = new TokenAuthority({ clientId: "dev-client", clientSecret: "other-secret" }).issue(
  "dev-client",
  "other-secret",
)?.access_token;

describe.each(operations)("%s", (_name, method, path) => {
  it.each<{ name: string; headers: Record<string, string>; token: string | null | undefined; message: RegExp }>([
    { name: "no token", headers: {}, token: null, message: /bearer token is required/ },
    {
      name: "another scheme",
      headers: { authorization: "Basic ZGV2OmRldg==" },
      token: null,
      message: /bearer token is required/,
    },
    { name: "a made-up token", headers: {}, token: "made-up", message: /not valid/ },
    { name: "a token signed with another key", headers: {}, token: foreign, message: /not valid/ },
    { name: "an expired token", headers: {}, token: expired, message: /expired/ },
  ])("answers 403 UnauthorizedError to $name", async ({ headers, token, message }) => {
    const reply = await h.request(method, path, {
      headers,
      token,
      body: method === "POST" || method === "PATCH" ? {} : undefined,
    });
    expect(reply.status).toBe(403);
    expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
    expect(reply.body).toEqual({
      errorName: "UnauthorizedError",
      content: { message: expect.stringMatching(message) },
    });
  });
});

describe("TokenAuthority", () => {
  const authority = new TokenAuthority({
    clientId: "a",
    clientSecret: "b",
    staticTokens: ["static"],
    now: () => 1_000_000,
  });
  it.each([
    { given: undefined, want: "missing" },
    { given: "static", want: undefined },
    { given: authority.issue("a", "b")?.access_token, want: undefined },
    { given: `${authority.issue("a", "b")?.access_token}x`, want: "invalid" },
    { given: "no-dots", want: "invalid" },
    { given: "a.b.c", want: "invalid" },
  ])("check($given) is $want", ({ given, want }) => {
    expect(authority.check(given)).toBe(want);
  });

  it.each([
    { given: "Bearer abc", want: "abc" },
    { given: "bearer abc ", want: "abc" },
    { given: "Basic abc", want: undefined },
    { given: "Bearer", want: undefined },
    { given: "Bearer a b", want: undefined },
  ])("bearerToken($given) is $want", ({ given, want }) => {
    expect(bearerToken(given)).toBe(want);
  });
});
