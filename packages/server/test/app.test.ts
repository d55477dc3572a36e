import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { specJsonPath, specYamlPath } from "@refunds-api/spec";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createApp, createMemoryStore, listen, type RunningServer, type Store, TokenAuthority } from "../src/index.js";
import { type Harness, startHarness, testToken } from "./support/harness.js";

const refundId = "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

describe("public endpoints", () => {
  it.each([
    { path: "/healthz", type: "application/json", want: JSON.stringify({ status: "ok" }) },
    { path: "/openapi.json", type: "application/json", want: readFileSync(specJsonPath, "utf8") },
    { path: "/openapi.yaml", type: "application/yaml", want: readFileSync(specYamlPath, "utf8") },
  ])("GET $path serves $type without a token", async ({ path, type, want }) => {
    const reply = await h.request("GET", path, { token: null });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toContain(type);
    expect(reply.text).toBe(want);
  });

  it("serves the docs page at /docs, and a clear 404 when it is not built", async () => {
    const dir = mkdtempSync(join(tmpdir(), "docs-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const page = join(dir, "index.html");
    writeFileSync(page, "<html>docs</html>");
    const auth = new TokenAuthority({ clientId: "c", clientSecret: "s" });
    for (const [docsPath, status] of [
      [page, 200],
      [join(dir, "missing.html"), 404],
    ] as const) {
      const server = await listen(createApp({ auth, docsPath }));
      const res = await fetch(`${server.url}/docs`);
      expect(res.status).toBe(status);
      if (status === 200) {
        expect(res.headers.get("content-type")).toContain("text/html");
        expect(await res.text()).toBe("<html>docs</html>");
      } else {
        expect((await res.json()).content.message).toMatch(/pnpm run docs/);
      }
      await server.stop();
    }
  });
});

describe("HTTP errors outside the operations", () => {
  const huge = JSON.stringify({ amount_cents: 1, patient_external_id: "x".repeat(1_100_000), allocations: [] });
  it.each([
    {
      name: "an unknown route",
      method: "GET",
      path: "/api/nope",
      want: [404, "NotFoundError", /No operation GET \/api\/nope/],
    },
    {
      name: "an unsupported method",
      method: "PUT",
      path: "/api/patient-refunds/v1",
      want: [405, "MethodNotAllowedError", /PUT is not allowed/],
    },
    {
      name: "a URL that does not decode",
      method: "GET",
      path: "/api/patient-refunds/v1/%E0%A4%A",
      want: [400, "BadRequestError", /^The request URL is malformed\.$/],
    },
    {
      name: "malformed JSON",
      method: "POST",
      path: "/api/patient-refunds/v1",
      raw: '{"amount_cents": ',
      want: [400, "BadRequestError", /not valid JSON/],
    },
    {
      name: "a JSON scalar body",
      method: "POST",
      path: "/api/patient-refunds/v1",
      raw: '"refund"',
      want: [422, "UnprocessableEntityError", /^body: must be an object$/],
    },
    {
      name: "a JSON null body",
      method: "PATCH",
      path: "/api/patient-refunds/v1/5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10",
      raw: "null",
      want: [422, "UnprocessableEntityError", /^body: must be an object$/],
    },
    {
      name: "a body that is not JSON",
      method: "POST",
      path: "/api/patient-refunds/v1",
      raw: "amount_cents=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      want: [415, "UnsupportedMediaTypeError", /application\/x-www-form-urlencoded is not supported/],
    },
    {
      name: "an unsupported charset",
      method: "POST",
      path: "/api/patient-refunds/v1",
      raw: "{}",
      headers: { "content-type": "application/json; charset=koi8-r" },
      want: [415, "UnsupportedMediaTypeError", /charset/],
    },
    {
      name: "a charset other than UTF-8",
      method: "POST",
      path: "/api/patient-refunds/v1",
      raw: "{}",
      headers: { "content-type": "application/json; charset=utf-16" },
      want: [415, "UnsupportedMediaTypeError", /charset utf-16 is not supported; send UTF-8/],
    },
    {
      name: "a body over the limit",
      method: "POST",
      path: "/api/patient-refunds/v1",
      raw: huge,
      want: [413, "PayloadTooLargeError", /larger than the 1mb limit/],
    },
  ])("answers $name with a JSON envelope", async ({ method, path, raw, headers, want }) => {
    const [status, errorName, message] = want as [number, string, RegExp];
    const reply = await h.request(method, path, { raw, headers });
    expect(reply.status).toBe(status);
    expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
    expect(reply.body.errorName).toBe(errorName);
    expect(reply.body.content.message).toMatch(message);
  });

  it("names the allowed methods on a 405", async () => {
    const reply = await h.request("PUT", "/api/patient-refunds/v1");
    // HEAD wherever GET is, and OPTIONS everywhere.
    expect(reply.headers.get("allow")).toBe("GET, HEAD, POST, OPTIONS");
  });
});

describe("request ids and logs", () => {
  it("echoes a well-formed X-Request-Id and makes one up otherwise", async () => {
    const given = await h.request("GET", "/healthz", { headers: { "x-request-id": "abc-123" } });
    expect(given.headers.get("x-request-id")).toBe("abc-123");
    const made = await h.request("GET", "/healthz", { headers: { "x-request-id": "bad id\twith spaces" } });
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("logs one structured line per request, without tokens or credentials", async () => {
    const before = h.logs.length;
    await h.request("GET", "/api/patient-refunds/v1");
    await h.request("POST", "/api/auth/v2/token", {
      token: null,
      body: { client_id: "dev-client", client_secret: "dev-secret" },
    });
    const token = (
      await h.request("POST", "/api/auth/v2/token", {
        token: null,
        body: { client_id: "dev-client", client_secret: "dev-secret" },
      })
    ).body.access_token;
    await h.request("GET", "/api/patient-refunds/v1", { token });
    const lines = h.logs.slice(before).map((line) => JSON.parse(line));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({
      req: { method: "GET", url: "/api/patient-refunds/v1" },
      res: { statusCode: 200 },
    });
    expect(lines[0].reqId ?? lines[0].req.id).toBeTruthy();
    const text = h.logs.join("");
    for (const secret of [testToken, token, "dev-secret"]) expect(text).not.toContain(secret);
  });
});

// A store that fails, or that hands back rows the spec does not allow: the server must answer 500 with a request
// id and keep the details in its log.
function brokenStore(row: unknown): Store {
  const store = createMemoryStore();
  store.patientRefunds.get = async () => {
    if (row instanceof Error) throw row;
    return row as never;
  };
  return store;
}

describe("response validation", () => {
  it.each([
    { validateResponses: true, want: 500 },
    { validateResponses: false, want: 200 },
  ])(
    "with validateResponses: $validateResponses a response that breaks the spec answers $want",
    async ({ validateResponses, want }) => {
      const auth = new TokenAuthority({ clientId: "c", clientSecret: "s", staticTokens: ["t"] });
      const server = await listen(
        createApp({ auth, validateResponses, store: brokenStore({ patient_refund_id: refundId }) }),
      );
      try {
        const res = await fetch(`${server.url}/api/patient-refunds/v1/${refundId}`, {
          headers: { authorization: "Bearer t" },
        });
        expect(res.status).toBe(want);
      } finally {
        await server.stop();
      }
    },
  );
});

describe("unexpected failures", () => {
  let servers: RunningServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    servers = [];
  });

  it.each([
    { name: "the store throws", row: new Error("disk on fire"), logged: /disk on fire/ },
    { name: "a response breaks the spec", row: { patient_refund_id: refundId }, logged: /must have required property/ },
  ])("answers 500 with a request id when $name; the stack stays in the log", async ({ row, logged }) => {
    const logs: string[] = [];
    const { pino } = await import("pino");
    const logger = pino({ level: "info" }, { write: (line: string) => logs.push(line) });
    const auth = new TokenAuthority({ clientId: "c", clientSecret: "s", staticTokens: ["t"] });
    const server = await listen(createApp({ auth, logger, store: brokenStore(row) }));
    servers.push(server);
    const res = await fetch(`${server.url}/api/patient-refunds/v1/${refundId}`, {
      headers: { authorization: "Bearer t" },
    });
    const body = await res.json();
    const requestId = res.headers.get("x-request-id");
    expect(res.status).toBe(500);
    expect(body).toEqual({
      errorName: "InternalServerError",
      content: { message: expect.stringContaining(String(requestId)), request_id: requestId },
    });
    expect(JSON.stringify(body)).not.toMatch(/disk on fire|at .*\.ts/);
    const line = logs.map((l) => JSON.parse(l)).find((l) => l.req?.id === requestId);
    expect(line?.level).toBe(50);
    expect(line?.err?.stack ?? line?.err?.message).toMatch(logged);
  });
});
