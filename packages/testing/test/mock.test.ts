import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { loadSpec } from "@refunds-api/spec";
import { waitFor } from "@refunds-api/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { type MockOptions, startMock } from "../src/index.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "refunds-mock-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A one-operation spec whose example breaks its own schema: only `errors: true` makes Prism refuse to serve it.
const brokenSpec = join(dir, "broken.yaml");
writeFileSync(
  brokenSpec,
  JSON.stringify({
    openapi: "3.1.0",
    info: { title: "broken", version: "1" },
    paths: {
      "/thing": {
        get: {
          responses: {
            200: {
              description: "ok",
              content: {
                "application/json": {
                  schema: { type: "object", properties: { n: { type: "integer" } } },
                  example: { n: "not a number" },
                },
              },
            },
          },
        },
      },
    },
  }),
);

const listPath = "/api/patient-refunds/v1";
const auth = { authorization: "Bearer test" };
const spec = loadSpec() as { components: { examples: Record<string, { value: unknown }> } };

async function get(url: string, path: string) {
  const response = await fetch(`${url}${path}`, { headers: auth });
  return { status: response.status, body: (await response.json()) as unknown };
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

describe("startMock", () => {
  it.each<{ name: string; given: MockOptions; path: string; want: { status: number; body?: unknown } }>([
    {
      name: "static mode serves the spec's example",
      given: {},
      path: listPath,
      want: { status: 200, body: spec.components.examples.PatientRefundsPage?.value },
    },
    {
      name: "errors off serves an example that breaks its schema",
      given: { specPath: brokenSpec },
      path: "/thing",
      want: { status: 200, body: { n: "not a number" } },
    },
    {
      name: "errors on refuses it",
      given: { specPath: brokenSpec, errors: true },
      path: "/thing",
      want: { status: 500 },
    },
  ])("$name", async ({ given, path, want }) => {
    const mock = await startMock(given);
    try {
      expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const got = await get(mock.url, path);
      expect(got.status).toBe(want.status);
      if (want.body !== undefined) expect(got.body).toEqual(want.body);
    } finally {
      await mock.stop();
    }
    expect(await answers(mock.url)).toBe(false);
    await mock.stop(); // a second stop is harmless
  });

  it("dynamic mode with the same seed answers the same, unlike the example", async () => {
    const mocks = await Promise.all([startMock({ dynamic: true }), startMock({ dynamic: true })]);
    try {
      const [a, b] = await Promise.all(mocks.map((m) => get(m.url, listPath)));
      expect(a?.status).toBe(200);
      expect(a?.body).toEqual(b?.body);
      expect(a?.body).not.toEqual(spec.components.examples.PatientRefundsPage?.value);
    } finally {
      await Promise.all(mocks.map((m) => m.stop()));
    }
  });

  it("kills Prism when the process that started it dies without stopping it", async () => {
    const script = join(dir, "crash.mts");
    const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url));
    writeFileSync(
      script,
      `import { startMock } from ${JSON.stringify(entry)};\n` +
        `const mock = await startMock({ specPath: ${JSON.stringify(brokenSpec)} });\n` +
        "process.stdout.write(mock.url);\n" +
        'throw new Error("a failing test");\n',
    );
    const url = await run(process.execPath, ["--import", "tsx", script]).then(
      () => expect.unreachable("the script should fail"),
      (error: { stdout: string; stderr: string }) => {
        expect(error.stderr).toContain("a failing test");
        return error.stdout;
      },
    );
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The kill lands soon after the script dies (later on a busy machine); an orphaned Prism would serve forever.
    await waitFor(`${url} to stop answering after its process died`, async () => !(await answers(url)));
  });
});
