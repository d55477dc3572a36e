// Property-based fuzzing of every operation from the spec: valid requests are answered 200 (never rejected), and
// requests broken in one way get the 4xx envelope that names the fault; every answer stays inside the contract.
// One test file per store (operations.test.ts, operations.embedded.test.ts), so each runs in its lane.
import { defaultSeed } from "@refunds-api/server";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledSpec } from "../support/spec.js";
import { type CaseContext, type FuzzCase, freshId, mutatedCases, requestOf, validCases } from "./cases.js";
import { contractProblems, type FuzzOperation, fuzzOperations, type Reply } from "./contract.js";
import { curlOf, type FuzzServer, startFuzzServer, type WireRequest } from "./harness.js";
import { CaseCounter, fuzz, fuzzSettings, timeoutFor } from "./run.js";
import type { JsonSchema } from "./schema-arbitrary.js";

const spec = bundledSpec();
const operations = fuzzOperations(spec);
const resolve = (ref: string) =>
  ref
    .slice(2)
    .split("/")
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], spec) as JsonSchema;

// Half the cases are valid, split between the stores (valid requests reach the store); half are broken, which
// never get past validation, so the memory store answers those.
const validRuns = Math.ceil(fuzzSettings.runs / 4);
const mutatedRuns = fuzzSettings.runs - 2 * validRuns;
const counter = new CaseCounter();

const pageTokens: Record<string, string> = {};

// Minimal valid creates, to make the refund a delete case removes.
const creates: Record<string, { path: string; body: unknown; id: string }> = {
  patient_refund_id: {
    path: "/api/patient-refunds/v1",
    body: { amount_cents: 100, patient_external_id: "PAT-FUZZ", allocations: [] },
    id: "patient_refund_id",
  },
  non_insurance_payer_refund_id: {
    path: "/api/non-insurance-payer-refunds/v1",
    body: { non_insurance_payer_id: "d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7fa0", amount_cents: 100, allocations: [] },
    id: "non_insurance_payer_refund_id",
  },
};

function createRequest(param: string): WireRequest {
  const create = creates[param];
  if (!create) throw new Error(`No create for ${param}`);
  return { method: "POST", path: create.path, body: JSON.stringify(create.body) };
}

/** What valid requests of `op` are made of: existing ids, a real page token, a payer that takes refunds. */
function contextOf(op: FuzzOperation): CaseContext {
  const isDelete = op.method === "DELETE";
  const seeded = {
    patient_refund_id: (defaultSeed.patient_refunds ?? []).map((r) => r.patient_refund_id),
    non_insurance_payer_refund_id: (defaultSeed.non_insurance_payer_refunds ?? []).map(
      (r) => r.non_insurance_payer_refund_id,
    ),
  };
  const enabledPayers = (defaultSeed.non_insurance_payers ?? []).filter((p) => p.enabled);
  return {
    resolve,
    pathIds: Object.fromEntries(
      Object.entries(seeded).map(([name, ids]) => [name, isDelete ? fc.constant(freshId) : fc.constantFrom(...ids)]),
    ),
    properties: {
      page_token: fc.constant(pageTokens[op.operationId] ?? "no-token"),
      non_insurance_payer_id: fc.constantFrom(...enabledPayers.map((p) => p.non_insurance_payer_id)),
      client_id: fc.constant("dev-client"),
      client_secret: fc.constant("dev-secret"),
    },
  };
}

/** The answer a case must get: status and errorName. */
function expected(op: FuzzOperation, c: FuzzCase): { status: number; errorName?: string } {
  if (c.location === "path") return { status: 404, errorName: "EntityNotFoundError" };
  if (c.location) return { status: 422, errorName: "UnprocessableEntityError" };
  // With no balance paid toward random targets, any positive allocation overdraws when the refund asks to check.
  const body = c.body as { raise_on_overdraft?: boolean; allocations?: { amount_cents: number }[] } | undefined;
  if (op.operationId === "createPatientRefund" && body?.raise_on_overdraft) {
    if (body.allocations?.some((a) => a.amount_cents > 0)) {
      return { status: 422, errorName: "ReallocationWouldOverdraftError" };
    }
  }
  return { status: 200 };
}

/** Sends a case and lists every way its answer is wrong; a failure reads as a report with curl commands. */
async function check(op: FuzzOperation, c: FuzzCase, fz: FuzzServer): Promise<void> {
  counter.add(op.operationId, c.location ? `${c.location}:${c.kind}` : `${c.kind}:${fz.kind}`);
  const setup: { request: WireRequest; id: string }[] = [];
  const path = { ...c.path };
  for (const [name, value] of Object.entries(path)) {
    if (value !== freshId) continue;
    const request = createRequest(name);
    const reply = await fz.send(request);
    const id = JSON.parse(reply.text)[name];
    setup.push({ request, id });
    path[name] = id;
  }
  const request = requestOf(op, { ...c, path });
  const reply = await fz.send(request);
  const problems = contractProblems(op, reply);
  const want = expected(op, c);
  let body: { errorName?: string; content?: { message?: string; id?: string; messages?: string[] } } = {};
  try {
    body = JSON.parse(reply.text);
  } catch {}
  if (reply.status !== want.status || (want.errorName && body.errorName !== want.errorName)) {
    problems.push(`expected ${want.status} ${want.errorName ?? ""}, got ${reply.status} ${body.errorName ?? ""}`);
  } else if (c.location === "path") {
    const param = op.pathParams[0]?.name ?? "";
    if (body.content?.id !== c.path[param]) problems.push(`the 404 names ${body.content?.id}, not ${c.path[param]}`);
  } else if (c.location && c.field && !body.content?.message?.includes(faultyField(c))) {
    problems.push(`the message does not name ${faultyField(c)}`);
  } else if (want.errorName === "ReallocationWouldOverdraftError") {
    const positive = (c.body as { allocations: { amount_cents: number }[] }).allocations.filter((a) => a.amount_cents);
    if (body.content?.messages?.length !== positive.length) {
      problems.push(`expected ${positive.length} overdraft messages`);
    }
  }
  if (problems.length > 0) throw new Error(report(c, fz, request, reply, problems, setup));
}

/**
 * The field the error message must name: a union given another branch's tag is judged by that branch, so the
 * message names the union's fields; a query parameter is named whole, not by the index of a repeated value.
 */
function faultyField(c: FuzzCase): string {
  const field = c.field ?? "";
  if (c.location === "query") return field.replace(/^(query\.\w+).*$/, "$1");
  return c.kind === "wrong-discriminator" ? field.slice(0, field.lastIndexOf(".")) : field;
}

function report(
  c: FuzzCase,
  fz: FuzzServer,
  request: WireRequest,
  reply: Reply,
  problems: string[],
  setup: { request: WireRequest; id: string }[],
): string {
  const lines = [
    `${c.operationId}, ${c.kind}${c.location ? ` in ${c.field} (${c.note})` : ""}:`,
    ...problems.map((p) => `  - ${p}`),
    `Reply: ${reply.status} ${reply.contentType ?? ""} ${reply.text.slice(0, 1500)}`,
  ];
  if (reply.status >= 500) lines.push("Server log:", ...fz.logs.slice(-3).map((l) => `  ${l.trim().slice(0, 2000)}`));
  lines.push(`Reproduce against \`STORE=${fz.kind} pnpm start\` (same seed and token; a fresh DATA_DIR):`);
  let curl = curlOf(request);
  for (const { request: create, id } of setup) {
    const name = Object.keys(c.path).find((k) => c.path[k] === freshId) ?? "id";
    lines.push(
      `  ID=$(${curlOf(create).replace(" -i ", " ")} | node -pe 'JSON.parse(require("fs").readFileSync(0)).${name}')`,
    );
    curl = curl.replace(id, `'"$ID"'`);
  }
  lines.push(`  ${curl}`);
  return lines.join("\n");
}

/**
 * The operation fuzz on a server over a store of `kind`, its case counts written to
 * test-artifacts/fuzz/operations-<kind>.json: operations.test.ts runs it on the memory store (valid and broken
 * requests), operations.embedded.test.ts on PGlite (valid requests, the ones that reach the store).
 */
export function describeOperationFuzz(kind: FuzzServer["kind"]): void {
  let fz: FuzzServer;

  beforeAll(async () => {
    fz = await startFuzzServer({ kind });
    // One more payer refund, so both lists have a second page and so a page token (the same on every store).
    await fz.send(createRequest("non_insurance_payer_refund_id"));
    for (const op of operations.filter((o) => o.queryParams.some((p) => p.name === "page_token"))) {
      const reply = await fz.send({ method: "GET", path: op.path, query: [["limit", "1"]] });
      const token = JSON.parse(reply.text).next_page_token;
      if (typeof token !== "string") throw new Error(`${op.operationId} gave no page token: ${reply.text}`);
      pageTokens[op.operationId] = token;
    }
  });

  afterAll(async () => {
    await fz?.close();
    const file = counter.write(`operations-${kind}`);
    process.stdout.write(`Fuzz cases per operation (${file}):\n${JSON.stringify(counter.summary(), null, 1)}\n`);
  });

  for (const op of operations) {
    describe(op.operationId, () => {
      it(
        `valid requests on the ${kind} store: answered 200, inside the contract`,
        async () => {
          const ctx = contextOf(op);
          await fuzz(
            `${op.operationId} valid requests on the ${kind} store`,
            fc.asyncProperty(validCases(op, ctx), (c) => check(op, c, fz)),
            validRuns,
          );
        },
        timeoutFor(validRuns),
      );

      // Broken requests never get past validation, so whatever the store, one of them is enough.
      if (kind !== "memory") return;
      it(
        "mutated requests: a 4xx envelope naming the one fault",
        async () => {
          const ctx = contextOf(op);
          await fuzz(
            `${op.operationId} mutated requests`,
            fc.asyncProperty(mutatedCases(op, ctx), (c) => check(op, c, fz)),
            mutatedRuns,
          );
        },
        timeoutFor(mutatedRuns),
      );
    });
  }

  if (kind !== "memory") return;
  it("covers every operation of the spec", () => {
    expect(operations.map((o) => o.operationId).sort()).toEqual(
      Object.values(spec.paths)
        .flatMap((item) => Object.values(item).map((o) => (o as { operationId?: string }).operationId))
        .filter(Boolean)
        .sort(),
    );
  });
}
