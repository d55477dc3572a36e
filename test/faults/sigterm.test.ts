// SIGTERM under load, on the real entry (`main.ts`, as `pnpm start` runs it): requests in flight are answered, new
// connections are refused at once, and the process exits 0.
import { request } from "node:http";
import { connect } from "node:net";
import { unreadBytes, waitFor } from "@refunds-api/test-support";
import { afterEach, expect, it } from "vitest";
import { startEntry, stopEntries, entryToken as token } from "./entry.js";

afterEach(stopEntries);

/** A create whose body arrives in two parts, the second only when `finish` is called. */
function slowCreate(url: string, n: number) {
  const body = JSON.stringify({ amount_cents: n, patient_external_id: "PAT-SIGTERM", allocations: [] });
  let finish = () => {};
  let connected: () => void = () => {};
  const sent = new Promise<void>((resolve) => {
    connected = resolve;
  });
  const reply = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${url}/api/patient-refunds/v1`, {
      method: "POST",
      agent: false,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": body.length },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (c) => {
        text += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.write(body.slice(0, 10), () => connected());
    finish = () => req.end(body.slice(10));
  });
  return { reply, sent, finish: () => finish() };
}

/** Whether a new TCP connection is accepted. */
const accepts = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

const get = (url: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(`${url}/api/patient-refunds/v1?limit=5`, {
      agent: false,
      headers: { authorization: `Bearer ${token}` },
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });

it("SIGTERM under load: in-flight requests finish, new connections are refused, the process exits 0", async () => {
  const server = await startEntry({ STORE: "memory" });

  // Load: 100 creates in flight (bodies half sent), and a stream of reads on fresh connections.
  const inFlight = Array.from({ length: 100 }, (_, i) => slowCreate(server.url, i + 1));
  let reading = true;
  const reads: (number | string)[] = [];
  const reader = (async () => {
    while (reading) reads.push(await get(server.url).catch((e: NodeJS.ErrnoException) => e.code ?? String(e)));
  })();
  // Every create's first part is with the kernel; once the server has read them all (nothing left unread on any of
  // its connections), every one of them is a request in flight.
  await Promise.all(inFlight.map((r) => r.sent));
  const port = Number(new URL(server.url).port);
  await waitFor("the server to read the head of every create", () => {
    const unread = unreadBytes(port);
    return unread.length >= 100 && unread.every((n) => n === 0);
  });
  expect(await get(server.url)).toBe(200);
  const readsBefore = reads.length;

  server.child.kill("SIGTERM");
  // The listening socket closes at once, while the requests in flight are still waiting for their bodies.
  await waitFor("the listening socket to close", async () => !(await accepts(server.url)));
  expect(server.child.exitCode).toBeNull();
  reading = false;
  await reader;

  for (const r of inFlight) r.finish();
  const replies = await Promise.all(inFlight.map((r) => r.reply));
  expect(replies.map((r) => r.status)).toEqual(Array(100).fill(200));
  expect(replies.map((r) => JSON.parse(r.body).amount_cents)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));

  expect(await server.exited).toBe(0);
  expect(readsBefore).toBeGreaterThan(0);
  expect(reads.slice(0, readsBefore)).toEqual(Array(readsBefore).fill(200));
  // From the signal on, a read is answered, refused, or (on a connection the kernel took before the listening
  // socket closed but the server never read from) reset: never answered with an error.
  expect(reads.filter((o) => ![200, "ECONNREFUSED", "ECONNRESET"].includes(o))).toEqual([]);
  expect(server.output()).not.toMatch(/"level":(50|60)/);
}, 90_000);
