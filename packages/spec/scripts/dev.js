// `pnpm dev`: the authoring loop. Serves the reference server and the Prism mock, watches openapi/ and on each
// save lints the spec (in this process), rebundles it and swaps the new contract into the running server and mock
// (each a long-lived process that keeps its port and rebuilds in place). The contract's types and the docs page
// are regenerated after that, off the path to serving. A spec that does not lint (or bundle) changes nothing: the last good one keeps serving and
// the problems are printed.
//
//   pnpm dev [--port 3000] [--mock-port 4010] [--no-mock] [--no-types] [--no-docs]
import { fork, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { existsSync, watch } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { bundleSpec } from "./bundle.js";
import { emitGenerated } from "./codegen.js";
import { lintSpec, quietRedoclyEnv } from "./lint.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const specDir = join(root, "openapi");
const entry = join(specDir, "openapi.yaml");
const docsPage = join(root, "packages/spec/docs/index.html");

// Files under openapi/ that are not the spec: the released snapshot, the waivers, the docs.
const isSpecFile = (file) =>
  /\.(ya?ml|json)$/.test(file) && !file.startsWith(`released${sep}`) && !/^(released|waivers\.yaml)$/.test(file);

/**
 * Starts the loop. Resolves once the server (and the mock) answer, with their URLs, `events` (`served` with
 * `{ ms, files }` after a save is served, `rejected` with `{ problems }` when it does not lint, `generated` with
 * `{ what, ms }` when types or docs are rewritten) and `stop()`. `log` receives each line printed.
 */
export async function startDev({
  port = 3000,
  mockPort = 4010,
  mock = true,
  types = true,
  docs = true,
  debounceMs = 20,
  log = (line) => process.stdout.write(`${line}\n`),
} = {}) {
  const events = new EventEmitter();
  const children = [];
  const [server, mocker] = await Promise.all([
    startHost("dev-server.js", port, children),
    mock ? startHost("dev-mock.js", mockPort, children) : undefined,
  ]);
  const hosts = [server, mocker].filter(Boolean);
  const mockUrl = mocker?.url;
  log(`dev: server ${server.url} (docs ${server.url}/docs, spec ${server.url}/openapi.json)`);
  if (mockUrl) log(`dev: mock ${mockUrl} (Prism behind the wire front, as \`pnpm mock\`)`);
  log(`dev: watching ${relative(root, specDir)}${sep} — save a file to lint, rebundle and serve it`);

  let lastJson;
  // Set after the first build: one reload of each host and one more lint, so the first save finds them warm.
  let warmup = Promise.resolve();
  let running = false;
  let pending;
  let timer;
  const background = new Background(log, events);

  async function rebuild(batch) {
    const started = batch.since;
    const first = batch.files[0] === "(start)";
    const [lint, bundled] = await Promise.all([
      lintSpec({ entry }).catch((error) => ({
        errors: 1,
        warnings: 0,
        problems: [{ message: error.message, ruleId: "lint", location: "" }],
      })),
      bundleSpec({ entry }).catch((error) => ({ error })),
    ]);
    const problems = [...lint.problems];
    if (bundled.error)
      problems.push({ severity: "error", ruleId: "bundle", message: bundled.error.message, location: "" });
    if (lint.errors > 0 || bundled.error) {
      log(`dev: ✗ the spec does not lint (${problems.length} problem(s)); still serving the last good one:`);
      for (const p of problems) log(`  ${p.location || "openapi/"}  ${p.message} (${p.ruleId})`);
      events.emit("rejected", { problems });
      return;
    }
    for (const p of problems) log(`  warning ${p.location}  ${p.message} (${p.ruleId})`);
    if (bundled.json === lastJson) {
      log("dev: saved; the bundle did not change");
      events.emit("unchanged", {});
      return;
    }
    lastJson = bundled.json;
    const written = emitGenerated(bundled.files, { cwd: root });
    // At start the server read the bundle on disk; when that was current there is nothing to reload or regenerate.
    if (first && written.length === 0) {
      if (types) background.schedule({ json: bundled.json, types, docs: docs && !existsSync(docsPage) });
      return;
    }
    await warmup;
    const checked = performance.now();
    const reloads = await Promise.all(hosts.map((host) => host.reload()));
    const ms = performance.now() - started;
    const steps = [
      `lint and bundle ${Math.round(checked - started)} ms`,
      ...reloads.map((r, i) => `${i === 0 ? "server" : "mock"} ${Math.round(r.ms ?? 0)} ms`),
    ];
    const failed = reloads.find((r) => r.type !== "reloaded");
    if (failed) {
      log(`dev: ✗ the new bundle could not be served (${failed.error}); the last one still is`);
      events.emit("rejected", { problems: [{ message: failed.error }] });
      return;
    }
    log(`dev: ✓ served in ${Math.round(ms)} ms: ${batch.files.join(", ")} (${steps.join(", ")})`);
    events.emit("served", { ms, files: batch.files, steps });
    background.schedule({ json: bundled.json, types, docs });
  }

  async function drain() {
    if (running) return;
    running = true;
    try {
      while (pending) {
        const batch = pending;
        pending = undefined;
        await rebuild(batch).catch((error) => log(`dev: ✗ ${error.stack ?? error.message}`));
      }
    } finally {
      running = false;
    }
  }

  const watcher = watch(specDir, { recursive: true }, (_event, name) => {
    if (!name || !isSpecFile(name)) return;
    pending ??= { since: performance.now(), files: [] };
    if (!pending.files.includes(name)) pending.files.push(name);
    clearTimeout(timer);
    timer = setTimeout(drain, debounceMs);
  });

  // The first build: what is on disk now is served (and the types and docs caught up) before the first save.
  pending = { since: performance.now(), files: ["(start)"] };
  await drain();
  warmup = Promise.all([...hosts.map((host) => host.reload()), lintSpec({ entry })]).catch(() => {});

  return {
    url: server.url,
    mockUrl,
    events,
    async stop() {
      watcher.close();
      clearTimeout(timer);
      await background.idle();
      await Promise.all(children.map((child) => stopChild(child)));
    },
  };
}

// A host (dev-server.js or dev-mock.js, under tsx) forked with an IPC channel: it listens on `port` for the whole
// session and answers each `reload` message once the new bundle is what it serves.
async function startHost(script, port, children) {
  const child = fork(join(root, "packages/spec/scripts", script), [], {
    cwd: root,
    execArgv: ["--import", "tsx", "--no-deprecation"],
    env: { ...process.env, PORT: String(port), LOG_LEVEL: process.env.LOG_LEVEL ?? "warn", NO_COLOR: "1" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.push(child);
  const url = await new Promise((resolve, reject) => {
    child.on("message", (m) => m?.type === "listening" && resolve(m.url));
    child.once("exit", (code) => reject(new Error(`${script} exited (${code}) before listening`)));
  });
  let next = 0;
  return {
    url,
    reload: () =>
      new Promise((resolve) => {
        const id = ++next;
        const onMessage = (m) => {
          if (m?.id !== id) return;
          child.off("message", onMessage);
          resolve(m);
        };
        child.on("message", onMessage);
        child.send({ type: "reload", id });
      }),
  };
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

// The contract's types and the docs page, regenerated one at a time after the contract is served; a save during a
// run queues one more run with the newest bundle.
class Background {
  constructor(log, events) {
    this.log = log;
    this.events = events;
    this.next = undefined;
    this.running = undefined;
  }

  schedule(job) {
    this.next = job;
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
  }

  async run() {
    while (this.next) {
      const { json, types, docs } = this.next;
      this.next = undefined;
      if (types) await this.step("types", () => generateTypes(json));
      if (docs) await this.step("docs", () => buildDocs());
    }
  }

  async step(what, work) {
    const started = performance.now();
    try {
      const changed = await work();
      const ms = performance.now() - started;
      if (changed.length > 0) this.log(`dev: ${what} rewritten in ${Math.round(ms)} ms (${changed.join(", ")})`);
      this.events.emit("generated", { what, ms, changed });
    } catch (error) {
      this.log(`dev: ✗ ${what}: ${error.message}`);
    }
  }

  idle() {
    return this.running ?? Promise.resolve();
  }
}

async function generateTypes(json) {
  const { contractFiles } = await import(new URL("../../contract/scripts/generate.js", import.meta.url).href);
  return emitGenerated(await contractFiles(json), { cwd: root });
}

function buildDocs() {
  return new Promise((resolveDocs, reject) => {
    const child = spawn(process.execPath, ["--no-deprecation", join(root, "packages/spec/scripts/docs.js")], {
      cwd: root,
      env: { ...process.env, ...quietRedoclyEnv },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.once("exit", (code) => {
      if (code === 0) resolveDocs(["packages/spec/docs/index.html"]);
      else reject(new Error(`docs failed (${code}): ${stderr.trim().split("\n").slice(-3).join(" ")}`));
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: process.env.PORT ?? "3000" },
      "mock-port": { type: "string", default: "4010" },
      "no-mock": { type: "boolean", default: false },
      "no-types": { type: "boolean", default: false },
      "no-docs": { type: "boolean", default: false },
    },
  });
  try {
    const dev = await startDev({
      port: Number(values.port),
      mockPort: Number(values["mock-port"]),
      mock: !values["no-mock"],
      types: !values["no-types"],
      docs: !values["no-docs"],
    });
    for (const signal of ["SIGINT", "SIGTERM"]) {
      process.once(signal, () => {
        dev.stop().then(() => process.exit(0));
      });
    }
  } catch (error) {
    process.stderr.write(`dev: ${error.message}\n`);
    process.exit(1);
  }
}
