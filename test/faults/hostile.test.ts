// Hostile input on the memory store (hostile-input.ts; hostile.embedded.test.ts runs that suite on PGlite), then what
// does not depend on the store: request lines and headers Node refuses itself, and slow or cut-off clients.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeHostileInput, patientRefunds, validCreate } from "./hostile-input.js";
import { type FaultServer, faultToken, openSocket, rawRequest, startFaultServer } from "./support.js";

describeHostileInput("memory");

describe("request lines and headers Node refuses itself", () => {
  let s: FaultServer;
  beforeAll(async () => {
    s = await startFaultServer();
  });
  afterAll(() => s?.stop());

  it.each([
    { name: "a URL of 20,000 query parameters", path: `${patientRefunds}?${"sources=STRIPE&".repeat(20_000)}` },
    { name: "a header of 100 kB", path: patientRefunds, headers: { "x-junk": "x".repeat(100_000) } },
  ])(
    "refuses $name with 431 (or, on newer Node, by closing the connection) and stays up",
    async ({ path, headers }) => {
      const socket = await openSocket(s.url);
      const lines = Object.entries({ host: "x", authorization: `Bearer ${faultToken}`, ...headers }).map(
        ([name, value]) => `${name}: ${value}\r\n`,
      );
      socket.end(`GET ${path} HTTP/1.1\r\n${lines.join("")}\r\n`);
      await socket.gone;
      // Node 20 answers 431; Node 24 may reset the connection while the request is still arriving. Never a 2xx.
      expect(socket.received()).toMatch(/^(HTTP\/1\.1 431 |$)/);
      expect((await rawRequest(s.url, { path: "/healthz" })).status).toBe(200);
    },
  );

  it("answers a request line that is not HTTP with 400 and stays up", async () => {
    const socket = await openSocket(s.url);
    socket.end("HELLO /api/patient-refunds/v1 SMTP/9\r\n\r\n");
    await socket.gone;
    expect(socket.received()).toMatch(/^HTTP\/1\.1 400 /);
    expect((await rawRequest(s.url, { path: "/healthz" })).status).toBe(200);
  });

  it.each([
    { name: "a short body", length: 1000, sent: validCreate.slice(0, 20) },
    { name: "1 GB, after 2 MB of it", length: 1_000_000_000, sent: `{"refund_note":"${"x".repeat(2_000_000)}` },
  ])("survives a client that declares $name and hangs up half-way", async ({ length, sent }) => {
    const socket = await openSocket(s.url);
    // Hang up once the server is handling the request (its headers read, the body on its way), not before.
    const handling = new Promise((resolve) => s.server.once("request", resolve));
    socket.write(
      `POST ${patientRefunds} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${faultToken}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n${sent}`,
    );
    await handling;
    socket.destroy();
    await socket.gone;
    expect((await rawRequest(s.url, { path: "/healthz" })).status).toBe(200);
    const errors = s.logs.map((l) => JSON.parse(l)).filter((l) => l.level >= 50);
    expect(errors).toEqual([]);
  });
});

describe("slow clients", () => {
  let s: FaultServer;
  beforeAll(async () => {
    s = await startFaultServer();
  });
  afterAll(() => s?.stop());

  it("the server limits how long headers and a whole request may take", () => {
    expect(s.server.headersTimeout).toBeGreaterThan(0);
    expect(s.server.headersTimeout).toBeLessThanOrEqual(30_000);
    expect(s.server.requestTimeout).toBeGreaterThan(0);
    expect(s.server.requestTimeout).toBeLessThanOrEqual(60_000);
    expect(s.server.keepAliveTimeout).toBeGreaterThan(0);
  });

  describe("with the limits shortened to keep the test quick", () => {
    beforeAll(() => {
      s.server.headersTimeout = 300;
      s.server.requestTimeout = 600;
      // Node checks the limits on a timer it sets up when the server starts listening: restart that timer faster.
      (s.server as typeof s.server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 50;
      s.server.emit("listening");
    });

    it.each([
      { name: "headers that never end", send: `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ` },
      {
        name: "a body that never ends",
        // With a token: without one, the 403 comes before the body is read.
        send: `POST ${patientRefunds} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${faultToken}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"a`,
      },
    ])("cuts $name with a 408, still serving others meanwhile", async ({ send }) => {
      const socket = await openSocket(s.url);
      const started = Date.now();
      socket.write(send);
      expect((await rawRequest(s.url, { path: "/healthz" })).status).toBe(200);
      await socket.gone;
      expect(socket.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });
});
