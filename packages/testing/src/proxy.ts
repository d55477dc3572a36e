import { specYamlPath } from "@refunds-api/spec";
import { spawnPrism } from "./prism.js";

/** Options of {@link startProxy}. */
export interface ProxyOptions {
  /**
   * Refuse what breaks the spec (default): a request that breaks it is answered by Prism (401 or 422
   * problem+json) and never forwarded, and a response that breaks a schema becomes a 500 problem+json.
   * `false` forwards everything and only reports violations in the `sl-violations` header.
   */
  errors?: boolean;
  /** Spec to validate against; the bundled spec by default. */
  specPath?: string;
  /** How long to wait for Prism to answer before giving up. */
  startTimeoutMs?: number;
  /** Port of the proxy; a free one by default. */
  port?: number;
}

/** A running Prism validation proxy. */
export interface RunningProxy {
  /** Base URL of the proxy, without a trailing slash; send requests here instead of to the upstream. */
  url: string;
  /** Stops the proxy; safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts `prism proxy` in front of `upstream` (such as a `startServer()` URL) on a free 127.0.0.1 port: every
 * request and response passing through is validated against the spec. Prism reports any violation, warnings
 * included (an undeclared status code is only a warning), in the `sl-violations` response header.
 */
export async function startProxy(upstream: string, options: ProxyOptions = {}): Promise<RunningProxy> {
  const { errors = true, specPath = specYamlPath, startTimeoutMs = 60_000, port = 0 } = options;
  const args = ["proxy", specPath, upstream, "--host", "127.0.0.1", "--port", String(port), `--errors=${errors}`];
  return spawnPrism(args, startTimeoutMs);
}
