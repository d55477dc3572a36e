import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiError } from "@refunds-api/core";
import express, { type ErrorRequestHandler } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The markers the docs build (packages/spec/scripts/docs.js) writes, so this fixture is a page it could have built.
import { changelogLink, definitionElementId, prerenderedMarkers } from "../../spec/scripts/docs.js";
import { type DocsOptions, docsRoutes, servedDefinition } from "../src/docs.js";

const built = "http://127.0.0.1:3000";
const definition = {
  info: { title: "Refunds API", description: `Intro.\n\nWhat changed: the [changelog](${changelogLink}).` },
  servers: [
    { url: built, description: "Local reference server (pnpm start)." },
    { url: "http://127.0.0.1:4010", description: "Local Prism mock (pnpm mock)." },
  ],
  paths: {
    "/api/patient-refunds/v1": {
      get: {
        "x-codeSamples": [
          { lang: "curl", label: "curl", source: `curl -sS '${built}/api/patient-refunds/v1?limit=100'\n` },
          { lang: "TypeScript", label: "TypeScript", source: `createRefundsClient({ baseUrl: "${built}" });\n` },
        ],
      },
    },
  },
};
const page = (def: unknown) =>
  `<!DOCTYPE html><html><head></head><body><div id="redoc">${prerenderedMarkers[0]}<p>${built} prerendered</p>` +
  `${prerenderedMarkers[1]}</div>\n<script type="application/json" id="${definitionElementId}">` +
  `${JSON.stringify(def).replace(/</g, "\\u003c")}</script>\n<script type="module">hydrate()</script></body></html>`;
const changelog = '<!DOCTYPE html><p><a href="index.html">API reference</a></p><h2>1.0.0</h2>';

const dir = mkdtempSync(join(tmpdir(), "refunds-docs-"));
let server: Server;
let url: string;
let options: Required<DocsOptions>;

beforeAll(async () => {
  options = { docsPath: join(dir, "index.html"), changelogPath: join(dir, "changelog.html") };
  writeFileSync(options.docsPath, page(definition));
  writeFileSync(options.changelogPath, changelog);
  const app = express();
  app.use(docsRoutes(options));
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    res.status(err instanceof ApiError ? err.status : 500).json(err instanceof ApiError ? err.envelope() : {});
  };
  app.use(onError);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

// A GET with any Host header (fetch would not send a malformed one).
function get(path: string, host?: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(path, url);
    const req = httpRequest(target, { headers: host === undefined ? {} : { host } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on("error", reject);
    req.end();
  });
}

function definitionOf(html: string) {
  const start = html.indexOf(`id="${definitionElementId}">`) + `id="${definitionElementId}">`.length;
  return JSON.parse(html.slice(start, html.indexOf("</script>", start))) as typeof definition;
}

describe("GET /docs", () => {
  it("lists the origin that served it first, points the samples and the changelog link at it", async () => {
    const reply = await get("/docs");
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toContain("text/html");
    expect(reply.headers.vary).toBe("Host");
    const served = definitionOf(reply.text);
    expect(served.servers).toEqual([
      { url, description: "This server: the one that served this page." },
      ...definition.servers,
    ]);
    const samples = served.paths["/api/patient-refunds/v1"].get["x-codeSamples"];
    expect(samples.map((s) => s.source)).toEqual([
      `curl -sS '${url}/api/patient-refunds/v1?limit=100'\n`,
      `createRefundsClient({ baseUrl: "${url}" });\n`,
    ]);
    expect(served.info.description).toContain("[changelog](/docs/changelog)");
    // The prerendered HTML showed the build's servers: Redoc renders the page afresh from the served definition.
    expect(reply.text).not.toContain("prerendered");
    expect(reply.text).toContain('<div id="redoc"></div>');
  });

  it("uses the Host the page was asked for, and lists a server only once", async () => {
    const other = definitionOf((await get("/docs", "localhost:8080")).text);
    expect(other.servers[0]?.url).toBe("http://localhost:8080");
    const same = servedDefinition(definition, built, "/docs/changelog");
    expect(same.servers?.map((s) => s.url)).toEqual([built, "http://127.0.0.1:4010"]);
    expect(same.paths?.["/api/patient-refunds/v1"]?.get?.["x-codeSamples"]?.[0]?.source).toContain(`'${built}/api/`);
  });

  it("serves the page as built when the Host header is not a host", async () => {
    const reply = await get("/docs", 'evil.example"><script>alert(1)</script>');
    expect(reply.status).toBe(200);
    expect(reply.text).toBe(page(definition));
  });

  it("serves a newly built page, and a page without a definition as it is", async () => {
    const rebuilt = structuredClone(definition);
    rebuilt.info.title = "Rebuilt";
    writeFileSync(options.docsPath, page(rebuilt));
    utimesSync(options.docsPath, new Date(), new Date(Date.now() + 5_000));
    expect(definitionOf((await get("/docs")).text).info.title).toBe("Rebuilt");
    writeFileSync(options.docsPath, "<html>docs</html>");
    utimesSync(options.docsPath, new Date(), new Date(Date.now() + 10_000));
    expect((await get("/docs")).text).toBe("<html>docs</html>");
    writeFileSync(options.docsPath, page(definition));
    utimesSync(options.docsPath, new Date(), new Date(Date.now() + 15_000));
  });
});

describe("GET /docs/changelog", () => {
  it("serves the changelog page, its link back pointing at /docs", async () => {
    const reply = await get("/docs/changelog");
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toContain("text/html");
    expect(reply.text).toBe(changelog.replace('href="index.html"', 'href="/docs"'));
  });
});

describe("pages not built", () => {
  it("answer 404 saying how to build them", async () => {
    const app = express();
    app.use(docsRoutes({ docsPath: join(dir, "nope/index.html") }));
    const onError: ErrorRequestHandler = (err, _req, res, _next) => {
      res.status(err.status).json(err.envelope());
    };
    app.use(onError);
    const s = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    try {
      const base = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
      for (const path of ["/docs", "/docs/changelog"]) {
        const res = await fetch(`${base}${path}`);
        expect(res.status).toBe(404);
        const body = (await res.json()) as { errorName: string; content: { message: string } };
        expect(body.errorName).toBe("NotFoundError");
        expect(body.content.message).toMatch(/not built: run `pnpm run docs`/);
      }
    } finally {
      await new Promise((resolve) => s.close(resolve));
    }
  });
});
