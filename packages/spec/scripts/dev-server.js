// The reference server as `pnpm dev` runs it (under tsx: it imports the server's TypeScript sources). One HTTP
// server listens on PORT for the whole session and hands each request to the current app; on a `reload` message
// from dev.js it builds a new app from the bundle on disk and swaps it in, so the new contract is served without a
// restart, a closed port or a lost refund (the in-memory store and the tokens stay).
import { createServer } from "node:http";
import { pino } from "pino";

const server = await import(new URL("../../server/src/index.ts", import.meta.url).href);
const { createApp, createMemoryStore, defaultSeed, loadSeed, readConfig, readSeedFile, TokenAuthority } = server;

const config = readConfig(process.env);
const logger = pino({ level: config.logLevel });
const store = createMemoryStore();
const directory = await loadSeed(store, config.seedFile ? readSeedFile(config.seedFile) : defaultSeed);
const auth = new TokenAuthority({
  clientId: config.clientId,
  clientSecret: config.clientSecret,
  staticTokens: config.staticTokens,
  tokenTtlSeconds: config.tokenTtlSeconds,
});
const build = () => createApp({ auth, store, directory, logger, validateResponses: config.validateResponses });

// The validator reads its spec on the first request: one request of each kind, made before the app is swapped in,
// keeps that wait off the first caller's.
async function warm(candidate) {
  const listener = candidate.listen(0, "127.0.0.1");
  await new Promise((resolve) => listener.once("listening", resolve));
  const base = `http://127.0.0.1:${listener.address().port}`;
  const headers = config.staticTokens[0] ? { authorization: `Bearer ${config.staticTokens[0]}` } : {};
  try {
    await fetch(`${base}/openapi.json`).then((r) => r.arrayBuffer());
    await fetch(`${base}/api/patient-refunds/v1?limit=1`, { headers }).then((r) => r.arrayBuffer());
  } finally {
    listener.close();
    listener.closeAllConnections();
  }
}

let app = build();
await warm(app);
const http = createServer((req, res) => app(req, res));
await new Promise((resolve, reject) => {
  http.once("error", reject);
  http.listen(config.port, config.host, () => resolve(undefined));
});
const address = http.address();
const url = `http://${config.host}:${typeof address === "object" && address ? address.port : config.port}`;
process.send?.({ type: "listening", url });

process.on("message", async (message) => {
  if (message?.type !== "reload") return;
  const started = performance.now();
  try {
    const next = build();
    await warm(next);
    app = next;
    process.send?.({ type: "reloaded", id: message.id, ms: performance.now() - started });
  } catch (error) {
    // The last good app keeps serving.
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
