// Builds the docs: `docs/index.html`, the Redoc page of the bundle with a curl and a TypeScript sample on every
// operation, `docs/changelog.html`, the API changelog page, and `API-CHANGELOG.md`, its committed Markdown form.
// The samples (samples.js) go into the docs' own copy of the bundle, never into `bundled/`, so the types, the
// validator, Prism and the spec review read the bundle as it was. Redoc's script is inlined (--inlineBundle), its
// attribution logo is a local image instead of one from Redocly's CDN, and telemetry is off: the page requests
// nothing from anywhere. The reference server serves the page at /docs with its own origin as the first server
// (packages/server/src/docs.ts), which finds the two marked parts below by their markers.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildChangelog, changelogHtml, changelogMarkdown, changelogPath, historyComplete } from "./changelog.js";
import { emitGenerated } from "./codegen.js";
import { withCodeSamples } from "./samples.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const pkg = fileURLToPath(new URL("../", import.meta.url));
const docsDir = fileURLToPath(new URL("../docs/", import.meta.url));
const bundlePath = fileURLToPath(new URL("../bundled/openapi.json", import.meta.url));

/** Where the served page's definition is: a JSON script element with this id, read by the page's own script. */
export const definitionElementId = "refunds-api-definition";
/** The prerendered HTML Redoc hydrates sits between these comments; without it the page renders from scratch. */
export const prerenderedMarkers = ["<!--refunds-api:prerendered-->", "<!--/refunds-api:prerendered-->"];
/**
 * Redoc's options. Redoc shows the `x-codeSamples` whose label is one of `codeSamples.languages` (by default a list
 * without TypeScript), then the payload example.
 */
export const redocOptions = {
  codeSamples: { languages: [{ lang: "curl" }, { lang: "TypeScript" }, { lang: "Payload" }] },
};
/** The docs page's link to the changelog page, relative to the page (the server rewrites it to /docs/changelog). */
export const changelogLink = "changelog.html";

/**
 * The document the docs page shows: a copy of the bundle with `x-codeSamples` on every operation, server
 * descriptions as plain text (Redoc prints them without rendering Markdown), and a link to the changelog.
 */
export function docsDefinition(spec) {
  const definition = withCodeSamples(spec);
  for (const server of definition.servers ?? []) {
    if (server.description) server.description = plainText(server.description);
  }
  definition.info = {
    ...definition.info,
    description: `${definition.info?.description ?? ""}\n\nWhat changed in each version: the [changelog](${changelogLink}).`,
  };
  return definition;
}

// Redoc's "API docs by Redocly" badge loads its logo from cdn.redoc.ly; these local images take its place.
const logos = {
  "https://cdn.redoc.ly/redoc/logo-mini-full.svg": svg(76, "Redocly"),
  "https://cdn.redoc.ly/redoc/logo-mini.svg": svg(18, "R"),
};

/**
 * Turns `redocly build-docs` output into the docs page: the logos local, the definition in a JSON script element
 * (read before hydrating), and the prerendered HTML between markers. Throws when Redoc's output is not the one
 * this was written for, so a new Redocly version fails the build rather than the page.
 */
export function finishPage(html, definition) {
  let page = html;
  for (const [remote, local] of Object.entries(logos)) {
    if (!page.includes(remote)) throw new Error(`docs: Redoc's page no longer loads ${remote}; update docs.js`);
    page = page.replaceAll(remote, local);
  }
  // No /favicon.ico request: the page asks for nothing it does not hold.
  if (!page.includes("</head>")) throw new Error("docs: Redoc's page has no </head>; update docs.js");
  page = page.replace("</head>", '  <link rel="icon" href="data:," />\n</head>');
  const open = '<div id="redoc">';
  const close = '</div>\n      <script type="module">';
  const start = page.indexOf(open);
  const end = page.indexOf(close, start);
  if (start < 0 || end < 0 || page.indexOf(open, start + 1) >= 0) {
    throw new Error("docs: cannot find Redoc's prerendered container; update docs.js");
  }
  const definitionLine = /\n\s*const __redoc_definition = .*;\n/.exec(page);
  if (!definitionLine) throw new Error("docs: cannot find Redoc's definition in the page; update docs.js");
  const json = JSON.stringify(definition)
    .replace(/</g, "\\u003c")
    .replace(/\u2028|\u2029/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  return [
    page.slice(0, start + open.length),
    prerenderedMarkers[0],
    page.slice(start + open.length, end),
    prerenderedMarkers[1],
    "</div>\n",
    `      <script type="application/json" id="${definitionElementId}">${json}</script>`,
    page
      .slice(end + "</div>".length, definitionLine.index)
      .concat(
        `\n      const __redoc_definition = JSON.parse(document.getElementById("${definitionElementId}").textContent);\n`,
      ),
    page.slice(definitionLine.index + definitionLine[0].length),
  ].join("");
}

/** Builds the docs page and the changelog; returns the paths written. */
export async function buildDocs({ outDir = docsDir, changelog = changelogPath } = {}) {
  const spec = JSON.parse(readFileSync(bundlePath, "utf8"));
  const definition = docsDefinition(spec);
  mkdirSync(outDir, { recursive: true });
  const page = join(outDir, "index.html");
  // Written next to the page, then renamed over it, so a server reading the page never sees half of it.
  const partial = `${page}.${process.pid}.partial`;
  const source = join(outDir, `.definition.${process.pid}.json`);
  try {
    writeFileSync(source, JSON.stringify(definition));
    const redocly = createRequire(import.meta.url).resolve("@redocly/cli/bin/cli.js");
    try {
      execFileSync(
        process.execPath,
        [redocly, "build-docs", source, "-o", partial, "--inlineBundle", `--openapi=${JSON.stringify(redocOptions)}`],
        {
          cwd: pkg,
          stdio: ["ignore", "ignore", "pipe"],
          env: {
            ...process.env,
            REDOCLY_TELEMETRY: "off",
            REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
            REDOCLY_SUPPRESS_NOTIFICATIONS: "true",
          },
        },
      );
    } catch (error) {
      throw new Error(`docs: redocly build-docs failed\n${error.stderr ?? error.message}`);
    }
    writeFileSync(partial, finishPage(readFileSync(partial, "utf8"), definition));
    renameSync(partial, page);
  } finally {
    rmSync(partial, { force: true });
    rmSync(source, { force: true });
  }

  // The Markdown changelog holds released versions only: it changes in release commits, not with every spec edit.
  // A shallow clone does not hold every release commit, so it leaves the file as committed.
  const changed = historyComplete()
    ? emitGenerated({ [changelog]: changelogMarkdown(await buildChangelog()) }, { cwd: root })
    : [];
  const withUnreleased = await buildChangelog({ unreleased: true });
  const title = spec.info?.title ?? "API";
  const changelogPage = join(outDir, "changelog.html");
  writeFileSync(`${changelogPage}.${process.pid}.partial`, changelogHtml(withUnreleased, { title }));
  renameSync(`${changelogPage}.${process.pid}.partial`, changelogPage);
  return { page, changelogPage, changelog: changed.length > 0 ? changelog : undefined };
}

// Markdown of a one-line description as plain text: code spans, emphasis and links lose their marks.
function plainText(markdown) {
  return markdown
    .replace(/`([^`]*)`/g, "$1")
    .replace(/\*\*([^*]+)\*\*|__([^_]+)__/g, "$1$2")
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1");
}

function svg(width, text) {
  const image =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="18" viewBox="0 0 ${width} 18">` +
    `<text x="0" y="14" font-family="system-ui,sans-serif" font-size="14" font-weight="600" fill="#0044d4">${text}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(image)}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    const written = await buildDocs();
    process.stdout.write(`docs: wrote ${written.page} and ${written.changelogPage}\n`);
    if (written.changelog) process.stdout.write(`docs: wrote ${written.changelog}\n`);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}
