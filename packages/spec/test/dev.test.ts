// `pnpm dev` as an author uses it, in a copy of the repository: a saved edit is served by the server and the mock;
// a save that does not lint is refused with its problems while the last good spec keeps serving.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyRepository } from "../scripts/repo-copy.js";

const refundId = "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function text(url: string): Promise<string> {
  try {
    return await (await fetch(url, { headers: { authorization: "Bearer dev-token" } })).text();
  } catch {
    return "";
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000) {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("pnpm dev", { timeout: 180_000 }, () => {
  let dir = "";
  let child: ChildProcess | undefined;
  let output = "";
  let server = "";
  let mock = "";

  beforeAll(async () => {
    dir = copyRepository({ prefix: "refunds-api-dev-test-" });
    const [port, mockPort] = [await freePort(), await freePort()];
    server = `http://127.0.0.1:${port}`;
    mock = `http://127.0.0.1:${mockPort}`;
    child = spawn(
      process.execPath,
      [join(dir, "packages/spec/scripts/dev.js"), "--port", String(port), "--mock-port", String(mockPort), "--no-docs"],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    await until("dev to start", async () => output.includes("dev: watching"), 120_000);
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("serves a saved edit from the server and the mock", async () => {
    const example = join(dir, "openapi/components/examples/PatientRefund.yaml");
    const marker = `Dev-test-note-${Date.now()}`;
    writeFileSync(example, readFileSync(example, "utf8").replace(/refund_note: .*/, `refund_note: ${marker}`));
    await until("the server to serve the edit", async () => (await text(`${server}/openapi.json`)).includes(marker));
    await until("the mock to serve the edit", async () =>
      (await text(`${mock}/api/patient-refunds/v1/${refundId}`)).includes(marker),
    );
    await until("the log line", async () => /dev: ✓ served in \d+ ms/.test(output));
    // The bundle on disk is the one served.
    await until("the bundle on disk", async () =>
      readFileSync(join(dir, "packages/spec/bundled/openapi.json"), "utf8").includes(marker),
    );
  });

  it("keeps the last good spec serving when a save does not lint, and prints the problems", async () => {
    const before = await text(`${server}/openapi.json`);
    const schema = join(dir, "openapi/components/schemas/TokenResponse.yaml");
    const good = readFileSync(schema, "utf8");
    const from = output.length;
    writeFileSync(schema, `${good}\n  broken:\n    $ref: ./DoesNotExist.yaml\n`);
    // The refusal and the problems under it may come in separate writes: wait for both.
    await until("the refusal and its problems", async () =>
      /does not lint[\s\S]*DoesNotExist/.test(output.slice(from)),
    );
    expect(output.slice(from)).toMatch(/DoesNotExist/);
    expect(await text(`${server}/openapi.json`)).toBe(before);
    writeFileSync(schema, good);
  });

  it("prints no deprecation banner or update notice", () => {
    expect(output).not.toMatch(/Deprecation|DeprecationWarning|╔|new version/i);
  });
});
