// Hardening that does not depend on the store (memory here): corrupt encodings, the token before the body, the
// query parameter cap, strict integers, HEAD/OPTIONS/405/CORS, empty PATCH bodies, the allocation cap, and the token
// endpoint (a signing key of its own, strict base64url, the throttle, form-encoded credentials).
import { createHmac } from "node:crypto";
import { brotliCompressSync, deflateRawSync, gzipSync } from "node:zlib";
import { readConfig, startServer, TokenAuthority } from "@refunds-api/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultServer, faultToken, rawRequest, startFaultServer } from "./support.js";

const patientRefunds = "/api/patient-refunds/v1";
const payerRefunds = "/api/non-insurance-payer-refunds/v1";
const seededRefund = "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10";
const seededPayerRefund = "f6a7b8c9-d0e1-4f2a-9b3c-5d6e7f8a9bc0";
const payer = "d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7fa0";
const json = { "content-type": "application/json" };
const create = JSON.stringify({ amount_cents: 1, patient_external_id: "PAT-HARD", allocations: [] });

let s: FaultServer;
beforeAll(async () => {
  s = await startFaultServer({ level: "info" });
});
afterAll(() => s?.stop());

const errorLines = () => s.logs.map((l) => JSON.parse(l)).filter((l) => l.level >= 50);

describe("a body whose Content-Encoding does not decode", () => {
  const gzipped = gzipSync(create);
  it.each([
    { name: "gzip of garbage", encoding: "gzip", body: Buffer.from("certainly not gzip") },
    { name: "deflate without a zlib header", encoding: "deflate", body: deflateRawSync(create) },
    { name: "truncated gzip", encoding: "gzip", body: gzipped.subarray(0, gzipped.length - 8) },
    { name: "bad br", encoding: "br", body: Buffer.from("\u00ff\u00fe not brotli at all") },
    { name: "br cut short", encoding: "br", body: brotliCompressSync(create).subarray(0, 5) },
  ])("$name: 400 in the envelope, nothing logged as an error", async ({ encoding, body }) => {
    const before = errorLines().length;
    for (const path of [patientRefunds, "/api/auth/v2/token"]) {
      const reply = await rawRequest(s.url, {
        method: "POST",
        path,
        headers: { ...json, "content-encoding": encoding },
        body,
      });
      expect(reply.status, path).toBe(400);
      expect(reply.json).toEqual({
        errorName: "BadRequestError",
        content: { message: "The request body does not decode as its Content-Encoding says." },
      });
    }
    expect(errorLines().length).toBe(before);
  });

  it("a good gzip body still works", async () => {
    const reply = await rawRequest(s.url, {
      method: "POST",
      path: patientRefunds,
      headers: { ...json, "content-encoding": "gzip" },
      body: gzipped,
    });
    expect(reply.status).toBe(200);
  });
});

describe("the token is checked before the body is read", () => {
  it.each([
    { method: "POST", path: patientRefunds },
    { method: "PATCH", path: `${patientRefunds}/${seededRefund}` },
    { method: "POST", path: payerRefunds },
    { method: "PATCH", path: `${payerRefunds}/${seededPayerRefund}` },
  ])("$method $path: `{bad` is 403 without a token, 400 with one", async ({ method, path }) => {
    const without = await rawRequest(s.url, { method, path, headers: { ...json, authorization: null }, body: "{bad" });
    expect(without.status).toBe(403);
    expect(without.json.errorName).toBe("UnauthorizedError");
    const gzipBomb = await rawRequest(s.url, {
      method,
      path,
      headers: { ...json, authorization: null, "content-encoding": "gzip" },
      body: gzipSync(Buffer.alloc(5_000_000, 32)),
    });
    expect(gzipBomb.status).toBe(403);
    const withToken = await rawRequest(s.url, { method, path, headers: json, body: "{bad" });
    expect(withToken.status).toBe(400);
  });
});

describe("query strings", () => {
  it("refuses more than 1,000 parameters rather than dropping the rest", async () => {
    const over = await rawRequest(s.url, { path: `${patientRefunds}?${"sources=STRIPE&".repeat(1000)}limit=0` });
    expect(over.status).toBe(400);
    expect(over.json).toEqual({
      errorName: "BadRequestError",
      content: { message: "The query string has 1001 parameters; at most 1000 are accepted." },
    });
    const atCap = await rawRequest(s.url, { path: `${patientRefunds}?${"sources=STRIPE&".repeat(999)}limit=0` });
    expect(atCap.status).toBe(422);
    expect(atCap.json.content.message).toBe("query.limit: must be at least 1");
  });

  it.each(["0x10", "0b11", "0o7", "%201", "1%20", "1e1", "1.0", "+1", "%2B1", "1_0", "Infinity"])(
    "limit=%s is a 422: integers are decimal digits only",
    async (limit) => {
      const reply = await rawRequest(s.url, { path: `${patientRefunds}?limit=${limit}` });
      expect(reply.status).toBe(422);
      expect(reply.json.content.message).toBe("query.limit: must be an integer");
    },
  );

  it.each(["2", "010", "999"])("limit=%s is read as decimal", async (limit) => {
    const reply = await rawRequest(s.url, { path: `${payerRefunds}?limit=${limit}` });
    expect(reply.status).toBe(200);
  });
});

describe("HEAD, OPTIONS and 405", () => {
  it.each([
    patientRefunds,
    `${patientRefunds}/${seededRefund}`,
    payerRefunds,
    `${payerRefunds}/${seededPayerRefund}`,
    "/healthz",
    "/openapi.json",
  ])("HEAD %s answers as GET does, without a body", async (path) => {
    const get = await rawRequest(s.url, { path });
    const head = await rawRequest(s.url, { method: "HEAD", path });
    expect(head.status).toBe(200);
    expect(head.text).toBe("");
    expect(head.headers["content-type"]).toBe(get.headers["content-type"]);
    expect(head.headers["content-length"]).toBe(String(Buffer.byteLength(get.text)));
  });

  it.each([
    { path: patientRefunds, allow: "GET, HEAD, POST, OPTIONS" },
    { path: `${patientRefunds}/${seededRefund}`, allow: "GET, HEAD, PATCH, DELETE, OPTIONS" },
    { path: "/api/auth/v2/token", allow: "POST, OPTIONS" },
    { path: "/healthz", allow: "GET, HEAD, OPTIONS" },
  ])("OPTIONS $path is 204 with Allow: $allow", async ({ path, allow }) => {
    const reply = await rawRequest(s.url, { method: "OPTIONS", path, headers: { authorization: null } });
    expect(reply.status).toBe(204);
    expect(reply.headers.allow).toBe(allow);
    // CORS is off unless configured.
    expect(reply.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it.each([
    { method: "POST", path: "/healthz", allow: "GET, HEAD, OPTIONS" },
    { method: "DELETE", path: "/openapi.json", allow: "GET, HEAD, OPTIONS" },
    { method: "PUT", path: patientRefunds, allow: "GET, HEAD, POST, OPTIONS" },
    { method: "HEAD", path: "/api/auth/v2/token", allow: "POST, OPTIONS" },
    { method: "GET", path: "/api/auth/v2/token", allow: "POST, OPTIONS" },
  ])("$method $path is 405 with Allow: $allow", async ({ method, path, allow }) => {
    const reply = await rawRequest(s.url, { method, path });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe(allow);
    if (method !== "HEAD") expect(reply.json.errorName).toBe("MethodNotAllowedError");
  });

  it("OPTIONS on an unknown path is a 404", async () => {
    expect((await rawRequest(s.url, { method: "OPTIONS", path: "/api/nothing-here" })).status).toBe(404);
  });
});

describe("CORS", () => {
  const origin = "https://app.example.com";
  const servers: FaultServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop();
  });
  const start = async (corsOrigins: string[] | "*") => {
    const server = Object.assign(await startServer({ staticTokens: [faultToken], corsOrigins }), { logs: [] });
    servers.push(server);
    return server;
  };

  it("answers the preflight of an allowed origin, and every answer to it (errors too) carries the origin", async () => {
    const cors = await start([origin]);
    const preflight = await rawRequest(cors.url, {
      method: "OPTIONS",
      path: patientRefunds,
      headers: {
        authorization: null,
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      "access-control-allow-origin": origin,
      "access-control-allow-methods": "GET, HEAD, POST, OPTIONS",
      "access-control-allow-headers": "Authorization, Content-Type, X-Request-Id",
      vary: "Origin",
    });
    for (const authorization of [`Bearer ${faultToken}`, null]) {
      const reply = await rawRequest(cors.url, { path: patientRefunds, headers: { origin, authorization } });
      expect(reply.status).toBe(authorization ? 200 : 403);
      expect(reply.headers["access-control-allow-origin"]).toBe(origin);
      expect(reply.headers["access-control-expose-headers"]).toMatch(/X-Request-Id/);
    }
  });

  it("gives another origin no CORS headers", async () => {
    const cors = await start([origin]);
    const reply = await rawRequest(cors.url, {
      method: "OPTIONS",
      path: patientRefunds,
      headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
    });
    expect(reply.headers["access-control-allow-origin"]).toBeUndefined();
    const get = await rawRequest(cors.url, { path: patientRefunds, headers: { origin: "https://evil.example" } });
    expect(get.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("allows any origin with *", async () => {
    const cors = await start("*");
    const reply = await rawRequest(cors.url, { path: "/healthz", headers: { origin: "http://localhost:5173" } });
    expect(reply.headers["access-control-allow-origin"]).toBe("*");
  });
});

describe("PATCH bodies", () => {
  it.each([`${patientRefunds}/${seededRefund}`, `${payerRefunds}/${seededPayerRefund}`])(
    "an empty body on PATCH %s is a 422, the refund unchanged",
    async (path) => {
      const before = await rawRequest(s.url, { path });
      const reply = await rawRequest(s.url, { method: "PATCH", path, headers: json, body: "" });
      expect(reply.status).toBe(422);
      expect(reply.json).toEqual({ errorName: "UnprocessableEntityError", content: { message: "body: is required" } });
      expect((await rawRequest(s.url, { path })).json).toEqual(before.json);
    },
  );
});

describe("allocations per refund", () => {
  const allocation = { amount_cents: 0, target: { type: "unattributed" } };
  it.each([
    { path: patientRefunds, extra: { patient_external_id: "PAT-CAP" } },
    { path: payerRefunds, extra: { non_insurance_payer_id: payer } },
  ])("$path takes 100 and refuses 101, and 19,000, at once", async ({ path, extra }) => {
    const body = (n: number) => JSON.stringify({ amount_cents: 0, ...extra, allocations: Array(n).fill(allocation) });
    expect((await rawRequest(s.url, { method: "POST", path, headers: json, body: body(100) })).status).toBe(200);
    for (const n of [101, 19_000]) {
      const reply = await rawRequest(s.url, { method: "POST", path, headers: json, body: body(n) });
      expect(reply.status).toBe(422);
      expect(reply.json.content.message).toBe("body.allocations: must have at most 100 items");
    }
  });
});

describe("tokens", () => {
  const clientId = "hard-client";
  const clientSecret = "correct horse battery";
  const signingKey = `${"k".repeat(16)}0123456789abcdef`;
  let clock = Date.parse("2026-01-01T00:00:00Z");
  let server: FaultServer;
  beforeAll(async () => {
    server = Object.assign(
      await startServer({ clientId, clientSecret, signingKey, now: () => clock, staticTokens: [] }),
      { logs: [] },
    );
  });
  afterAll(() => server?.stop());

  const exchange = (secret: string, id = clientId) =>
    rawRequest(server.url, {
      method: "POST",
      path: "/api/auth/v2/token",
      headers: { ...json, authorization: null },
      body: JSON.stringify({ client_id: id, client_secret: secret }),
    });
  const use = (token: string) =>
    rawRequest(server.url, { path: patientRefunds, headers: { authorization: `Bearer ${token}` } });

  it("signs with its own key: a token signed with a key derived from the secret is refused", async () => {
    const token = (await exchange(clientSecret)).json.access_token as string;
    expect((await use(token)).status).toBe(200);
    const body = token.slice(0, token.lastIndexOf("."));
    // The old scheme, which let a token test guesses of the secret offline.
    const derived = createHmac("sha256", clientSecret).update("refunds-api access token").digest();
    const forged = `${body}.${createHmac("sha256", derived).update(body).digest("base64url")}`;
    expect(forged).not.toBe(token);
    expect((await use(forged)).status).toBe(403);
  });

  it("accepts tokens of another instance with the same key, and of the previous key for one token lifetime", async () => {
    const same = new TokenAuthority({ clientId, clientSecret, signingKey, now: () => clock });
    expect((await use(same.issue(clientId, clientSecret)?.access_token as string)).status).toBe(200);
    const oldKey = "o".repeat(40);
    const old = new TokenAuthority({ clientId, clientSecret, signingKey: oldKey, now: () => clock });
    const oldToken = old.issue(clientId, clientSecret)?.access_token as string;
    expect((await use(oldToken)).status).toBe(403);
    const rotated = new TokenAuthority({
      clientId,
      clientSecret,
      signingKey,
      previousSigningKey: oldKey,
      previousKeyGraceSeconds: 60,
      now: () => clock,
    });
    expect(rotated.check(oldToken)).toBeUndefined();
    clock += 61_000;
    expect(rotated.check(oldToken)).toBe("invalid");
    // Without a key, a process draws its own: tokens of one do not work on another.
    const a = new TokenAuthority({ clientId, clientSecret });
    const b = new TokenAuthority({ clientId, clientSecret });
    expect(a.ephemeralKey).toBe(true);
    expect(b.check(a.issue(clientId, clientSecret)?.access_token)).toBe("invalid");
  });

  it("decodes strictly: padding, stray characters or another last character are refused", async () => {
    const token = (await exchange(clientSecret)).json.access_token as string;
    const last = token.at(-1) as string;
    // Base64url's last character of a 32-byte signature carries 4 bits: its neighbour decodes to the same bytes.
    const sibling = String.fromCharCode(last.charCodeAt(0) ^ 1);
    for (const variant of [`${token}=`, `${token}==`, `${token}!`, `${token}~`, `${token.slice(0, -1)}${sibling}`]) {
      expect((await use(variant)).status, variant).toBe(403);
    }
    expect((await use(token)).status).toBe(200);
  });

  it("takes form-encoded credentials as OAuth clients send them", async () => {
    const form = (body: string) =>
      rawRequest(server.url, {
        method: "POST",
        path: "/api/auth/v2/token",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: null },
        body,
      });
    const ok = await form(
      `grant_type=client_credentials&client_id=${clientId}&client_secret=${encodeURIComponent(clientSecret)}`,
    );
    expect(ok.status).toBe(200);
    expect((await use(ok.json.access_token)).status).toBe(200);
    const password = await form(`grant_type=password&client_id=${clientId}&client_secret=x`);
    expect(password.status).toBe(422);
    expect(password.json.content.message).toMatch(/^body\.grant_type: /);
    // Only the token endpoint takes a form.
    const refund = await rawRequest(s.url, {
      method: "POST",
      path: patientRefunds,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "amount_cents=1",
    });
    expect(refund.status).toBe(415);
  });

  it("pauses a client id and address after 10 wrong secrets: 429 with Retry-After, the right secret too", async () => {
    const id = "throttled-client";
    const throttled = await startServer({ clientId: id, clientSecret, signingKey, now: () => clock });
    try {
      const attempt = (secret: string) =>
        rawRequest(throttled.url, {
          method: "POST",
          path: "/api/auth/v2/token",
          headers: { ...json, authorization: null },
          body: JSON.stringify({ client_id: id, client_secret: secret }),
        });
      for (let i = 0; i < 10; i++) expect((await attempt(`wrong-${i}`)).status).toBe(403);
      for (const secret of ["wrong-10", clientSecret]) {
        const reply = await attempt(secret);
        expect(reply.status).toBe(429);
        expect(reply.headers["retry-after"]).toBe("300");
        expect(reply.json).toEqual({
          errorName: "TooManyRequestsError",
          content: { message: "Too many failed attempts; try again in 300 s.", retry_after_seconds: 300 },
        });
      }
      clock += 300_000;
      expect((await attempt(clientSecret)).status).toBe(200);
    } finally {
      await throttled.stop();
    }
  });
});

describe("configuration", () => {
  it.each([
    { env: { AUTH_SIGNING_KEY: "short" }, error: /AUTH_SIGNING_KEY must be at least 32 characters long/ },
    { env: { AUTH_PREVIOUS_SIGNING_KEY: "short" }, error: /AUTH_PREVIOUS_SIGNING_KEY must be at least 32/ },
    { env: { CORS_ORIGINS: "app.example.com" }, error: /CORS_ORIGINS must be \* or a comma-separated list/ },
    { env: { CORS_ORIGINS: "https://app.example.com/path" }, error: /not "https:\/\/app.example.com\/path"/ },
  ])("refuses $env", ({ env, error }) => {
    expect(() => readConfig(env)).toThrow(error);
  });

  it("reads keys and origins", () => {
    const key = "x".repeat(32);
    expect(
      readConfig({ AUTH_SIGNING_KEY: key, CORS_ORIGINS: "https://a.example, http://localhost:5173" }),
    ).toMatchObject({
      signingKey: key,
      corsOrigins: ["https://a.example", "http://localhost:5173"],
    });
    expect(readConfig({ CORS_ORIGINS: "*" }).corsOrigins).toBe("*");
    expect(readConfig({}).corsOrigins).toBeUndefined();
  });
});
