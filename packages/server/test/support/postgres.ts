import { execFile as execFileCb, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const execFile = promisify(execFileCb);

export interface PostgresServer {
  /** Connection string for the superuser on the `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

/** Finds the bin directory of an installed PostgreSQL server, preferring 15; installs Debian's package when none is. */
export function ensurePostgresInstalled(): string {
  const found = findBinDir();
  if (found) return found;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // A throwaway cluster never needs the package's own cluster, so skip creating it.
  spawnSync("mkdir", ["-p", "/etc/postgresql-common/createcluster.d"]);
  spawnSync("sh", ["-c", "echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/no-main.conf"]);
  // Chromium may be installing at the same time: wait for apt's lock instead of failing on it.
  const lock = ["-o", "DPkg::Lock::Timeout=600"];
  for (const args of [
    [...lock, "update"],
    [...lock, "install", "-y", "--no-install-recommends", "postgresql"],
  ]) {
    const r = spawnSync("apt-get", args, { env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(" ")} failed:\n${r.stderr || r.error}`);
  }
  const bin = findBinDir();
  if (!bin) throw new Error("PostgreSQL was installed but no server binaries were found under /usr/lib/postgresql");
  return bin;
}

function findBinDir(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, "bin", "pg_ctl")))
    .sort((a, b) => (a === "15" ? -1 : b === "15" ? 1 : Number(b) - Number(a)));
  return versions[0] ? join(base, versions[0], "bin") : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a throwaway PostgreSQL cluster in a temp directory on a free loopback port.
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = ensurePostgresInstalled();
  const dir = mkdtempSync(join(tmpdir(), "refunds-pg-"));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) =>
    asRoot ? execFile("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args]) : execFile(join(bin, cmd), args);
  if (asRoot) await execFile("chown", ["postgres:postgres", dir]);
  const data = join(dir, "data");
  await run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  await run("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "-t", "60", "start"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
