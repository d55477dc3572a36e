// A program of a team that installed the packed packages with npm: it type-checks under `tsc --strict` in a
// project of its own, then runs there. It prints one JSON object of what it saw; the packaging test checks it.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import {
  createRefundsClient,
  EntityNotFoundError,
  isRefundsError,
  type PatientRefund,
  type PatientRefundCreate,
  refundReasons,
} from "@refunds-api/client";
import type { paths } from "@refunds-api/client/schema";
import { startServer } from "@refunds-api/server";
import { loadSpec, specJsonPath } from "@refunds-api/spec";
import { startMock, startServer as startTestServer } from "@refunds-api/testing";

type ListQuery = NonNullable<paths["/api/patient-refunds/v1"]["get"]["parameters"]["query"]>;
const query: ListQuery = { patient_external_id: "PAT-00042", sort_direction: "desc" };
const body: PatientRefundCreate = {
  amount_cents: 1200,
  patient_external_id: "PAT-00042",
  refund_reason: refundReasons[0],
  allocations: [{ amount_cents: 1200, target: { type: "unattributed" } }],
};
const amountOf = (refund: PatientRefund): number => refund.amount_cents;
const seen: Record<string, unknown> = { node: process.version };

// The reference server in this process, called through the client with a static token.
const server = await startServer({ port: 0, staticTokens: ["consumer-token"] });
try {
  const client = createRefundsClient({ baseUrl: server.url, auth: "consumer-token" });
  const created = await client.patientRefunds.create(body);
  seen.createdAmount = amountOf(created);
  seen.getReturnsCreated = (await client.patientRefunds.get(created.patient_refund_id)).patient_refund_id;
  seen.createdId = created.patient_refund_id;
  seen.listIncludesCreated = (await client.patientRefunds.list(query)).items.some(
    (refund) => refund.patient_refund_id === created.patient_refund_id,
  );
  await client.patientRefunds.delete(created.patient_refund_id);
  seen.getAfterDelete = await client.patientRefunds.get(created.patient_refund_id).then(
    () => "found",
    (error: unknown) => (error instanceof EntityNotFoundError ? error.errorName : String(error)),
  );
  // Client credentials: the token exchange against the server's development credentials.
  const exchanged = createRefundsClient({
    baseUrl: server.url,
    auth: { clientId: "dev-client", clientSecret: "dev-secret" },
  });
  seen.payerRefundsListed = Array.isArray((await exchanged.nonInsurancePayerRefunds.list()).items);
} finally {
  await server.stop();
}

// The testing helpers: the server with its known token, and the Prism mock.
const helper = await startTestServer();
try {
  const listed = await createRefundsClient({ baseUrl: helper.url, auth: helper.token }).patientRefunds.list();
  seen.helperServerListed = listed.items.length > 0;
} finally {
  await helper.stop();
}
const mock = await startMock();
try {
  const mockClient = createRefundsClient({ baseUrl: mock.url, auth: "any" });
  seen.mockListed = (await mockClient.patientRefunds.list()).items.length > 0;
  seen.mockMalformedId = await mockClient.patientRefunds.get("not-a-uuid").then(
    () => "found",
    (error: unknown) => (isRefundsError(error) && error.kind === "api" ? error.errorName : String(error)),
  );
} finally {
  await mock.stop();
}

// The server's bin, as `npx refunds-api-server` runs it.
const bin = spawn("node_modules/.bin/refunds-api-server", {
  env: { ...process.env, PORT: "0", LOG_LEVEL: "info" },
  stdio: ["ignore", "pipe", "inherit"],
});
process.once("exit", () => bin.kill("SIGKILL"));
const exited = once(bin, "exit");
let log = "";
bin.stdout.setEncoding("utf8");
const binUrl = await new Promise<string>((resolve, reject) => {
  bin.stdout.on("data", (chunk: string) => {
    log += chunk;
    const match = /listening on (http:\/\/[\d.:]+)/.exec(log);
    if (match?.[1]) resolve(match[1]);
  });
  void exited.then(() => reject(new Error(`refunds-api-server exited before listening:\n${log}`)));
});
seen.binHealth = await (await fetch(`${binUrl}/healthz`)).json();
seen.binListed = Array.isArray(
  (await createRefundsClient({ baseUrl: binUrl, auth: "dev-token" }).patientRefunds.list({ limit: 1 })).items,
);
const docs = await fetch(`${binUrl}/docs`);
await docs.body?.cancel();
seen.binDocs = `${docs.status} ${docs.headers.get("content-type")}`;
const served = (await (await fetch(`${binUrl}/openapi.json`)).json()) as { info: { title: string } };
seen.binServesBundledSpec = served.info.title === (loadSpec().info as { title: string }).title;
bin.kill("SIGTERM");
seen.binExit = (await exited)[0];
seen.specJsonShipped = existsSync(specJsonPath);

process.stdout.write(`${JSON.stringify(seen)}\n`);
