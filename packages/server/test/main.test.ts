import { request } from "node:http";
import { connect } from "node:net";
import { unreadBytes, waitFor } from "@refunds-api/test-support";
import { afterEach, describe, expect, it } from "vitest";
import { runEntry, stopEntries } from "./support/entry.js";

afterEach(stopEntries);

/** Whether a new TCP connection to the port is accepted. */
const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

describe("main", () => {
  it("prints the URL, the docs URL and the dev credentials, and finishes in-flight requests on SIGTERM", async () => {
    const server = await runEntry({}, /Dev static token/);
    const url = String(server.lines.find((l) => l.url)?.url);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const messages = server.lines.map((l) => l.msg).join("\n");
    expect(messages).toContain(`Refunds API listening on ${url}`);
    expect(messages).toContain(`${url}/docs`);
    expect(messages).toContain('"client_id": "dev-client", "client_secret": "dev-secret"');
    expect(messages).toContain("Authorization: Bearer dev-token");

    // A request whose body is still arriving when SIGTERM comes must still be answered.
    const body = JSON.stringify({ amount_cents: 1, patient_external_id: "P", allocations: [] });
    const inFlight = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${url}/api/patient-refunds/v1`, {
        method: "POST",
        headers: {
          authorization: "Bearer dev-token",
          "content-type": "application/json",
          "content-length": body.length,
        },
      });
      req.on("response", (res) => {
        let text = "";
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on("error", reject);
      // Once the server has read the request's head, SIGTERM; once it stops listening, the rest of the body.
      const port = Number(new URL(url).port);
      const read = () =>
        waitFor("the server to read the request's head", () => {
          const unread = unreadBytes(port);
          return unread.length > 0 && unread.every((n) => n === 0);
        });
      req.write(body.slice(0, 10), () => {
        read()
          .then(() => {
            server.child.kill("SIGTERM");
            return waitFor("the server to stop listening", async () => !(await accepts(port)));
          })
          .then(() => req.end(body.slice(10)), reject);
      });
    });
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).refund_source).toBe("MANUAL_ENTRY");
    expect(await server.exited).toBe(0);
    expect(server.lines.map((l) => l.msg)).toContain("Stopped");
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it("never prints configured secrets", async () => {
    const server = await runEntry(
      { AUTH_CLIENT_ID: "svc", AUTH_CLIENT_SECRET: "s3cret-value", AUTH_TOKENS: "tok-abc" },
      /listening on/,
    );
    server.child.kill("SIGINT");
    expect(await server.exited).toBe(0);
    expect(server.output()).not.toMatch(/s3cret-value|tok-abc/);
  });

  it("exits 1 with a clear message on a bad setting", async () => {
    const server = await runEntry({ PORT: "http" }, /Could not start/);
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/PORT must be an integer/);
  });
});
