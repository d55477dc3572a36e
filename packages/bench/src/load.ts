// Load generation with autocannon, and the statistics the report is made of.
import autocannon from "autocannon";
import { benchToken } from "./data.js";

/** One kind of request a comparison sends, the same to every target. */
export interface Workload {
  name: string;
  method: "GET" | "POST" | "PATCH";
  /** Path and query, appended to the target's URL. */
  path: string;
  body?: unknown;
}

/** What one timed run measured. */
export interface RunResult {
  /** Successful (2xx) responses per second. */
  rps: number;
  /** Latency of each successful response, in milliseconds (only when asked for). */
  latencies: number[];
}

/** Options of one run. */
export interface RunOptions {
  durationSec: number;
  connections: number;
  /** Keep every latency (for percentiles); off for throughput runs. */
  latencies?: boolean;
}

/**
 * Sends `workload` to `url` for `durationSec` over `connections` keep-alive connections, loopback only. Every
 * response must be a 2xx: a benchmark of error responses would measure the wrong thing, so any other fails the run.
 */
export async function run(url: string, workload: Workload, options: RunOptions): Promise<RunResult> {
  if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+$/.test(url)) throw new Error(`Not a loopback URL: ${url}`);
  const headers: Record<string, string> = { authorization: `Bearer ${benchToken}`, accept: "application/json" };
  if (workload.body !== undefined) headers["content-type"] = "application/json";
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let firstFailure = "";
  let started = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: url + workload.path,
        method: workload.method,
        headers,
        body: workload.body === undefined ? undefined : JSON.stringify(workload.body),
        connections: options.connections,
        duration: options.durationSec,
        timeout: 10,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on("start", () => {
      started = performance.now();
    });
    instance.on("response", (client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) {
        ok++;
        if (options.latencies) latencies.push(responseTime);
      } else if (failed++ === 0) {
        firstFailure = `${statusCode}`;
        client.once("body", (body) => {
          firstFailure = `${statusCode} ${String(body).slice(0, 300)}`;
        });
      }
    });
  });
  const elapsedSec = (performance.now() - (started || performance.now())) / 1000 || result.duration;
  if (failed > 0 || result.errors > 0) {
    throw new Error(
      `${workload.name} on ${url}: ${failed} non-2xx responses and ${result.errors} errors (${result.timeouts} timeouts); first: ${firstFailure}`,
    );
  }
  return { rps: ok / Math.max(elapsedSec, 1e-3), latencies };
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The `p`-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
