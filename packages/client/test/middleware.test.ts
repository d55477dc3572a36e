import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AbortedError, type Middleware, NetworkError, TimeoutError } from "../src/index.js";
import { examples } from "./support/examples.js";
import { clientWith, hangingFetch, json } from "./support/fake-fetch.js";

const ok = () => json(200, examples.patientRefund);
const busy = () => json(503, { message: "busy" });

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, "random").mockReturnValue(0.5);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Settles `call` while advancing fake time. */
async function settle<T>(call: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  const outcome = call.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  return outcome;
}

describe("the caller's middleware (client.use)", () => {
  it("runs on every attempt, after the client's auth, and what it sets is sent", async () => {
    const seen: { authorization: string | null; schemaPath: string }[] = [];
    const { client, requests } = clientWith([busy(), ok()]);
    client.use({
      onRequest({ request, schemaPath }) {
        seen.push({ authorization: request.headers.get("Authorization"), schemaPath });
        request.headers.set("X-Trace", `trace-${seen.length}`);
      },
    });
    const { value } = await settle(client.patientRefunds.get("r-1"));
    expect(value).toEqual(examples.patientRefund);
    const schemaPath = "/api/patient-refunds/v1/{patient_refund_id}";
    expect(seen).toEqual([
      { authorization: "Bearer test-token", schemaPath },
      { authorization: "Bearer test-token", schemaPath },
    ]);
    expect(requests.map((r) => r.headers.get("X-Trace"))).toEqual(["trace-1", "trace-2"]);
  });

  it("sees every attempt's answer and may read a clone of it", async () => {
    const statuses: number[] = [];
    const bodies: unknown[] = [];
    const { client } = clientWith([busy(), ok()], {
      middleware: [
        {
          async onResponse({ response }) {
            statuses.push(response.status);
            bodies.push(await response.clone().json());
          },
        },
      ],
    });
    const { value } = await settle(client.patientRefunds.get("r-1"));
    expect(value).toEqual(examples.patientRefund);
    expect(statuses).toEqual([503, 200]);
    expect(bodies).toEqual([{ message: "busy" }, examples.patientRefund]);
  });

  it("onError sees the client's errors and may answer instead", async () => {
    const errors: unknown[] = [];
    const { client } = clientWith([new TypeError("fetch failed")], { maxRetries: 0 });
    client.use({
      onError({ error }) {
        errors.push(error);
        return json(200, examples.patientRefund);
      },
    });
    const { value } = await settle(client.patientRefunds.get("r-1"));
    expect(value).toEqual(examples.patientRefund);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(NetworkError);
  });

  it("can be ejected", async () => {
    const onRequest = vi.fn();
    const middleware: Middleware = { onRequest };
    const { client } = clientWith([ok()]);
    client.use(middleware);
    await settle(client.patientRefunds.get("r-1"));
    client.eject(middleware);
    await settle(client.patientRefunds.get("r-2"));
    expect(onRequest).toHaveBeenCalledTimes(1);
  });

  it("an error it throws rejects the call as it is, without retries", async () => {
    const thrown = new Error("policy says no");
    const { client, requests } = clientWith([ok()]);
    client.use({
      onRequest() {
        throw thrown;
      },
    });
    const { error } = await settle(client.patientRefunds.get("r-1"));
    expect(error).toBe(thrown);
    expect(requests).toHaveLength(0);
  });

  it("may answer a request itself, and the client reads that answer", async () => {
    const { client, requests } = clientWith([ok()]);
    client.use({ onRequest: () => json(404, examples.entityNotFoundError) });
    const { error } = await settle(client.patientRefunds.get("r-1"));
    expect(error).toMatchObject({ errorName: "EntityNotFoundError", status: 404 });
    expect(requests).toHaveLength(0);
  });

  it("is covered by the attempt's timeout, and a timed-out attempt sends nothing later", async () => {
    const { client, requests } = clientWith([ok()], { timeoutMs: 100, maxRetries: 0 });
    client.use({ onRequest: () => new Promise<undefined>((resolve) => setTimeout(resolve, 500)) });
    const call = client.patientRefunds.get("r-1").catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(await call).toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(1000);
    expect(requests).toHaveLength(0);
  });

  it("a signal that fires while a middleware waits ends the call at once", async () => {
    const controller = new AbortController();
    const { client, requests } = clientWith([hangingFetch()]);
    client.use({ onRequest: () => new Promise<undefined>((resolve) => setTimeout(resolve, 500)) });
    const call = client.patientRefunds.get("r-1", { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    expect(await call).toBeInstanceOf(AbortedError);
    await vi.advanceTimersByTimeAsync(1000);
    expect(requests).toHaveLength(0);
  });
});

describe("auth as middleware", () => {
  it("a signal that fires while the token exchange is in flight ends the call, and the exchange goes on", async () => {
    const controller = new AbortController();
    let exchanges = 0;
    const { client, requests } = clientWith(
      [
        async (request) => {
          if (new URL(request.url).pathname !== "/api/auth/v2/token") return ok();
          exchanges += 1;
          await new Promise((resolve) => setTimeout(resolve, 500));
          return json(200, examples.tokenResponse);
        },
      ],
      { auth: { clientId: "c", clientSecret: "s" } },
    );
    const aborted = client.patientRefunds.get("r-1", { signal: controller.signal }).catch((e: unknown) => e);
    const waiting = client.patientRefunds.get("r-2");
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    expect(await aborted).toBeInstanceOf(AbortedError);
    await vi.advanceTimersByTimeAsync(500);
    expect(await waiting).toEqual(examples.patientRefund);
    expect(exchanges).toBe(1);
    // The aborted call's attempt was abandoned before its request left.
    expect(requests.map((r) => r.url.pathname.split("/").at(-1))).toEqual(["token", "r-2"]);
  });
});
