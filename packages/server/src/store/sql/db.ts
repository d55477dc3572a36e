// One small interface over the two ways the SQL store reaches PostgreSQL: a `pg` pool of connections to a server,
// and PGlite (PostgreSQL compiled to WebAssembly) in this process. Both speak the same SQL; PGlite is one
// connection, so its transactions take turns.
import { AsyncLocalStorage } from "node:async_hooks";
import { spawnSync } from "node:child_process";
import { closeSync, constants, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import type { PGlite, SerializerOptions } from "@electric-sql/pglite";
import type { Pool, PoolClient } from "pg";

/** Runs statements on one connection. */
export interface Queryable {
  /** One statement with `$n` parameters; its rows. */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** A script of several statements without parameters (a migration). */
  exec(script: string): Promise<void>;
}

/** A database: statements outside a transaction, transactions, and closing. */
export interface SqlDb extends Queryable {
  /**
   * Statements run on this thread (PGlite): each one holds the event loop for as long as it works, so the store
   * keeps the work of one statement small (see `SqlTable.insert`). A server's statements (`pg`) run elsewhere.
   */
  readonly inProcess: boolean;
  /**
   * Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. Called again inside `fn`
   * (directly or from code it awaits), it runs in a savepoint of the same transaction.
   */
  transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R>;
  close(): Promise<void>;
}

interface Connection extends Queryable {
  release(broken: boolean): void;
}

/** Transactions over connections from `connect`, with nesting through savepoints. */
class Db implements SqlDb {
  private readonly current = new AsyncLocalStorage<{ tx: Queryable; depth: number }>();

  constructor(
    readonly inProcess: boolean,
    private readonly connect: () => Promise<Connection>,
    /** Statements outside a transaction. */
    private readonly direct: Queryable,
    private readonly shutdown: () => Promise<void>,
  ) {}

  query<R>(text: string, params?: readonly unknown[]): Promise<R[]> {
    return (this.current.getStore()?.tx ?? this.direct).query<R>(text, params);
  }

  exec(script: string): Promise<void> {
    return (this.current.getStore()?.tx ?? this.direct).exec(script);
  }

  async transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R> {
    const outer = this.current.getStore();
    if (outer) {
      const savepoint = `nested_${outer.depth + 1}`;
      await outer.tx.exec(`SAVEPOINT ${savepoint}`);
      try {
        const result = await this.current.run({ tx: outer.tx, depth: outer.depth + 1 }, () => fn(outer.tx));
        await outer.tx.exec(`RELEASE SAVEPOINT ${savepoint}`);
        return result;
      } catch (error) {
        await outer.tx.exec(`ROLLBACK TO SAVEPOINT ${savepoint}`);
        throw error;
      }
    }
    const connection = await this.connect();
    let broken = false;
    try {
      await connection.exec("BEGIN");
      const result = await this.current.run({ tx: connection, depth: 0 }, () => fn(connection));
      await connection.exec("COMMIT");
      return result;
    } catch (error) {
      try {
        await connection.exec("ROLLBACK");
      } catch {
        // A connection that cannot roll back is not handed out again.
        broken = true;
      }
      throw error;
    } finally {
      connection.release(broken);
    }
  }

  close(): Promise<void> {
    return this.shutdown();
  }
}

function clientQueryable(client: Pool | PoolClient): Queryable {
  return {
    async query<R>(text: string, params?: readonly unknown[]) {
      return (await client.query(text, params as unknown[])).rows as R[];
    },
    async exec(script: string) {
      // Without parameters pg uses the simple query protocol, which runs several statements.
      await client.query(script);
    },
  };
}

/** A database over a `pg` pool; closing it ends the pool. */
export function poolDb(pool: Pool): SqlDb {
  return new Db(
    false,
    async () => {
      const client = await pool.connect();
      return { ...clientQueryable(client), release: (broken) => client.release(broken) };
    },
    clientQueryable(pool),
    () => pool.end(),
  );
}

/** A promise chain that runs one task at a time, in the order they arrive. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Waits for the tasks before, then holds the mutex until `release` is called. */
  async acquire(): Promise<() => void> {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const before = this.tail;
    this.tail = before.then(() => held);
    await before;
    return release;
  }

  async run<R>(task: () => Promise<R>): Promise<R> {
    const release = await this.acquire();
    try {
      return await task();
    } finally {
      release();
    }
  }
}

/**
 * A database over one PGlite instance; closing it closes PGlite and then runs `onClose`. PGlite is a single
 * connection, so a transaction holds it from BEGIN to COMMIT and every other statement waits for its turn:
 * statements of concurrent requests never interleave inside one transaction.
 */
export function pgliteDb(pglite: PGlite, onClose: () => void = () => {}): SqlDb {
  const mutex = new Mutex();
  // PGlite's serializers, except that bytes pass as they are: PGlite's Bind takes a byte array as a value in the
  // binary format (its serializers' type says string, the only kind they return themselves).
  const serializers = Object.fromEntries(
    [textOid, jsonOid, textArrayOid].map((oid) => [
      oid,
      (value: unknown) => (value instanceof Uint8Array ? value : (pglite.serializers[oid] ?? String)(value)),
    ]),
  ) as unknown as SerializerOptions;
  // PGlite runs each statement on this thread, and its promises settle at once: the statements of a transaction
  // would run back to back in one turn of the event loop, everything else waiting for the lot, and the caller's
  // next step (a large response checked and written) would run in the turn of the last one. A turn of the event
  // loop before and after each statement lets timers and other requests' I/O in between, so the longest wait is
  // one statement's.
  const raw: Queryable = {
    async query<R>(text: string, params?: readonly unknown[]) {
      await nextTurn();
      let rows: R[];
      if (!params?.some(holdsLongText)) rows = (await pglite.query<R>(text, params as unknown[])).rows;
      else rows = (await pglite.query<R>(text, params.map(longTextAsBytes), { serializers })).rows;
      await nextTurn();
      return rows;
    },
    async exec(script: string) {
      await nextTurn();
      await pglite.exec(script);
      await nextTurn();
    },
  };
  const direct: Queryable = {
    query: (text, params) => mutex.run(() => raw.query(text, params)),
    exec: (script) => mutex.run(() => raw.exec(script)),
  };
  return new Db(
    true,
    async () => {
      const release = await mutex.acquire();
      return { ...raw, release: () => release() };
    },
    direct,
    async () => {
      await mutex.run(() => pglite.close());
      onClose();
    },
  );
}

/**
 * Resolves in a later turn of the event loop, after its timers and I/O have had their turn: an immediate set from
 * an I/O callback would still run in the same turn (the check phase follows the poll phase), one set from an
 * immediate runs in the next.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * Text parameters at least this long (in UTF-16 units), alone or in a `text[]`, go to PGlite as UTF-8 bytes. PGlite
 * writes a string parameter by counting its UTF-8 length in JavaScript, twice, then encoding it: for a 1 MB document
 * that was most of the time an insert held the thread. Bytes go in the binary format, which for `text` and `json` is
 * the UTF-8 text itself: PostgreSQL checks its encoding, and parses the JSON, as it does for the text format. Strings
 * reaching the store are well-formed (see `sqlText`), so encoding them changes no character.
 */
const longText = 4096;

const isLongText = (value: unknown): value is string => typeof value === "string" && value.length >= longText;

const holdsLongText = (value: unknown) => isLongText(value) || (Array.isArray(value) && value.some(isLongText));

// PostgreSQL type OIDs of the parameters a long text can be bound to in the store's statements.
const textOid = 25;
const jsonOid = 114;
const textArrayOid = 1009;

/** A parameter holding a long text as bytes: a string as UTF-8, an array of strings as a binary `text[]`. */
function longTextAsBytes(value: unknown): unknown {
  if (isLongText(value)) return Buffer.from(value, "utf8");
  if (Array.isArray(value) && value.some(isLongText) && value.every((v) => typeof v === "string" || v === null)) {
    return textArrayBytes(value as (string | null)[]);
  }
  return value;
}

/**
 * A one-dimensional `text[]` in PostgreSQL's binary array format (`array_recv`): dimensions, a has-nulls flag, the
 * element type, then each dimension's length and lower bound, then each element as its length (-1 for NULL) and bytes.
 */
export function textArrayBytes(values: readonly (string | null)[]): Buffer {
  const elements = values.map((v) => (v === null ? null : Buffer.from(v, "utf8")));
  const header = values.length === 0 ? 12 : 20;
  const out = Buffer.allocUnsafe(header + elements.reduce((size, e) => size + 4 + (e?.length ?? 0), 0));
  let at = out.writeInt32BE(values.length === 0 ? 0 : 1, 0);
  at = out.writeInt32BE(elements.includes(null) ? 1 : 0, at);
  at = out.writeInt32BE(textOid, at);
  if (values.length > 0) {
    at = out.writeInt32BE(values.length, at);
    at = out.writeInt32BE(1, at);
  }
  for (const element of elements) {
    at = out.writeInt32BE(element === null ? -1 : element.length, at);
    if (element) at += element.copy(out, at);
  }
  return out;
}

const openDirs = new Set<string>();

/**
 * Claims `dir` for this process, so two servers never open the same PGlite files (which would lose acknowledged
 * writes, or corrupt them). The claim is an exclusive `flock(2)` lock on `refunds-api.lock`: the kernel holds it
 * for as long as this process keeps the file open and drops it when the process ends, however it ends, so a
 * second server is refused whatever its PID namespace (two containers both running as PID 1, say) and a crashed
 * server leaves no stale lock behind. The lock is taken by util-linux `flock` on a descriptor this process shares
 * with it (Node has no flock of its own); where that program is missing, a lock file holding the PID is the
 * fallback, which cannot tell processes of two PID namespaces apart. Returns the release.
 */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, lockFileName);
  const key = resolve(dir);
  if (openDirs.has(key)) throw new Error(`DATA_DIR ${dir} is already open in this process`);
  const release = flockDataDir(dir, path) ?? pidLockDataDir(dir, path);
  openDirs.add(key);
  return () => {
    if (!openDirs.delete(key)) return;
    release();
  };
}

const lockFileName = "refunds-api.lock";

/** The flock(2) claim; undefined when the `flock` program is not there to take it. */
function flockDataDir(dir: string, path: string): (() => void) | undefined {
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
  let locked = false;
  try {
    // The child locks the open file description it inherited as descriptor 3; the lock belongs to that
    // description, which this process keeps open after the child exits.
    const result = spawnSync("flock", ["--exclusive", "--nonblock", "3"], {
      stdio: ["ignore", "ignore", "pipe", fd],
      timeout: 10_000,
    });
    if (result.error) {
      if ((result.error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new Error(`Could not lock DATA_DIR ${dir}: ${result.error.message}`, { cause: result.error });
    }
    if (result.status === 1) {
      const holder = readFileSync(path, "utf8").trim();
      throw new Error(
        `DATA_DIR ${dir} is in use by another server${holder ? ` (${holder})` : ""}: one data folder takes one server at a time, even across containers. Stop that server, or give this one another DATA_DIR.`,
      );
    }
    if (result.status !== 0) {
      throw new Error(`Could not lock DATA_DIR ${dir}: flock said ${String(result.stderr).trim() || result.status}`);
    }
    locked = true;
    ftruncateSync(fd, 0);
    writeSync(fd, `process ${process.pid} on host ${hostname()}, since ${new Date().toISOString()}`, 0);
    return () => closeSync(fd);
  } finally {
    if (!locked) closeSync(fd);
  }
}

/** The fallback claim: a lock file created exclusively, holding the PID; a dead owner's lock is taken over. */
function pidLockDataDir(dir: string, path: string): () => void {
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
      const pid = Number(readFileSync(path, "utf8").trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new Error(
          `DATA_DIR ${dir} is in use by process ${pid}; stop that server or choose another DATA_DIR (if no server runs, delete ${path})`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  return () => rmSync(path, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Creates `dir` (and its parents) when missing. */
export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}
