import { type ChildProcess, spawn } from "node:child_process";
import { request } from "node:http";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { unreadBytes, waitFor } from "@refunds-api/test-support";
import { afterEach, describe, expect, it } from "vitest";

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

interface Started {
  child: ChildProcess;
  lines: { msg: string; [key: string]: unknown }[];
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs the entry as `pnpm start` does (through tsx instead of the build) and waits for its first log lines. */
async function run(env: Record<string, string>, until: RegExp): Promise<Started> {
  const child = spawn(process.execPath, ["--import", "tsx", main], {
    // In memory: the default store would write to the repository's .data folder (test/store/restart.test.ts
    // runs the entry on the embedded store).
    env: { ...process.env, PORT: "0", NODE_ENV: "", STORE: "memory", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let text = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    // Generous: tsx compiles the entry first, which takes a while on a busy machine.
    const timer = setTimeout(() => reject(new Error(`no ${until} in: ${text}`)), 90_000);
    const check = (chunk: Buffer) => {
      text += chunk;
      if (until.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.stderr?.on("data", check);
    // "close" comes after the last output: an entry that printed what was awaited and exited still resolves.
    child.on("close", () => {
      clearTimeout(timer);
      reject(new Error(`exited early: ${text}`));
    });
  });
  const parse = () =>
    text
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l));
  return {
    child,
    get lines() {
      return parse();
    },
    output: () => text,
    exited,
  };
}

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
    const server = await run({}, /Dev static token/);
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
    const server = await run(
      { AUTH_CLIENT_ID: "svc", AUTH_CLIENT_SECRET: "s3cret-value", AUTH_TOKENS: "tok-abc" },
      /listening on/,
    );
    server.child.kill("SIGINT");
    expect(await server.exited).toBe(0);
    expect(server.output()).not.toMatch(/s3cret-value|tok-abc/);
  });

  it("exits 1 with a clear message on a bad setting", async () => {
    const server = await run({ PORT: "http" }, /Could not start/);
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/PORT must be an integer/);
  });
});
