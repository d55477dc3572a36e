import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createControl } from "@refunds-api/server";
import { specYamlPath } from "@refunds-api/spec";
import { controlOf, type DoubleControl } from "./control.js";
import { spawnPrism } from "./prism.js";
import { createWireFront } from "./wire-front.js";

/** Options of {@link startMock}. */
export interface MockOptions {
  /** Generate responses from the schemas instead of serving the spec's examples. */
  dynamic?: boolean;
  /** Seed of dynamic generation, so a dynamic mock answers the same way on every run. */
  seed?: string | number;
  /** Answer requests that break the spec with an error response instead of only logging the violation. */
  errors?: boolean;
  /** Spec to serve; the bundled spec by default. */
  specPath?: string;
  /** How long to wait for Prism to answer before giving up. */
  startTimeoutMs?: number;
  /**
   * Put the wire front before Prism (default): requests are checked by the reference server's validator and
   * refused with the server's bodies (403 UnauthorizedError, 422 UnprocessableEntityError naming each violation,
   * 404 for a malformed id), `Prefer` is checked against the operation, the control endpoints answer, and a page
   * fetched with a `page_token` is the last. `false` exposes Prism as it is (no control calls).
   */
  wire?: boolean;
  /**
   * Serve the `/__control/` endpoints (journal, faults, reset) that `requests()`, `inject()`, `clearFaults()` and
   * `reset()` call; on by default here, off for `pnpm mock` unless CONTROL=1 or `--control`.
   */
  control?: boolean;
  /** Port of the mock; a free one by default. */
  port?: number;
}

/** A running Prism mock, with the control calls of both doubles (see {@link DoubleControl}). */
export interface RunningMock extends DoubleControl {
  /** Base URL of the mock, such as `http://127.0.0.1:41234`, without a trailing slash. */
  url: string;
  /** Stops the mock; safe to call more than once. */
  stop(): Promise<void>;
}

/** Seed used by dynamic mocks when none is given, so their answers are reproducible. */
export const defaultMockSeed = "refunds-api";

/**
 * Starts Prism on the bundled spec on a free 127.0.0.1 port and resolves once it answers HTTP.
 * The process is killed by `stop()`, and in any case when the test process exits.
 */
export async function startMock(options: MockOptions = {}): Promise<RunningMock> {
  const { dynamic = false, errors = false, specPath = specYamlPath, startTimeoutMs = 60_000, wire = true } = options;
  const prismPort = wire ? 0 : (options.port ?? 0);
  const args = ["mock", specPath, "--host", "127.0.0.1", "--port", String(prismPort), `--errors=${errors}`];
  if (dynamic) args.push("--dynamic", "--seed", String(options.seed ?? defaultMockSeed));

  const prism = await spawnPrism(args, startTimeoutMs);
  if (!wire) return { ...prism, ...controlOf(prism.url) };
  // The server's validation and the control surface know the bundled spec only: another spec is served as Prism
  // answers it, its errors translated.
  const bundled = specPath === specYamlPath;
  const control = bundled && (options.control ?? true) ? createControl() : undefined;
  const front = createWireFront(prism.url, { validate: bundled, control });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (front.listening) await new Promise((resolve) => front.close(resolve));
      front.closeAllConnections();
      await prism.stop();
    })();
    return stopping;
  };
  try {
    const url = await listen(front, options.port ?? 0);
    return { url, stop, ...controlOf(url) };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function listen(server: Server, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
