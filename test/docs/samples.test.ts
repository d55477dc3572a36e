// The code samples of the docs page (packages/spec/scripts/samples.js), proven: every TypeScript sample type-checks
// strictly against @refunds-api/client, and every curl sample, copied from the /docs page of a reference server and
// run with that server's token, answers the status its example documents.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { specJsonPath } from "@refunds-api/spec";
import { type RunningServer, startServer } from "@refunds-api/testing";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docsDefinition } from "../../packages/spec/scripts/docs.js";
import { operationSamples } from "../../packages/spec/scripts/samples.js";
import { buildDocs } from "../support/docs.js";
import { bundledSpec, httpMethods } from "../support/spec.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const spec = bundledSpec();
const samples = operationSamples(spec);
const operationIds = Object.values(spec.paths).flatMap((item) =>
  httpMethods.flatMap((m) => (item[m] ? [(item[m] as { operationId: string }).operationId] : [])),
);

describe("the samples", () => {
  it("cover every operation of the spec, one curl and one TypeScript sample each", () => {
    expect(samples.map((s) => s.operationId)).toEqual(operationIds);
    expect(samples).toHaveLength(11);
    for (const sample of samples) {
      expect(sample.curl).toMatch(/^(# .*\n)?curl /);
      expect(sample.typescript).toContain('from "@refunds-api/client";');
    }
  });

  it("live in the docs' copy of the bundle only: the bundle other tools read has no x-codeSamples", () => {
    const bundle = readFileSync(specJsonPath, "utf8");
    expect(bundle).not.toContain("x-codeSamples");
    const definition = docsDefinition(spec) as typeof spec;
    for (const sample of samples) {
      const operation = definition.paths[sample.path]?.[sample.method] as { "x-codeSamples": unknown };
      expect(operation["x-codeSamples"]).toEqual([
        { lang: "curl", label: "curl", source: sample.curl },
        { lang: "TypeScript", label: "TypeScript", source: sample.typescript },
      ]);
    }
    // Apart from the samples, the servers' plain descriptions and the changelog link, the copy is the bundle.
    for (const sample of samples) {
      const operation = definition.paths[sample.path]?.[sample.method] as Record<string, unknown> | undefined;
      if (operation) delete operation["x-codeSamples"];
    }
    expect({ ...definition, servers: spec.servers, info: spec.info }).toEqual(spec);
    expect(JSON.stringify(definition.servers)).not.toContain("`");
  });

  it("send the operation's example: path ids, body, token, and the query the spec gives", () => {
    const create = samples.find((s) => s.operationId === "createPatientRefund");
    const get = samples.find((s) => s.operationId === "getPatientRefund");
    const token = samples.find((s) => s.operationId === "getToken");
    const list = samples.find((s) => s.operationId === "listPatientRefunds");
    expect(create?.curl).toContain(`--data '${JSON.stringify(create?.body, null, 2)}'`);
    expect(create?.curl).toContain(`-H "Authorization: Bearer $TOKEN"`);
    expect(create?.typescript).toContain("client.patientRefunds.create({");
    expect(create?.typescript).toContain("error instanceof ReallocationWouldOverdraftError");
    expect(get?.curl).toContain("/api/patient-refunds/v1/5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10'");
    expect(get?.typescript).toContain('client.patientRefunds.get("5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10")');
    expect(token?.curl).not.toContain("Authorization");
    expect(token?.typescript).toContain("client.getToken({");
    expect(token?.typescript).not.toContain("auth:");
    // The spec gives no query parameter an example, so the list samples send the documented defaults.
    expect(list?.curl).toContain("/api/patient-refunds/v1?limit=100&sort=refund_timestamp&sort_direction=desc'");
  });
});

// The compiler, strict, with the test tree's options; every sample is its own module next to this file, so
// `@refunds-api/client` resolves to the workspace's client, as it would to the installed package.
function typeCheck(files: Record<string, string>) {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, "test/tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (!config) throw new Error("test/tsconfig.json could not be read");
  const options = { ...config.options, strict: true, noEmit: true };
  const host = ts.createCompilerHost(options);
  const fromDisk = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language) =>
    files[name] !== undefined ? ts.createSourceFile(name, files[name], language) : fromDisk(name, language);
  host.fileExists = (name) => name in files || ts.sys.fileExists(name);
  host.readFile = (name) => files[name] ?? ts.sys.readFile(name);
  const program = ts.createProgram({ rootNames: Object.keys(files), options, host });
  const byFile = new Map<string, string>();
  for (const name of Object.keys(files)) {
    const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(name));
    byFile.set(name, ts.formatDiagnostics(diagnostics, { ...host, getNewLine: () => "\n" }));
  }
  return byFile;
}

const sampleFile = (name: string) => join(root, "test/docs/samples", `${name}.ts`);

describe("every TypeScript sample", { timeout: 180_000 }, () => {
  it("type-checks (strict) against @refunds-api/client, and a broken one does not", () => {
    const started = performance.now();
    const files = Object.fromEntries(samples.map((s) => [sampleFile(s.operationId), s.typescript]));
    // Controls: the same program calling a method the client lacks, and passing a body of the wrong shape.
    const get = samples.find((s) => s.operationId === "getPatientRefund")?.typescript ?? "";
    const create = samples.find((s) => s.operationId === "createPatientRefund")?.typescript ?? "";
    files[sampleFile("broken-method")] = get.replace("patientRefunds.get(", "patientRefunds.fetch(");
    files[sampleFile("broken-body")] = create.replace(
      "amount_cents: 2500,\n    patient",
      'amount_cents: "2500",\n    patient',
    );
    const results = typeCheck(files);
    process.stdout.write(
      `samples: ${samples.length} TypeScript samples type-checked in ${Math.round(performance.now() - started)} ms\n`,
    );
    for (const sample of samples) expect(results.get(sampleFile(sample.operationId)), sample.operationId).toBe("");
    expect(results.get(sampleFile("broken-method"))).toContain("Property 'fetch' does not exist");
    expect(results.get(sampleFile("broken-body"))).toContain("Type 'string' is not assignable to type 'number'");
  });
});

// The curl samples as a reader copies them from the /docs page of a running server: the page's definition holds
// them with that server's origin. Each runs with `sh`, as pasted into a terminal, with TOKEN set to the server's
// token, against a fresh server (deletes and creates change the data). `curl` is wrapped to print the status last.
describe("every curl sample", () => {
  const servers: RunningServer[] = [];
  beforeAll(async () => {
    await buildDocs();
  }, 180_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  async function servedSamples(server: RunningServer) {
    const html = await (await fetch(`${server.url}/docs`)).text();
    const json = /<script type="application\/json" id="refunds-api-definition">(.*?)<\/script>/s.exec(html)?.[1];
    if (!json) throw new Error("the served /docs page holds no definition");
    const definition = JSON.parse(json) as {
      servers: { url: string }[];
      paths: Record<string, Record<string, { "x-codeSamples"?: { label: string; source: string }[] }>>;
    };
    return {
      definition,
      curl: (path: string, method: string) => definition.paths[path]?.[method]?.["x-codeSamples"]?.[0],
    };
  }

  async function runCurl(source: string, token: string) {
    const wrapped = `curl() { command curl --write-out '\\n%{http_code}' "$@"; }\n${source}`;
    const { stdout } = await promisify(execFile)("sh", ["-c", wrapped], { env: { ...process.env, TOKEN: token } });
    const lines = stdout.trimEnd().split("\n");
    return { status: Number(lines.at(-1)), body: lines.slice(0, -1).join("\n") };
  }

  it.each(samples)("$operationId answers $status against startServer()", async (sample) => {
    const server = await startServer();
    servers.push(server);
    const { definition, curl } = await servedSamples(server);
    const served = curl(sample.path, sample.method);
    expect(served?.label).toBe("curl");
    // What the page shows for this server is the generator's sample for this origin, exactly.
    expect(definition.servers[0]?.url).toBe(server.url);
    expect(served?.source).toBe(
      operationSamples(spec, { baseUrl: server.url }).find((s) => s.operationId === sample.operationId)?.curl,
    );
    const { status, body } = await runCurl(served?.source ?? "", server.token);
    expect(status, body).toBe(sample.status);
    if (sample.method !== "delete") expect(() => JSON.parse(body)).not.toThrow();
    await server.stop();
  });

  it("fails when the sample is run without a valid token", async () => {
    const server = await startServer();
    servers.push(server);
    const sample = samples.find((s) => s.operationId === "getPatientRefund");
    const served = (await servedSamples(server)).curl(sample?.path ?? "", sample?.method ?? "");
    const { status, body } = await runCurl(served?.source ?? "", "not-the-token");
    expect(status).toBe(403);
    expect(JSON.parse(body).errorName).toBe("UnauthorizedError");
  });
});
