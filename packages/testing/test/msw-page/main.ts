// The page of msw-browser.test.ts, bundled with esbuild as an application would bundle it: MSW's service worker
// answers the client's requests with `createRefundsHandlers()`, and the page walks a refund through its life, once
// per base URL (a made-up HTTPS origin, and a prefix of the page's own origin). What it saw goes on
// `window.mswResults` for the test to read; nothing here logs.
import { createRefundsClient, isRefundsError, type RefundsClient } from "@refunds-api/client";
import { createRefundsHandlers, type RefundsHandlers } from "@refunds-api/testing/msw";
import { setupWorker } from "msw/browser";
import {
  type Exchange,
  type Failure,
  type FlowResult,
  invalidCreate,
  type PageResults,
  seededRefund,
  validCreate,
} from "./data.js";

const bases = ["https://refunds.msw.test", `${location.origin}/mock-api`];

async function failure(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
    return { error: "resolved" };
  } catch (error) {
    if (!isRefundsError(error)) return { error: String(error) };
    const fields = error as { errorName?: string; status?: number };
    return { error: error.kind, errorName: fields.errorName, status: fields.status };
  }
}

async function flow(baseUrl: string, refunds: RefundsHandlers): Promise<FlowResult> {
  const exchanges: Exchange[] = [];
  const client: RefundsClient = createRefundsClient({
    baseUrl,
    auth: refunds.token,
    maxRetries: 0,
    // The page's own fetch (through the service worker), recording what went out and came back.
    fetch: async (request) => {
      const requestBody = request.body === null ? null : await request.clone().text();
      const response = await fetch(request);
      exchanges.push({
        method: request.method,
        url: request.url,
        requestContentType: request.headers.get("content-type"),
        requestBody,
        status: response.status,
        contentType: response.headers.get("content-type"),
        bytes: Array.from(new Uint8Array(await response.clone().arrayBuffer())),
      });
      return response;
    },
  });
  const patients = client.withResponse.patientRefunds;

  const created = await patients.create(validCreate);
  const id = created.data.patient_refund_id;
  const listed = await patients.list({ patient_external_id: validCreate.patient_external_id });
  const updated = await patients.update(id, { refund_note: { type: "set", value: "Corrected in the browser." } });
  const deleted = await patients.delete(id);
  const deleteExchange = exchanges.at(-1);
  const getAfterDelete = await failure(patients.get(id));
  const invalid = await failure(patients.create(invalidCreate));
  const invalidExchange = exchanges.at(-1) as Exchange;
  const journal = (await refunds.requests()).map((entry) => `${entry.operationId} ${entry.status}`);

  await refunds.inject({ operationId: "listPatientRefunds", status: 503 });
  const injected = await failure(patients.list());
  await refunds.inject({ operationId: "listPatientRefunds", status: 503 });
  await refunds.clearFaults();
  const afterClearFaults = (await patients.list()).response.status;

  await refunds.reset();
  const seededFound = (await patients.get(seededRefund)).data.patient_refund_id === seededRefund;
  // The get just above is the only request journaled since the reset.
  const afterReset = { seededFound, journal: (await refunds.requests()).length };

  return {
    baseUrl,
    create: {
      status: created.response.status,
      id,
      amount: created.data.amount_cents,
      patient: created.data.patient_external_id,
    },
    list: { status: listed.response.status, ids: listed.data.items.map((refund) => refund.patient_refund_id) },
    update: {
      status: updated.response.status,
      id: updated.data.patient_refund_id,
      note: updated.data.refund_note ?? undefined,
      amount: updated.data.amount_cents,
    },
    delete: { status: deleted.response.status, bodyBytes: deleteExchange?.bytes.length ?? -1 },
    getAfterDelete,
    invalidCreate: { ...invalid, exchange: invalidExchange },
    journal,
    injected,
    afterClearFaults,
    afterReset,
  };
}

async function main(): Promise<PageResults> {
  const handlers = bases.map((baseUrl) => createRefundsHandlers({ baseUrl }));
  const worker = setupWorker(...handlers.flat());
  // Anything the handlers do not answer is an error: every request of the steps must be theirs.
  await worker.start({ quiet: true, onUnhandledRequest: "error", serviceWorker: { url: "/mockServiceWorker.js" } });
  const flows: FlowResult[] = [];
  for (const [i, baseUrl] of bases.entries()) flows.push(await flow(baseUrl, handlers[i] as RefundsHandlers));
  return { ok: true, flows };
}

main().then(
  (results) => {
    window.mswResults = results;
    document.getElementById("state")?.replaceChildren("done");
  },
  (error: unknown) => {
    window.mswResults = {
      ok: false,
      error: error instanceof Error ? `${error.stack ?? error.message}` : String(error),
    };
    document.getElementById("state")?.replaceChildren("failed");
  },
);
