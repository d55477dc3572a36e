// The docs pages the server serves without a token: /docs, the spec package's Redoc page (with a curl and a TypeScript
// sample on every operation) whose first server, and the base URL of its samples, is the origin that served it; and
// /docs/changelog, the API changelog. The page is built by `pnpm run docs` (packages/spec/scripts/docs.js), which
// puts the definition in a JSON script element and marks the prerendered HTML; the page is served with the
// definition rewritten and without the prerendered HTML, so Redoc renders the rewritten definition. A page without
// that element (an older build, another file) is served as it is.
import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { RouteNotFoundError } from "@refunds-api/core";
import { specJsonPath } from "@refunds-api/spec";
import express, { type Request, type Response, type Router } from "express";

/** Options of {@link docsRoutes}. */
export interface DocsOptions {
  /** The docs page served at /docs; the spec package's build by default. */
  docsPath?: string;
  /** The changelog page served at /docs/changelog; `changelog.html` next to the docs page by default. */
  changelogPath?: string;
}

/** The spec package's docs page. */
export const defaultDocsPath = join(dirname(specJsonPath), "..", "docs", "index.html");

// The parts of the page docs.js marks (see its `definitionElementId`, `prerenderedMarkers` and `changelogLink`).
const definitionOpen = '<script type="application/json" id="refunds-api-definition">';
const prerendered = ["<!--refunds-api:prerendered-->", "<!--/refunds-api:prerendered-->"] as const;
const changelogLink = "](changelog.html)";
const changelogBackLink = 'href="index.html"';
// A Host header is the client's to write: only a host name or an IP literal, with a port, makes an origin.
const hostPattern =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const maxCachedOrigins = 8;

interface Server {
  url: string;
  description?: string;
}
interface Definition {
  info?: { description?: string };
  servers?: Server[];
  paths?: Record<string, Record<string, { "x-codeSamples"?: { source: string }[] } | undefined>>;
}

/** The page split around its definition, read again when the file changes. */
interface Page {
  before: string;
  definition: string;
  after: string;
  byOrigin: Map<string, string>;
}

/**
 * Routes of the docs: `GET /docs` and `GET /docs/changelog`. Either answers a 404 `NotFoundError` saying how to
 * build the page when it is missing.
 */
export function docsRoutes(options: DocsOptions = {}): Router {
  const docsPath = options.docsPath ?? defaultDocsPath;
  const changelogPath = options.changelogPath ?? join(dirname(docsPath), "changelog.html");
  const router = express.Router();
  let cached: Page | null | undefined;
  let cachedVersion: string | undefined;

  router.get("/docs", (req, res, next) => {
    const version = fileVersion(docsPath);
    if (version === undefined) {
      next(new RouteNotFoundError(req.method, `${req.path} (the docs page is not built: run \`pnpm run docs\`)`));
      return;
    }
    if (version !== cachedVersion) {
      cached = splitPage(readFileSync(docsPath, "utf8"));
      cachedVersion = version;
    }
    const origin = servingOrigin(req);
    if (!cached || !origin) {
      res.sendFile(docsPath);
      return;
    }
    let html = cached.byOrigin.get(origin);
    if (html === undefined) {
      html = renderPage(cached, origin, `${req.baseUrl}/docs/changelog`);
      if (cached.byOrigin.size >= maxCachedOrigins) cached.byOrigin.clear();
      cached.byOrigin.set(origin, html);
    }
    send(res, html);
  });

  router.get("/docs/changelog", (req, res, next) => {
    let html: string;
    try {
      html = readFileSync(changelogPath, "utf8");
    } catch {
      next(new RouteNotFoundError(req.method, `${req.path} (the changelog is not built: run \`pnpm run docs\`)`));
      return;
    }
    send(res, html.replaceAll(changelogBackLink, `href="${req.baseUrl}/docs"`));
  });

  return router;
}

/**
 * The definition of a docs page with `origin` as its first server and as the base URL of its code samples (which
 * call the page's first server), and its changelog link pointing at `changelogUrl`. Exported for tests.
 */
export function servedDefinition(definition: Definition, origin: string, changelogUrl: string): Definition {
  const copy = structuredClone(definition);
  const base = copy.servers?.[0]?.url;
  copy.servers = [
    { url: origin, description: "This server: the one that served this page." },
    ...(copy.servers ?? []).filter((server) => server.url !== origin),
  ];
  if (base && base !== origin) {
    const baseUrl = new RegExp(`${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=[/'"\\s?]|$)`, "g");
    for (const item of Object.values(copy.paths ?? {})) {
      for (const operation of Object.values(item ?? {})) {
        for (const sample of operation?.["x-codeSamples"] ?? []) sample.source = sample.source.replace(baseUrl, origin);
      }
    }
  }
  if (copy.info?.description) {
    copy.info.description = copy.info.description.replaceAll(changelogLink, `](${changelogUrl})`);
  }
  return copy;
}

function splitPage(html: string): Page | null {
  const start = html.indexOf(definitionOpen);
  const end = html.indexOf("</script>", start);
  if (start < 0 || end < 0) return null;
  return {
    before: withoutPrerendered(html.slice(0, start + definitionOpen.length)),
    definition: html.slice(start + definitionOpen.length, end),
    after: html.slice(end),
    byOrigin: new Map(),
  };
}

function renderPage(page: Page, origin: string, changelogUrl: string): string {
  const definition = servedDefinition(JSON.parse(page.definition) as Definition, origin, changelogUrl);
  return page.before + scriptJson(definition) + page.after;
}

// Without the prerendered HTML, which shows the build's servers and samples, Redoc renders the page afresh.
function withoutPrerendered(html: string): string {
  const start = html.indexOf(prerendered[0]);
  const end = html.indexOf(prerendered[1], start);
  if (start < 0 || end < 0) return html;
  return html.slice(0, start) + html.slice(end + prerendered[1].length);
}

// JSON inside a <script> element: no `</script>` can close it early, and the line separators JavaScript once
// refused in strings are escaped as well.
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function servingOrigin(req: Request): string | undefined {
  const host = req.get("host");
  if (!host || !hostPattern.test(host)) return undefined;
  return `${req.protocol}://${host}`;
}

function fileVersion(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return stat.isFile() ? `${stat.mtimeMs}:${stat.size}` : undefined;
  } catch {
    return undefined;
  }
}

function send(res: Response, html: string): void {
  // The page depends on the Host it was asked for.
  res.set({ "Cache-Control": "no-cache", Vary: "Host" });
  res.type("html").send(html);
}
