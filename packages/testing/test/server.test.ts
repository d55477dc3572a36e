import { createMemoryStore, type Store } from "@refunds-api/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultServerToken, type RunningServer, type ServerOptions, startServer } from "../src/index.js";

const list = "/api/patient-refunds/v1";
const seededRefund = "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10";
type PatientRefund = NonNullable<Awaited<ReturnType<Store["patientRefunds"]["get"]>>>;

async function get(url: string, token: string | null) {
  const response = await fetch(
    `${url}${list}`,
    token === null ? {} : { headers: { authorization: `Bearer ${token}` } },
  );
  const body = (await response.json()) as { items?: PatientRefund[]; errorName?: string };
  return { status: response.status, ids: body.items?.map((r) => r.patient_refund_id), errorName: body.errorName };
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

// One server per set of options the table uses, started together and shared by its rows.
const configs = {
  defaults: {},
  otherToken: { token: "other" },
  emptySeed: { seed: {} },
} satisfies Record<string, ServerOptions>;
const servers = {} as Record<keyof typeof configs, RunningServer>;
beforeAll(async () => {
  await Promise.all(
    Object.entries(configs).map(async ([key, options]) => {
      servers[key as keyof typeof configs] = await startServer(options);
    }),
  );
});
afterAll(() => Promise.all(Object.values(servers).map((server) => server.stop())));

describe("startServer", () => {
  it.each<{
    name: string;
    given: keyof typeof configs;
    token: string | null;
    want: { token: string; status: number; errorName?: string; includes?: string; ids?: string[] };
  }>([
    {
      name: "serves the built-in seed to the default token",
      given: "defaults",
      token: defaultServerToken,
      want: { token: defaultServerToken, status: 200, includes: seededRefund },
    },
    {
      name: "refuses a request without a token",
      given: "defaults",
      token: null,
      want: { token: defaultServerToken, status: 403, errorName: "UnauthorizedError" },
    },
    {
      name: "accepts the token it is given",
      given: "otherToken",
      token: "other",
      want: { token: "other", status: 200, includes: seededRefund },
    },
    {
      name: "and then no longer the default one",
      given: "otherToken",
      token: defaultServerToken,
      want: { token: "other", status: 403, errorName: "UnauthorizedError" },
    },
    {
      name: "serves the seed it is given",
      given: "emptySeed",
      token: defaultServerToken,
      want: { token: defaultServerToken, status: 200, ids: [] },
    },
  ])("$name", async ({ given, token, want }) => {
    const server = servers[given];
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.token).toBe(want.token);
    const got = await get(server.url, token);
    expect(got.status).toBe(want.status);
    if (want.errorName) expect(got.errorName).toBe(want.errorName);
    if (want.includes) expect(got.ids).toContain(want.includes);
    if (want.ids) expect(got.ids).toEqual(want.ids);
  });

  it("keeps refunds in the store it is given, and closes it on stop (twice is harmless)", async () => {
    const memory = createMemoryStore();
    let closed = 0;
    const store: Store = {
      ...memory,
      close: () => {
        closed += 1;
        return memory.close();
      },
    };
    const server = await startServer({ store, seed: {} });
    const response = await fetch(`${server.url}${list}`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        amount_cents: 100,
        patient_external_id: "PAT-1",
        allocations: [{ amount_cents: 100, target: { type: "unattributed" } }],
      }),
    });
    expect(response.status).toBe(200);
    const created = (await response.json()) as PatientRefund;
    expect(await memory.patientRefunds.get(created.patient_refund_id)).toEqual(created);
    await Promise.all([server.stop(), server.stop()]);
    expect(closed).toBe(1);
    expect(await answers(server.url)).toBe(false);
  });

  // The contract tests run it on PostgreSQL; here, that the options reach the store without waiting for a database.
  it("opens the store its storage options name: a database that is not there fails the start", async () => {
    const storage = { kind: "postgres", databaseUrl: "postgres://nobody@127.0.0.1:1/none" } as const;
    await expect(startServer({ storage })).rejects.toThrow(/ECONNREFUSED|connect/);
  });

  it("checks its responses against the spec: a stored refund that breaks it answers 500", async () => {
    const memory = createMemoryStore();
    const broken = { patient_refund_id: seededRefund, amount_cents: "twelve" } as unknown as PatientRefund;
    const store: Store = {
      ...memory,
      patientRefunds: {
        insert: (row, options) => memory.patientRefunds.insert(row, options),
        insertMany: (rows) => memory.patientRefunds.insertMany(rows),
        get: async () => broken,
        update: (id, apply) => memory.patientRefunds.update(id, apply),
        delete: (id) => memory.patientRefunds.delete(id),
        list: (query) => memory.patientRefunds.list(query),
      },
    };
    const server = await startServer({ store });
    try {
      const response = await fetch(`${server.url}${list}/${seededRefund}`, {
        headers: { authorization: `Bearer ${server.token}` },
      });
      expect(response.status).toBe(500);
      expect(((await response.json()) as { errorName: string }).errorName).toBe("InternalServerError");
    } finally {
      await server.stop();
    }
  });
});
