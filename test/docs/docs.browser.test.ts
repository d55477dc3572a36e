import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningServer, startServer } from "@refunds-api/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Chromium, launchChromium } from "../support/chromium.js";
import { buildDocs, type DocsPage, openDocs } from "../support/docs.js";
import { bundledSpec, httpMethods } from "../support/spec.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const artifacts = join(root, "test-artifacts/");
const spec = bundledSpec();
const tags = (spec.tags as { name: string }[]).map((t) => t.name);
const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
  httpMethods
    .filter((method) => item[method])
    .map((method) => {
      const op = item[method] as { operationId: string; summary: string; tags: string[] };
      return { operationId: op.operationId, summary: op.summary, tag: op.tags[0] as string, method, path };
    }),
);

// Redoc's sidebar names an operation link by its summary followed by its method.
const operationLink = (page: Page, op: (typeof operations)[number]) =>
  page.getByRole("link", { name: `${op.summary} ${op.method}`, exact: true });
const tagLink = (page: Page, tag: string) => page.getByRole("link", { name: tag, exact: true });
const slug = (tag: string) => tag.toLowerCase().replaceAll(" ", "-");

// The sidebar keeps the tag of the section in view open and may close the others, so open it when needed.
async function revealInSidebar(page: Page, op: (typeof operations)[number]) {
  const link = operationLink(page, op);
  for (let attempt = 0; attempt < 3 && !(await link.isVisible()); attempt++) {
    await tagLink(page, op.tag).click();
    await link.waitFor({ state: "visible", timeout: 3_000 }).catch(() => {});
  }
  return link;
}

// Picking an operation scrolls smoothly while Redoc renders the sections on the way; wait until the page is still.
function settled(page: Page) {
  return page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        let last = -1;
        let still = 0;
        const started = performance.now();
        const check = () => {
          still = window.scrollY === last ? still + 1 : 0;
          last = window.scrollY;
          if (still >= 10 || performance.now() - started > 5_000) resolve();
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      }),
  );
}

// Section headings carry a hidden "link to …" anchor, so they are matched by their visible text.
const sectionHeading = (page: Page, text: string) =>
  page.locator("main h2").filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) });
const inViewport = (page: Page, text: string) =>
  sectionHeading(page, text)
    .first()
    .evaluate((el) => {
      const { top, bottom } = el.getBoundingClientRect();
      return bottom > 0 && top < window.innerHeight;
    })
    .catch(() => false);

// Whether a request stays on this machine: loopback HTTP, or a blob: or data: URL the page made itself.
function staysOnMachine(url: string): boolean {
  const { protocol, hostname, pathname } = new URL(url);
  if (protocol === "blob:") return staysOnMachine(pathname);
  if (protocol === "data:" || protocol === "about:") return true;
  return /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(hostname);
}

type Sample = { lang: string; label: string; source: string };

// The samples the served page holds: its definition, with the serving origin in them.
async function servedSamples(url: string) {
  const html = await (await fetch(url)).text();
  const json = /<script type="application\/json" id="refunds-api-definition">(.*?)<\/script>/s.exec(html)?.[1];
  if (!json) throw new Error(`${url} holds no definition`);
  const definition = JSON.parse(json) as { paths: Record<string, Record<string, { "x-codeSamples": Sample[] }>> };
  return (op: { path: string; method: string }) => definition.paths[op.path]?.[op.method]?.["x-codeSamples"] ?? [];
}

// The page as the reference server serves it, at /docs.
describe("the docs page in headless Chromium", () => {
  let browser: Chromium;
  let server: RunningServer;
  let docs: DocsPage;
  let samplesOf: Awaited<ReturnType<typeof servedSamples>>;
  // Every request the browser made for the page, whatever its origin (the page is opened as if offline).
  const requests: string[] = [];

  beforeAll(async () => {
    // Installing Chromium from Debian on a fresh machine takes about a minute, hence the long timeout.
    [browser, server] = await Promise.all([launchChromium(), buildDocs().then(() => startServer())]);
    browser.context.on("request", (request) => requests.push(request.url()));
    docs = await openDocs(browser.context, `${server.url}/docs`);
    samplesOf = await servedSamples(`${server.url}/docs`);
  }, 15 * 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("knows the spec's 10 refund operations, the token operation and the 3 tags", () => {
    expect(operations.filter((op) => op.tag !== "Auth")).toHaveLength(10);
    expect(operations.filter((op) => op.tag === "Auth").map((op) => op.operationId)).toEqual(["getToken"]);
    expect(tags).toEqual(["Patient Refunds", "Non-Insurance Payer Refunds", "Auth"]);
  });

  it("lands on an overview of every tag and operation, saved as a screenshot", async () => {
    const { page } = docs;
    // Each tag's section lists its operations as links to them: method, path and target (in Redoc's own order).
    const want = [
      ...tags.flatMap((tag) => [
        `#/${slug(tag)} `,
        ...operations
          .filter((op) => op.tag === tag)
          .map((op) => `#/${slug(tag)}/${op.operationId.toLowerCase()} ${op.method}${op.path}`),
      ]),
    ];
    // Redoc renders the sections after it has taken over the page, so wait for them.
    const links = () =>
      page
        .locator("main a[href^='#/']")
        .evaluateAll((all) => all.map((a) => `${a.getAttribute("href")} ${a.textContent}`));
    await expect.poll(async () => (await links()).sort()).toEqual(want.sort());
    for (const tag of tags) expect(await sectionHeading(page, tag).count()).toBe(1);
    mkdirSync(artifacts, { recursive: true });
    const file = join(artifacts, "docs.png");
    // A window as tall as the page shows the whole overview, sidebar included, as a reader would see it.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1440, height: Math.min(height, 4000) });
    try {
      await settled(page);
      for (const tag of tags) await expect.poll(() => inViewport(page, tag)).toBe(true);
      await page.screenshot({ path: file });
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
    expect(statSync(file).size).toBeGreaterThan(50_000);
  });

  it.each(tags)("expands the %s tag in the sidebar", async (tag) => {
    const { page } = docs;
    await tagLink(page, tag).click();
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/${slug(tag)}`);
    await expect.poll(() => inViewport(page, tag)).toBe(true);
    for (const op of operations.filter((o) => o.tag === tag)) {
      await expect.poll(() => operationLink(page, op).isVisible()).toBe(true);
    }
  });

  it.each(operations)("shows $operationId ($summary) when picked in the sidebar", async (op) => {
    const { page } = docs;
    const link = await revealInSidebar(page, op);
    await link.click();
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/${slug(op.tag)}/${op.operationId.toLowerCase()}`);
    await expect.poll(() => inViewport(page, op.summary)).toBe(true);
    expect(await page.locator("main").getByText(op.path, { exact: true }).count()).toBeGreaterThan(0);
  });

  it("saves a screenshot of one operation", async () => {
    const { page } = docs;
    const create = operations.find((op) => op.operationId === "createPatientRefund");
    if (!create) throw new Error("no createPatientRefund operation");
    await (await revealInSidebar(page, create)).click();
    await expect.poll(() => inViewport(page, create.summary)).toBe(true);
    await settled(page);
    const file = join(artifacts, "docs-operation.png");
    await page.screenshot({ path: file });
    expect(statSync(file).size).toBeGreaterThan(20_000);
  });

  it("lists the origin that served it as the first server, descriptions without Markdown marks", async () => {
    const { page } = docs;
    await page.goto(`${server.url}/docs#/`);
    const panel = page.getByTestId("panel-servers");
    await panel.waitFor();
    const names = await panel.getByTestId("server-panel-item-name").allTextContents();
    expect(names[0]).toBe("This server: the one that served this page.");
    expect(names.slice(1)).toEqual(["Local reference server (pnpm start).", "Local Prism mock (pnpm mock)."]);
    const text = (await panel.textContent()) ?? "";
    expect(text.indexOf(server.url)).toBeGreaterThan(-1);
    expect(text.indexOf(server.url)).toBeLessThan(text.indexOf("http://127.0.0.1:3000"));
    // Markdown in descriptions renders: the overview's code spans are code, the changelog link a link.
    expect(await page.locator("main code", { hasText: "POST /api/auth/v2/token" }).count()).toBeGreaterThan(0);
    await expect
      .poll(() => page.getByRole("link", { name: "changelog", exact: true }).getAttribute("href"))
      .toBe("/docs/changelog");
  });

  it.each(operations)("shows a curl and a TypeScript sample for $operationId", async (op) => {
    const { page } = docs;
    const expected = samplesOf(op);
    expect(expected.map((s) => s.label)).toEqual(["curl", "TypeScript"]);
    await (await revealInSidebar(page, op)).click();
    const panel = page.locator(
      `[data-section-id="/${slug(op.tag)}/${op.operationId.toLowerCase()}"] .panel-request-samples`,
    );
    await panel.waitFor();
    for (const sample of expected) {
      // The language picker is the panel's dropdown that names a language (an operation with two request media
      // types has a second one, for the payload's); the choice holds for every operation.
      const picker = panel
        .locator("[data-component-name='Dropdown/Dropdown'] > button")
        .filter({ hasText: /^\s*(curl|TypeScript|Payload)\s*$/ })
        .first();
      if ((await picker.textContent())?.trim() !== sample.label) {
        await picker.click();
        await page.getByRole("menuitem", { name: sample.label, exact: true }).click();
      }
      await expect.poll(async () => (await picker.textContent())?.trim()).toBe(sample.label);
      const code = panel.locator("[data-component-name='CodeBlock/CodeBlock']").first();
      await expect.poll(async () => (await code.textContent())?.trim()).toBe(sample.source.trim());
      // The samples call the server that served the page.
      expect(sample.source).toContain(server.url);
    }
  });

  it("serves the changelog at /docs/changelog, listing the released versions", async () => {
    const { page } = docs;
    const response = await page.goto(`${server.url}/docs/changelog`);
    expect(response?.status()).toBe(200);
    const released = JSON.parse(readFileSync(join(root, "openapi/released/openapi.json"), "utf8")).info.version;
    const versions = (await page.locator("h2").allTextContents()).map((h) => h.split(" ")[0]);
    expect(versions).toContain(released);
    await page.getByRole("link", { name: "API reference" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/docs");
  });

  it("works offline: no script error, and every request it made stayed on this machine", () => {
    expect(docs.pageErrors).toEqual([]);
    expect(docs.externalRequests).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !staysOnMachine(url))).toEqual([]);
    process.stdout.write(
      `docs: ${requests.length} requests, all on this machine: ${[...new Set(requests.map((u) => u.replace(/[0-9a-f-]{36}$/, "…")))].join(", ")}\n`,
    );
  });
});
