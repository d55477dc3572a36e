// doubles.test.ts in the scratch project: a vitest file of a team that installed the packed packages with npm: it drives both test doubles through their
// control surface (reset between tests, the journal, injected faults) and checks how the client copes. The
// packaging test runs it with the team's own vitest and reads its report.
import {
  createRefundsClient,
  NetworkError,
  type PatientRefund,
  RateLimitError,
  type RefundsClient,
  ServerError,
  TimeoutError,
} from "@refunds-api/client";
import type { Store } from "@refunds-api/server";
import {
  type RunningMock,
  type RunningServer,
  readSeedFile,
  type SeedData,
  startMock,
  startServer,
} from "@refunds-api/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const seeded = "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10";
const create = {
  amount_cents: 100,
  patient_external_id: "PAT-9",
  allocations: [{ amount_cents: 100, target: { type: "unattributed" as const } }],
};

const doubles: { server?: RunningServer; mock?: RunningMock } = {};
beforeAll(async () => {
  [doubles.server, doubles.mock] = await Promise.all([startServer(), startMock()]);
}, 120_000);
afterAll(async () => {
  await doubles.server?.stop();
  await doubles.mock?.stop();
});

describe.each(["server", "mock"] as const)("the %s", (name) => {
  const double = () => doubles[name] as RunningServer | RunningMock;
  const client = (options: { timeoutMs?: number; maxRetries?: number } = {}): RefundsClient =>
    createRefundsClient({
      baseUrl: double().url,
      auth: "test-token",
      backoff: { initialDelayMs: 10, maxDelayMs: 50 },
      ...options,
    });
  beforeEach(() => double().reset());

  it("journals what the client sent", async () => {
    await client().patientRefunds.list({ patient_external_id: "PAT-00042", sources: ["STRIPE", "SQUARE"] });
    const [entry, ...rest] = await double().requests();
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      operationId: "listPatientRefunds",
      method: "GET",
      path: "/api/patient-refunds/v1",
      query: { patient_external_id: "PAT-00042", sources: ["STRIPE", "SQUARE"] },
      status: 200,
    });
  });

  it("retries an injected 429 after its Retry-After, then succeeds", async () => {
    await double().inject({ operationId: "listPatientRefunds", status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    const page = await client().patientRefunds.list();
    expect(page.items.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect((await double().requests()).map((e) => e.status)).toEqual([429, 200]);
  });

  it("fails on repeated 503s with a ServerError and the last answer's request id", async () => {
    await double().inject({ operationId: "getPatientRefund", status: 503, times: 3 });
    const error = await client({ maxRetries: 2 })
      .patientRefunds.get(seeded)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    const journal = await double().requests();
    expect(journal.map((e) => [e.status, e.errorName])).toEqual([
      [503, "ServiceUnavailableError"],
      [503, "ServiceUnavailableError"],
      [503, "ServiceUnavailableError"],
    ]);
    expect((error as ServerError).status).toBe(503);
    expect((error as ServerError).requestId).toBe(journal[2]?.requestId);
  });

  it("does not retry a POST", async () => {
    await double().inject({ operationId: "createPatientRefund", status: 503 });
    await expect(client().patientRefunds.create(create)).rejects.toBeInstanceOf(ServerError);
    expect(await double().requests()).toHaveLength(1);
  });

  it("gives up with a RateLimitError when the 429s do not stop", async () => {
    await double().inject({ operationId: "listPatientRefunds", status: 429, times: 5 });
    const error = await client({ maxRetries: 1 })
      .patientRefunds.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).requestId).toEqual(expect.any(String));
  });

  it("times out when a delay outlasts the client's timeout", async () => {
    await double().inject({ operationId: "getPatientRefund", delayMs: 1_500 });
    await expect(client({ timeoutMs: 300, maxRetries: 0 }).patientRefunds.get(seeded)).rejects.toBeInstanceOf(
      TimeoutError,
    );
  });

  it("sees a NetworkError when the connection is dropped", async () => {
    await double().inject({ operationId: "getPatientRefund", drop: true });
    await expect(client({ maxRetries: 0 }).patientRefunds.get(seeded)).rejects.toBeInstanceOf(NetworkError);
  });
});

describe("the server's state", () => {
  const client = () => createRefundsClient({ baseUrl: doubles.server?.url ?? "", auth: "test-token" });
  let created: PatientRefund;

  it("keeps what a test creates", async () => {
    created = await client().patientRefunds.create(create);
    expect((await client().patientRefunds.get(created.patient_refund_id)).amount_cents).toBe(100);
  });

  it("is back to the seed after reset()", async () => {
    await doubles.server?.reset();
    await expect(client().patientRefunds.get(created.patient_refund_id)).rejects.toMatchObject({
      errorName: "EntityNotFoundError",
    });
    expect((await client().patientRefunds.get(seeded)).patient_refund_id).toBe(seeded);
  });
});

describe("seeds", () => {
  it("loads a typed seed from a JSON file, and refuses a bad one naming each field", async () => {
    const seed: SeedData = readSeedFile(new URL("./seed.json", import.meta.url));
    const server = await startServer({ seed });
    await server.stop();
    await expect(
      startServer({ seed: { patient_refunds: [{ patient_refund_id: "not-a-uuid" }] } as unknown as SeedData }),
    ).rejects.toThrow(/patient_refunds\[0\]\.patient_refund_id: must be a UUID/);
  });
});

describe("a 500", () => {
  it("prints its cause on stderr by default", async () => {
    // A store that hands back a row breaking the spec: the response check answers 500 and logs why.
    const server = await startServer({ seed: {} });
    const broken = await startServer({
      seed: {},
      store: {
        patientRefunds: {
          get: async () => ({ patient_refund_id: seeded, amount_cents: "twelve" }) as unknown as PatientRefund,
        },
        close: async () => {},
      } as unknown as Store,
    });
    try {
      const error = await createRefundsClient({ baseUrl: broken.url, auth: "test-token", maxRetries: 0 })
        .patientRefunds.get(seeded)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServerError);
      expect((error as ServerError).requestId).toEqual(expect.any(String));
      // Shown with the test's output; the packaging test finds it there.
      process.stderr.write(`500 request id: ${(error as ServerError).requestId}\n`);
    } finally {
      await broken.stop();
      await server.stop();
    }
  });
});
