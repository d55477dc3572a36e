// A throwaway PostgreSQL cluster from Debian's server binaries (initdb and pg_ctl), and databases on it.
import { execFile as execFileCb, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { missingDependency } from "./setup.js";

const execFile = promisify(execFileCb);
const base = "/usr/lib/postgresql";

export interface PostgresServer {
  /** Connection string for the superuser `postgres` on the `postgres` database. */
  url: string;
  /** The cluster's folder (data and server.log); removed by `stop()`. */
  dir: string;
  /** Stops the server and removes its folder; a second call does nothing. */
  stop(): Promise<void>;
}

/** The bin folder of the installed PostgreSQL server (15 preferred); throws, naming `pnpm setup:test-deps`, when none is. */
export function postgresBinDir(): string {
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, "bin", "pg_ctl")) && existsSync(join(base, v, "bin", "initdb")))
        .sort((a, b) => (a === "15" ? -1 : b === "15" ? 1 : Number(b) - Number(a)))
    : [];
  if (!versions[0]) throw missingDependency("PostgreSQL", `no ${base}/*/bin/pg_ctl`);
  return join(base, versions[0], "bin");
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
 * Starts a throwaway PostgreSQL cluster in a temp folder on a free loopback port, tuned for tests (no fsync, no
 * synchronous commit), and resolves once it accepts connections. PostgreSQL refuses to run as root, so as root the
 * server runs as the `postgres` system user, which Debian's package creates.
 */
export async function startPostgres(options: { maxConnections?: number } = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    await execFile("id", ["-u", "postgres"]).catch(() => {
      throw missingDependency("PostgreSQL", "no `postgres` system user to run the server as");
    });
  }
  const run = (cmd: string, args: string[]) =>
    asRoot ? execFile("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args]) : execFile(join(bin, cmd), args);
  const dir = mkdtempSync(join(tmpdir(), "refunds-pg-"));
  const data = join(dir, "data");
  const log = join(dir, "server.log");
  try {
    if (asRoot) await execFile("chown", ["postgres:postgres", dir]);
    await run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
    // The free port may be taken by someone else before the server binds it: then try another.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const settings = [
        `-p ${port}`,
        `-k ${dir}`,
        "-c listen_addresses=127.0.0.1",
        "-c fsync=off",
        "-c synchronous_commit=off",
        "-c full_page_writes=off",
        `-c max_connections=${options.maxConnections ?? 300}`,
      ].join(" ");
      try {
        // -w waits until the server accepts connections; a busy machine may take long to get there.
        await run("pg_ctl", ["-D", data, "-o", settings, "-l", log, "-w", "-t", "180", "start"]);
      } catch (error) {
        const text = existsSync(log) ? readFileSync(log, "utf8") : "";
        if (attempt < 3 && /could not bind|Address already in use/i.test(text)) continue;
        throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${text.slice(-4000)}`);
      }
      const watchdog = stopWhenGone(process.pid, asRoot, bin, data, dir);
      let stopped: Promise<void> | undefined;
      return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        dir,
        stop() {
          watchdog.kill();
          stopped ??= run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "60", "stop"])
            .catch(() => {})
            .then(() => rmSync(dir, { recursive: true, force: true }));
          return stopped;
        },
      };
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A detached shell that stops the cluster and removes its folder once process `pid` is gone, so that a run killed
 * before its teardown (Ctrl-C, SIGTERM, SIGKILL) leaves no server behind. It asks once a second.
 */
function stopWhenGone(pid: number, asRoot: boolean, bin: string, data: string, dir: string) {
  const pgCtl = `${asRoot ? "runuser -u postgres -- " : ""}"$2/pg_ctl"`;
  const script = `while kill -0 "$1" 2>/dev/null; do sleep 1; done; ${pgCtl} -D "$3" -m immediate stop; rm -rf "$4"`;
  const child = spawn("sh", ["-c", script, "postgres-watchdog", String(pid), bin, data, dir], {
    detached: true,
    stdio: "ignore",
  });
  child.unref();
  return child;
}

/** A database made by `createDatabase`. */
export interface Database {
  /** Connection string of the new database (same server, user and options as the one it was made from). */
  url: string;
  name: string;
  /** Drops the database, closing any connection still open on it; a second call does nothing. */
  drop(): Promise<void>;
}

let made = 0;

/**
 * Creates a new, empty database on the server of `serverUrl` (a superuser's connection string, such as
 * `PostgresServer.url`), named `<prefix>_<pid>_<n>`: unique among the processes of a run.
 */
export async function createDatabase(serverUrl: string, prefix = "refunds_test"): Promise<Database> {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`Not a plain lower-case name prefix: ${prefix}`);
  const name = `${prefix}_${process.pid}_${++made}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.href,
    name,
    drop() {
      dropped ??= adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return dropped;
    },
  };
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
