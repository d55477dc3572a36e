import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { BrowserContext, Page } from "playwright-core";

/** Builds the docs page (`packages/spec/docs/index.html`, which the server serves at /docs) as `pnpm run docs` does. */
export async function buildDocs(): Promise<void> {
  const script = fileURLToPath(new URL("../../packages/spec/scripts/docs.js", import.meta.url));
  await promisify(execFile)(process.execPath, [script]);
}

export interface DocsPage {
  page: Page;
  /** Requests the page tried to send anywhere but the docs' own origin; all were refused. */
  externalRequests: string[];
  /** Uncaught errors thrown in the page. */
  pageErrors: string[];
}

/**
 * Opens the docs at `url` as if offline (any request off `url`'s origin is refused and recorded) and waits
 * until Redoc has taken over the prerendered HTML, so clicks are handled by the page and not by plain links.
 */
export async function openDocs(context: BrowserContext, url: string): Promise<DocsPage> {
  const origin = new URL(url).origin;
  const externalRequests: string[] = [];
  const pageErrors: string[] = [];
  await context.route("**/*", (route) => {
    const requested = route.request().url();
    if (new URL(requested).origin === origin) return route.continue();
    externalRequests.push(requested);
    return route.abort("internetdisconnected");
  });
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(error.message));
  const response = await page.goto(url, { waitUntil: "load" });
  if (!response?.ok()) throw new Error(`GET ${url} answered ${response?.status()}`);
  // The page is prerendered, so its text shows even when Redoc's script never runs. React marks the elements
  // it has hydrated with `__reactProps$…`; until the sidebar's links carry it, clicking them would leave the page.
  await page
    .waitForFunction(
      () => {
        const link = document.querySelector("#redoc a[href]");
        return link !== null && Object.keys(link).some((key) => key.startsWith("__reactProps$"));
      },
      undefined,
      { timeout: 15_000 },
    )
    .catch(() => {
      const errors = pageErrors.length > 0 ? `; page errors: ${pageErrors.join("; ")}` : "";
      throw new Error(`The docs at ${url} never became interactive: Redoc's script did not run${errors}`);
    });
  return { page, externalRequests, pageErrors };
}
