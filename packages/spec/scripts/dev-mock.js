// The Prism mock as `pnpm dev` runs it (under tsx: it imports the testing package's wire front). Prism runs in this
// process, from its own libraries, on a loopback port, behind the same wire front as `pnpm mock`; one HTTP server
// listens on PORT for the whole session. On a `reload` message from dev.js a new Prism is built from the bundle
// on disk, the front switches to it, and the old one closes: no restart, no closed port, no Prism start-up.
import { createServer } from "node:http";
// Prism's own libraries, the ones `prism mock` is built from, as published packages of their own.
import { createLogger } from "@stoplight/prism-core";
import { getHttpOperationsFromSpec } from "@stoplight/prism-http";
import { createServer as createPrismServer } from "@stoplight/prism-http-server";

const { createWireFront } = await import(new URL("../../testing/src/wire-front.ts", import.meta.url).href);
const { specYamlPath } = await import(new URL("../index.js", import.meta.url).href);

const port = Number(process.env.PORT ?? 4010);
const host = "127.0.0.1";

// What `prism mock <bundle> --errors=false` builds, quiet.
async function startPrism() {
  const operations = await getHttpOperationsFromSpec(specYamlPath);
  if (operations.length === 0) throw new Error("the bundle has no operations");
  const server = createPrismServer(operations, {
    cors: true,
    config: {
      validateRequest: true,
      validateResponse: true,
      checkSecurity: true,
      errors: false,
      upstreamProxy: undefined,
      mock: { dynamic: false },
      isProxy: false,
    },
    components: { logger: createLogger("CLI", { level: "silent" }) },
  });
  const address = await server.listen(0, host);
  // The wire front's request handler, used by the long-lived server below.
  const front = createWireFront(address);
  return { server, handle: front.listeners("request")[0] };
}

let current = await startPrism();
const http = createServer((req, res) => current.handle(req, res));
await new Promise((resolve, reject) => {
  http.once("error", reject);
  http.listen(port, host, () => resolve(undefined));
});
const address = http.address();
process.send?.({
  type: "listening",
  url: `http://${host}:${typeof address === "object" && address ? address.port : port}`,
});

process.on("message", async (message) => {
  if (message?.type !== "reload") return;
  const started = performance.now();
  try {
    const previous = current;
    current = await startPrism();
    process.send?.({ type: "reloaded", id: message.id, ms: performance.now() - started });
    // Requests already inside the old Prism finish there.
    setTimeout(() => previous.server.close().catch(() => {}), 1000).unref();
  } catch (error) {
    process.send?.({ type: "reload-failed", id: message.id, error: error.message });
  }
});
process.on("disconnect", () => process.exit(0));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    http.close(() => process.exit(0));
    http.closeAllConnections();
  });
}
