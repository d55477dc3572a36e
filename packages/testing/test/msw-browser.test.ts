// `@refunds-api/testing/msw` in a real browser: a page bundled with esbuild (msw-page/main.ts) starts MSW's service
// worker with `createRefundsHandlers()` and walks a refund through its life with `@refunds-api/client`, in headless
// Debian Chromium (playwright-core; `pnpm setup:test-deps` installs it). The page, its bundle and MSW's worker
// script are served from a throwaway folder by a node:http server on 127.0.0.1 (a secure context, as a service
// worker needs). The invalid create's 422 must be, byte for byte, what `startServer()` answers to the same request.
import { once } from "node:events";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromiumArgs, chromiumPath } from "@refunds-api/test-support";
import { build } from "esbuild";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { type RunningServer, startServer } from "../src/index.js";
import { type FlowResult, invalidCreate, type PageResults, validCreate } from "./msw-page/data.js";

const pageDir = fileURLToPath(new URL("./msw-page/", import.meta.url));
const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
};

/** Serves the files of `dir` (flat names only) on a free port of 127.0.0.1. */
async function serveFolder(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    if (path === "/favicon.ico") return void response.writeHead(204).end();
    const name = path === "/" ? "index.html" : path.slice(1);
    if (!/^[\w.-]+$/.test(name) || !existsSync(join(dir, name))) return void response.writeHead(404).end();
    response.writeHead(200, {
      "content-type": contentTypes[extname(name)] ?? "application/octet-stream",
      "cache-control": "no-store",
    });
    response.end(readFileSync(join(dir, name)));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const results = (page: Page) => page.evaluate(() => window.mswResults);

describe("the MSW handlers in headless Chromium, through a service worker", () => {
  const site = mkdtempSync(join(tmpdir(), "refunds-msw-page-"));
  const profile = mkdtempSync(join(tmpdir(), "refunds-chromium-profile-"));
  let context: BrowserContext | undefined;
  let static_: { url: string; server: Server } | undefined;
  let server: RunningServer | undefined;
  let page: Page;
  let flows: FlowResult[] = [];
  // What the page printed and threw, and every answer to a request under one of the page's base URLs.
  const consoleLines: string[] = [];
  const pageErrors: string[] = [];
  const answers: { url: string; status: number; fromServiceWorker: boolean }[] = [];
  const failedRequests: string[] = [];
  const timings: Record<string, number> = {};

  /** The page's console, errors and failed requests, to read when something went wrong. */
  const pageReport = () =>
    [
      `page console (${consoleLines.length} lines):`,
      ...consoleLines.map((line) => `  ${line}`),
      `page errors: ${pageErrors.length === 0 ? "none" : ""}`,
      ...pageErrors.map((error) => `  ${error}`),
      `failed requests: ${failedRequests.length === 0 ? "none" : ""}`,
      ...failedRequests.map((request) => `  ${request}`),
    ].join("\n");
  const printPageOnFailure = () => onTestFailed(() => void process.stderr.write(`${pageReport()}\n`));

  beforeAll(async () => {
    const started = Date.now();
    // Chromium first: without it nothing else is worth doing, and the error names `pnpm setup:test-deps`.
    const executablePath = chromiumPath();
    await build({
      entryPoints: [join(pageDir, "main.ts")],
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      outfile: join(site, "main.js"),
      sourcemap: "inline",
      logLevel: "silent",
    });
    timings.bundleMs = Date.now() - started;
    copyFileSync(join(pageDir, "index.html"), join(site, "index.html"));
    // The worker script of the msw this package depends on, which the page bundles too (the two check each
    // other's version).
    const worker = createRequire(import.meta.url).resolve("msw/mockServiceWorker.js");
    copyFileSync(worker, join(site, "mockServiceWorker.js"));

    [static_, server, context] = await Promise.all([
      serveFolder(site),
      startServer(),
      // A busy machine may take a while to start a browser.
      chromium.launchPersistentContext(profile, {
        executablePath,
        headless: true,
        args: chromiumArgs,
        timeout: 120_000,
      }),
    ]);
    timings.startMs = Date.now() - started;
    page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
    page.on("pageerror", (error) => pageErrors.push(error.stack ?? error.message));
    page.on("requestfailed", (request) => failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`));
    page.on("response", (response) => {
      const url = response.url();
      if (url.startsWith("https://refunds.msw.test/") || url.includes("/mock-api/")) {
        answers.push({ url, status: response.status(), fromServiceWorker: response.fromServiceWorker() });
      }
    });

    const loaded = await page.goto(`${static_.url}/`);
    if (!loaded?.ok()) throw new Error(`GET ${static_.url}/ answered ${loaded?.status()}`);
    await page
      .waitForFunction(() => window.mswResults !== undefined, undefined, { timeout: 120_000 })
      .catch(() => {
        throw new Error(`The page never reported its results\n${pageReport()}`);
      });
    timings.pageMs = Date.now() - started - timings.startMs;
    const reported = (await results(page)) as PageResults;
    if (!reported.ok) throw new Error(`The page failed: ${reported.error}\n${pageReport()}`);
    flows = reported.flows;
    process.stdout.write(
      `msw-browser: bundled in ${timings.bundleMs} ms, server + browser up at ${timings.startMs} ms, ` +
        `page done in ${timings.pageMs} ms (${answers.length} answers from the worker)\n`,
    );
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    static_?.server.closeAllConnections();
    if (static_) await new Promise((resolve) => static_?.server.close(resolve));
    await server?.stop();
    rmSync(site, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  });

  it("ran the steps for a made-up HTTPS origin and for a prefix of the page's own origin", () => {
    printPageOnFailure();
    expect(flows.map((flow) => flow.baseUrl)).toEqual(["https://refunds.msw.test", `${static_?.url}/mock-api`]);
  });

  describe.each([
    ["a made-up HTTPS origin", 0],
    ["a prefix of the page's origin", 1],
  ])("at %s", (_, index) => {
    const flow = () => flows[index] as FlowResult;

    it("creates a refund (200), as the rules store it", () => {
      printPageOnFailure();
      expect(flow().create).toEqual({
        status: 200,
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        amount: validCreate.amount_cents,
        patient: validCreate.patient_external_id,
      });
    });

    it("lists it, alone, for its patient", () => {
      printPageOnFailure();
      expect(flow().list).toEqual({ status: 200, ids: [flow().create.id] });
    });

    it("updates it: the note changes, the amount stays", () => {
      printPageOnFailure();
      expect(flow().update).toEqual({
        status: 200,
        id: flow().create.id,
        note: "Corrected in the browser.",
        amount: validCreate.amount_cents,
      });
    });

    it("deletes it (200, empty body), after which a get is a 404 EntityNotFoundError", () => {
      printPageOnFailure();
      expect(flow().delete).toEqual({ status: 200, bodyBytes: 0 });
      expect(flow().getAfterDelete).toEqual({ error: "api", errorName: "EntityNotFoundError", status: 404 });
    });

    it("refuses the invalid create with a 422 identical, byte for byte, to startServer()'s", async () => {
      printPageOnFailure();
      const { exchange, ...failure } = flow().invalidCreate;
      expect(failure).toEqual({ error: "api", errorName: "UnprocessableEntityError", status: 422 });
      expect(exchange.method).toBe("POST");
      expect(JSON.parse(exchange.requestBody ?? "null")).toEqual(invalidCreate);
      // The same request to the reference server in this process: same path, media type and body text.
      const path = exchange.url.slice(flow().baseUrl.length);
      expect(path).toBe("/api/patient-refunds/v1");
      const answer = await fetch(`${server?.url}${path}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${server?.token}`,
          "content-type": exchange.requestContentType ?? "",
        },
        body: exchange.requestBody,
      });
      const bytes = Buffer.from(await answer.arrayBuffer());
      const fromPage = Buffer.from(exchange.bytes);
      expect({ status: exchange.status, contentType: exchange.contentType }).toEqual({
        status: answer.status,
        contentType: answer.headers.get("content-type"),
      });
      // Text first, for a readable difference; then the bytes themselves.
      expect(fromPage.toString("utf8")).toBe(bytes.toString("utf8"));
      expect(fromPage.equals(bytes)).toBe(true);
      expect(JSON.parse(bytes.toString("utf8"))).toMatchObject({ errorName: "UnprocessableEntityError" });
    });

    it("journals the steps, and obeys inject(), clearFaults() and reset()", () => {
      printPageOnFailure();
      expect(flow().journal).toEqual([
        "createPatientRefund 200",
        "listPatientRefunds 200",
        "updatePatientRefund 200",
        "deletePatientRefund 200",
        "getPatientRefund 404",
        "createPatientRefund 422",
      ]);
      expect(flow().injected).toEqual({ error: "server", errorName: "ServiceUnavailableError", status: 503 });
      expect(flow().afterClearFaults).toBe(200);
      expect(flow().afterReset).toEqual({ seededFound: true, journal: 1 });
    });
  });

  it("answered every API request from the service worker: none reached the network", () => {
    printPageOnFailure();
    // Per base URL: create, list, update, delete, get, invalid create, injected 503, list, get after reset.
    expect(answers).toHaveLength(2 * 9);
    expect(answers.filter((answer) => !answer.fromServiceWorker)).toEqual([]);
    expect(failedRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
