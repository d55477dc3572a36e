// A benchmarked server in its own process, so the load generator never shares its event loop. Started by
// `servers.ts` with its settings as the first argument; reports seeding progress and its URL over IPC.
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import {
  createApp,
  createServices,
  createStore,
  defaultOrganizationId,
  defaultSeed,
  listen,
  loadSeed,
  type StoreOptions,
  TokenAuthority,
} from "@refunds-api/server";
import { createBareApp } from "./bare.js";
import { benchToken } from "./data.js";
import { createStockApp } from "./stock.js";
import { seedRows } from "./stores.js";

/** What to serve. */
export interface ServeSettings {
  /**
   * `validated`: the reference server as `pnpm start` builds it; `bare`: Express with the same handlers only;
   * `stock`: the same handlers behind express-openapi-validator's stock `middleware()` (see `stock.ts`).
   */
  app: "validated" | "bare" | "stock";
  store: StoreOptions;
  /** Generated patient refunds stored before listening. */
  rows: number;
  /** Response validation of the validated app (on unless false). */
  validateResponses?: boolean;
}

/** Messages from the parent: profile the CPU between `profile-start` and `profile-stop` (written to `file`). */
export type ServeCommand = { type: "profile-start" } | { type: "profile-stop"; file: string };

/** Messages to the parent. */
export type ServeMessage =
  | { type: "progress"; done: number; total: number }
  | { type: "ready"; url: string }
  | { type: "failed"; message: string }
  | { type: "profiled"; file: string };

const send = (message: ServeMessage) => process.send?.(message);

async function main(settings: ServeSettings) {
  const store = await createStore(settings.store);
  await seedRows(store, settings.rows, (done, total) => send({ type: "progress", done, total }));
  // What autovacuum would do soon after a bulk load, done before measuring rather than during it.
  await store.analyze?.();
  // Seeding a large store leaves the collector a lot to do; done now, it does not land in the measured rounds.
  (globalThis as { gc?: () => void }).gc?.();
  const directory = await loadSeed(store, defaultSeed);
  const auth = new TokenAuthority({ clientId: "bench", clientSecret: "bench-secret", staticTokens: [benchToken] });
  const services = () =>
    createServices({
      store,
      directory,
      runtime: { now: Date.now, newId: randomUUID },
      organizationId: defaultOrganizationId,
    });
  const app =
    settings.app === "validated"
      ? createApp({ auth, store, directory, validateResponses: settings.validateResponses ?? true })
      : settings.app === "stock"
        ? createStockApp(services(), auth)
        : createBareApp(services(), auth);
  const running = await listen(app);
  const stop = async () => {
    await running.stop();
    await store.close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("disconnect", stop);
  process.on("message", (command: ServeCommand) => {
    profile(command).catch((error: unknown) => send({ type: "failed", message: String(error) }));
  });
  send({ type: "ready", url: running.url });
}

let session: Session | undefined;

// Profiles only the measured load, not start-up and seeding.
async function profile(command: ServeCommand) {
  if (command.type === "profile-start") {
    session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
  } else if (session) {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(command.file, JSON.stringify(profile));
    session.disconnect();
    session = undefined;
    send({ type: "profiled", file: command.file });
  }
}

main(JSON.parse(process.argv[2] ?? "{}") as ServeSettings).catch((error: unknown) => {
  send({ type: "failed", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
