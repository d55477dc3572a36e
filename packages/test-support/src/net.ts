// What the kernel knows about a local server's connections, for tests that must know the server has read what was
// sent before they go on (Linux: /proc/net/tcp).
import { existsSync, readFileSync } from "node:fs";

/**
 * The bytes received but not yet read by the process, for each established connection that a server listening on
 * 127.0.0.1:`port` accepted (or has yet to accept). A Node HTTP server parses what it reads at once, so when every
 * count is 0, every request line and header sent so far has reached its parser.
 */
export function unreadBytes(port: number): number[] {
  const table = "/proc/net/tcp";
  if (!existsSync(table)) throw new Error(`${table} is missing: unreadBytes() needs Linux`);
  const local = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  return readFileSync(table, "utf8")
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(local) && f[3] === "01")
    .map((f) => Number.parseInt(f[4]?.split(":")[1] ?? "0", 16));
}
