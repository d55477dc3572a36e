// Logs that help: readable lines for a person, JSON for machines, the errorName on 4xx lines, the URL at every level,
// and the control endpoints of `pnpm start` off unless asked for.
import { Writable } from "node:stream";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createLogger, type StartedServer, startServer } from "../src/index.js";
import { runEntry, stopEntries } from "./support/entry.js";

afterEach(stopEntries);

/** A stream that keeps what is written, as a terminal would (or would not) be. */
function sink(isTTY: boolean) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  }) as Writable & { isTTY?: boolean };
  stream.isTTY = isTTY;
  return { stream, text: () => lines.join("") };
}

describe("createLogger", () => {
  it("writes JSON lines when the destination is not a terminal, readable ones when it is", () => {
    const json = sink(false);
    createLogger({ destination: json.stream }).info({ url: "http://x" }, "listening");
    expect(JSON.parse(json.text())).toMatchObject({ level: 30, msg: "listening", url: "http://x" });

    const pretty = sink(true);
    createLogger({ destination: pretty.stream, colorize: false }).warn("careful");
    expect(pretty.text()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: careful\n$/);
  });
});

describe("request lines", () => {
  let server: StartedServer;
  const out = sink(true);
  afterAll(() => server?.stop());

  it("name the error of a 4xx; success lines say method, URL, status and time", async () => {
    server = await startServer({
      logger: createLogger({ level: "info", destination: out.stream, colorize: false }),
      staticTokens: ["t"],
    });
    const headers = { authorization: "Bearer t" };
    await fetch(`${server.url}/api/patient-refunds/v1?limit=0`, { headers });
    await fetch(`${server.url}/api/patient-refunds/v1`, { headers });
    const text = out.text();
    expect(text).toMatch(/WARN: GET \/api\/patient-refunds\/v1\?limit=0 422 UnprocessableEntityError \d+ ms/);
    expect(text).toMatch(/INFO: GET \/api\/patient-refunds\/v1 200 \d+ ms/);
  });
});

describe("pnpm start", () => {
  it("prints the line with its URL at LOG_LEVEL=warn, and no info lines", async () => {
    const run = await runEntry({ LOG_LEVEL: "warn", LOG_FORMAT: "json" }, /listening on/);
    const lines = run
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { msg: string; level: number });
    expect(lines.map((l) => l.msg)).toEqual([
      expect.stringMatching(/^Refunds API listening on http:\/\/127\.0\.0\.1:\d+$/),
    ]);
    // Off unless asked for: the control endpoints are unknown URLs.
    expect((await fetch(`${run.url}/__control/requests`)).status).toBe(404);
  }, 120_000);

  it.each<{ name: string; env: Record<string, string>; args: string[] }>([
    { name: "CONTROL=1", env: { CONTROL: "1" }, args: [] },
    { name: "--control", env: {}, args: ["--control"] },
  ])(
    "serves the control endpoints with $name",
    async ({ env, args }) => {
      const run = await runEntry({ LOG_FORMAT: "pretty", ...env }, /Dev static token/, args);
      expect(run.output()).toMatch(/WARN: Control endpoints on \(for tests only\)/);
      await fetch(`${run.url}/api/patient-refunds/v1`, { headers: { authorization: "Bearer dev-token" } });
      const journal = (await (await fetch(`${run.url}/__control/requests`)).json()) as { operationId: string }[];
      expect(journal.map((e) => e.operationId)).toEqual(["listPatientRefunds"]);
    },
    120_000,
  );
});
