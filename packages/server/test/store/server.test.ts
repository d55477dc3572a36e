// The server on durable stores: what is created, changed and deleted over HTTP is still so after a restart, on
// the embedded store (the default of `pnpm start`) and on PostgreSQL; parallel requests count exactly on every
// store; and the entry point itself keeps its data across a stop, a crash and a second server on the same folder.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { defaultSeed, type StoreOptions } from "../../src/index.js";
import { embeddedDataDir } from "../support/embedded.js";
import { type Harness, query, startHarness } from "../support/harness.js";
import { storeKinds, TestStores } from "./stores.js";

const stores = new TestStores();
afterAll(() => stores.close());

let databases = 0;
/** Storage of `kind` with nothing in it yet. */
async function emptyStorage(kind: (typeof storeKinds)[number]): Promise<StoreOptions> {
  if (kind === "memory") return { kind };
  if (kind === "embedded") {
    const dataDir = await embeddedDataDir();
    stores.track(dataDir);
    return { kind, dataDir };
  }
  const { db, url } = await stores.shared("postgres");
  const name = `server_${++databases}`;
  await db.exec(`CREATE DATABASE ${name}`);
  const databaseUrl = new URL(url as string);
  databaseUrl.pathname = `/${name}`;
  return { kind, databaseUrl: databaseUrl.href };
}

const PAT = "PAT-00042";
const seededClaim = "7a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a40";
const seededRefund = "3e8d1c2b-7a6f-4e5d-9c4b-1a2f3e4d5c60";
const patientRefunds = "/api/patient-refunds/v1";
const payerRefunds = "/api/non-insurance-payer-refunds/v1";

describe.each(["embedded", "postgres"] as const)("a server on the %s store", (kind) => {
  it("finds after a restart everything it was told before, and loads the seed only once", async () => {
    const storage = await emptyStorage(kind);
    let server: Harness = await startHarness({ storage, seed: defaultSeed });
    const created = await server.request("POST", patientRefunds, {
      body: {
        amount_cents: 1000,
        patient_external_id: PAT,
        allocations: [{ amount_cents: 1000, target: { type: "unattributed" } }],
        raise_on_overdraft: true,
      },
    });
    expect(created.status).toBe(200);
    const id = created.body.patient_refund_id as string;
    const patched = await server.request("PATCH", `${patientRefunds}/${id}`, {
      body: { refund_note: { type: "set", value: "kept" } },
    });
    const payerRefund = await server.request("POST", payerRefunds, {
      body: { non_insurance_payer_id: "d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7fa0", amount_cents: 15, allocations: [] },
    });
    expect((await server.request("DELETE", `${patientRefunds}/${seededRefund}`)).status).toBe(200);
    await server.close();

    server = await startHarness({ storage, seed: defaultSeed });
    try {
      expect((await server.request("GET", `${patientRefunds}/${id}`)).body).toEqual(patched.body);
      const payerId = payerRefund.body.non_insurance_payer_refund_id;
      expect((await server.request("GET", `${payerRefunds}/${payerId}`)).body).toEqual(payerRefund.body);
      expect((await server.request("GET", `${patientRefunds}/${seededRefund}`)).status).toBe(404);
      const listed = await server.request("GET", `${patientRefunds}${query({ patient_external_id: PAT })}`);
      expect(listed.body.items.map((r: { patient_refund_id: string }) => r.patient_refund_id).sort()).toEqual(
        [id, "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10"].sort(),
      );

      // Balances remember both the new refund's charge and what the deleted seed refund gave back.
      const overdraw = await server.request("POST", patientRefunds, {
        body: {
          amount_cents: 900,
          patient_external_id: PAT,
          allocations: [{ amount_cents: 900, target: { type: "unattributed" } }],
          raise_on_overdraft: true,
        },
      });
      expect(overdraw.status).toBe(422);
      expect(overdraw.body.content.allocation_details[0].current_balance_cents).toBe(3000 - 1200 - 1000);
      const wholeClaim = await server.request("POST", patientRefunds, {
        body: {
          amount_cents: 20000,
          patient_external_id: PAT,
          allocations: [{ amount_cents: 20000, target: { type: "claim_by_id", value: seededClaim } }],
          raise_on_overdraft: true,
        },
      });
      expect(wholeClaim.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe.each(storeKinds)("parallel requests on the %s store", (kind) => {
  let server: Harness | undefined;
  afterAll(() => server?.close());

  it("1,000 parallel creates answer 200 and are all listed, once", async () => {
    // Counts are the point here; every other server test checks responses against the spec.
    server = await startHarness({ storage: await emptyStorage(kind), validateResponses: false });
    const replies = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        (server as Harness).request("POST", patientRefunds, {
          body: { amount_cents: i, patient_external_id: "PAT-LOAD", allocations: [] },
        }),
      ),
    );
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1000);
    const ids = new Set<string>();
    let token: string | undefined;
    do {
      const page = await server.request(
        "GET",
        `${patientRefunds}${query({ patient_external_id: "PAT-LOAD", limit: 100, page_token: token })}`,
      );
      for (const r of page.body.items) ids.add(r.patient_refund_id);
      token = page.body.next_page_token;
    } while (token);
    expect(ids).toEqual(new Set(replies.map((r) => r.body.patient_refund_id)));
  });

  it("200 parallel PATCHes of one refund each answer with their own change", async () => {
    const target = await (server as Harness).request("POST", patientRefunds, {
      body: { amount_cents: 1, patient_external_id: "PAT-PATCH", allocations: [] },
    });
    const url = `${patientRefunds}/${target.body.patient_refund_id}`;
    const notes = Array.from({ length: 200 }, (_, i) => `note ${i}`);
    const replies = await Promise.all(
      notes.map((note) =>
        (server as Harness).request("PATCH", url, { body: { refund_note: { type: "set", value: note } } }),
      ),
    );
    expect(replies.map((r) => [r.status, r.body.refund_note])).toEqual(notes.map((note) => [200, note]));
    expect(notes).toContain((await (server as Harness).request("GET", url)).body.refund_note);
  });
});

// The entry as `pnpm start` runs it (through tsx instead of the build), with the default store.
const main = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

async function runMain(env: Record<string, string>, until = /Dev static token/): Promise<Running & { output: string }> {
  // The store comes from `env` alone, never from the environment the tests run in.
  const base: Record<string, string | undefined> = { ...process.env, PORT: "0", NODE_ENV: "", LOG_LEVEL: "info" };
  for (const name of ["STORE", "DATABASE_URL", "DATA_DIR"]) delete base[name];
  const child = spawn(process.execPath, ["--import", "tsx", main], { env: { ...base, ...env }, stdio: "pipe" });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${until} in: ${output}`)), 90_000);
    const check = (chunk: Buffer) => {
      output += chunk;
      if (until.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", check);
    child.stderr.on("data", check);
    exited.then(() => {
      clearTimeout(timer);
      if (until.test(output)) resolve();
      else reject(new Error(`exited early: ${output}`));
    });
  });
  const url = /"url":"(http:[^"]+)"/.exec(output)?.[1] ?? "";
  return { child, url, exited, output };
}

const call = async (url: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: "Bearer dev-token", "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
};

describe("pnpm start", () => {
  it("creates the embedded database on first start and keeps refunds across a stop, a crash and a rival", async () => {
    const dataDir = stores.tempDir();
    const first = await runMain({ DATA_DIR: dataDir });
    expect(first.output).toContain("Creating the embedded database");
    expect(first.output).toContain(`Refunds are kept in embedded PostgreSQL (PGlite) under ${dataDir}`);
    const created = await call(first.url, "POST", patientRefunds, {
      amount_cents: 42,
      patient_external_id: "PAT-MAIN",
      allocations: [],
    });
    expect(created.status).toBe(200);
    const path = `${patientRefunds}/${created.body.patient_refund_id}`;
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);

    const second = await runMain({ DATA_DIR: dataDir });
    expect(second.output).not.toContain("Creating the embedded database");
    expect(await call(second.url, "GET", path)).toEqual({ status: 200, body: created.body });

    // A second server on the same folder would corrupt it: it refuses, naming the process that holds it.
    const rival = await runMain({ DATA_DIR: dataDir }, /Could not start/);
    expect(await rival.exited).toBe(1);
    expect(rival.output).toContain(`is in use by another server (process ${second.child.pid} on host `);

    // Killed without a chance to close, the database recovers on the next start.
    const patched = await call(second.url, "PATCH", path, { refund_note: { type: "set", value: "before the crash" } });
    second.child.kill("SIGKILL");
    await second.exited;
    const third = await runMain({ DATA_DIR: dataDir });
    expect(await call(third.url, "GET", path)).toEqual({ status: 200, body: patched.body });
    third.child.kill("SIGINT");
    expect(await third.exited).toBe(0);
  }, 240_000);

  it("uses PostgreSQL when DATABASE_URL is set", async () => {
    const { databaseUrl } = (await emptyStorage("postgres")) as { databaseUrl: string };
    const first = await runMain({ DATABASE_URL: databaseUrl });
    expect(first.output).toMatch(/Refunds are kept in PostgreSQL at 127\.0\.0\.1:\d+\/server_\d+/);
    const created = await call(first.url, "POST", patientRefunds, {
      amount_cents: 7,
      patient_external_id: "PAT-PG",
      allocations: [],
    });
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const rows = await client.query("SELECT body FROM patient_refunds WHERE id = $1", [created.body.patient_refund_id]);
    await client.end();
    expect(rows.rows[0].body).toEqual(created.body);
  }, 120_000);

  it("exits 1 with a clear message on a bad store setting", async () => {
    const bad = await runMain({ STORE: "postgres" }, /Could not start/);
    expect(await bad.exited).toBe(1);
    expect(bad.output).toContain("STORE=postgres needs DATABASE_URL");
  });
});
