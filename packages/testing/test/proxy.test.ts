import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningProxy, startProxy } from "../src/index.js";

// A one-operation spec: GET /things/{id} with an integer id answers 200 `{n: integer}` or 404.
const dir = mkdtempSync(join(tmpdir(), "refunds-proxy-test-"));
const specPath = join(dir, "things.yaml");
writeFileSync(
  specPath,
  JSON.stringify({
    openapi: "3.1.0",
    info: { title: "things", version: "1" },
    paths: {
      "/things/{id}": {
        get: {
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "integer" } }],
          responses: {
            200: {
              description: "ok",
              content: {
                "application/json": {
                  schema: { type: "object", required: ["n"], properties: { n: { type: "integer" } } },
                },
              },
            },
            404: { description: "none" },
          },
        },
      },
    },
  }),
);

// The upstream answers by id: 1 as the spec says, 2 with a body that breaks it, 3 with a status it does not declare.
const answers: Record<string, { status: number; body: unknown }> = {
  "1": { status: 200, body: { n: 1 } },
  "2": { status: 200, body: { n: "two" } },
  "3": { status: 418, body: { teapot: true } },
};
const upstreamCalls: string[] = [];
const upstream = createServer((req, res) => {
  upstreamCalls.push(req.url ?? "");
  const answer = answers[req.url?.split("/").pop() ?? ""] ?? { status: 200, body: { n: 0 } };
  res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
});

let strict: RunningProxy;
let lenient: RunningProxy;
beforeAll(async () => {
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  [strict, lenient] = await Promise.all([
    startProxy(target, { specPath }),
    startProxy(target, { specPath, errors: false }),
  ]);
});
afterAll(async () => {
  await Promise.all([strict?.stop(), lenient?.stop()]);
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

interface Want {
  status: number;
  problem: boolean;
  /** Where the violations Prism reports in `sl-violations` are, in order; none when empty. */
  violations: string[];
  forwarded: boolean;
}

describe("startProxy", () => {
  it.each<{ name: string; errors: boolean; path: string; want: Want }>([
    {
      name: "errors on: a request and a response that follow the spec pass untouched",
      errors: true,
      path: "/things/1",
      want: { status: 200, problem: false, violations: [], forwarded: true },
    },
    {
      name: "errors on: a request that breaks the spec is refused and never forwarded",
      errors: true,
      path: "/things/abc",
      want: { status: 422, problem: true, violations: [], forwarded: false },
    },
    {
      name: "errors on: a response that breaks its schema becomes a 500",
      errors: true,
      path: "/things/2",
      want: { status: 500, problem: true, violations: ["response.body.n"], forwarded: true },
    },
    {
      name: "errors on: an undeclared status passes, reported as a warning only",
      errors: true,
      path: "/things/3",
      want: { status: 418, problem: false, violations: ["response"], forwarded: true },
    },
    {
      name: "errors off: a request that breaks the spec is forwarded and reported",
      errors: false,
      path: "/things/abc",
      want: { status: 200, problem: false, violations: ["request.path.id"], forwarded: true },
    },
  ])("$name", async ({ errors, path, want }) => {
    const proxy = errors ? strict : lenient;
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const before = upstreamCalls.length;
    const response = await fetch(`${proxy.url}${path}`);
    await response.text();
    const header = response.headers.get("sl-violations");
    const violations = header ? (JSON.parse(header) as { location: string[] }[]).map((v) => v.location.join(".")) : [];
    expect({
      status: response.status,
      problem: response.headers.get("content-type")?.includes("problem+json") ?? false,
      violations,
      forwarded: upstreamCalls.length > before,
    }).toEqual(want);
  });

  // Last, as it stops one of the file's proxies (afterAll stops it again, which must be harmless).
  it("stops: the proxy no longer answers, and a second stop is harmless", async () => {
    expect((await fetch(`${lenient.url}/things/1`)).status).toBe(200);
    await lenient.stop();
    await expect(fetch(`${lenient.url}/things/1`)).rejects.toThrow();
    await lenient.stop();
  });
});
