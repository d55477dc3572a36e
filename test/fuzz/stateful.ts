// Stateful fuzzing: random runs of create / update / get / list / delete on both resources, each answer checked
// against a plain model of the state (model.ts) and against the contract. Every run starts from an empty store.
// One test file per store (stateful.test.ts, stateful.embedded.test.ts), so each runs in its lane.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createStore, defaultOrganizationId, defaultSeed, type StartedServer, startServer } from "@refunds-api/server";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledSpec } from "../support/spec.js";
import { contractProblems, type FuzzOperation, fuzzOperations, type Reply } from "./contract.js";
import { curlOf, fuzzToken, send, type WireRequest } from "./harness.js";
import { applyUpdate, listOrder, matchesPatient, matchesPayer, type WireRefund } from "./model.js";
import { CaseCounter, fuzz, fuzzSettings, timeoutFor } from "./run.js";
import { dateTimeArbitrary, type JsonSchema, schemaArbitrary, textUnit } from "./schema-arbitrary.js";

const spec = bundledSpec();
const resolve = (ref: string) =>
  ref
    .slice(2)
    .split("/")
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], spec) as JsonSchema;
const operations = new Map(fuzzOperations(spec).map((op) => [op.operationId, op]));
const operation = (id: string) => operations.get(id) as FuzzOperation;
const counter = new CaseCounter();
const payers = (defaultSeed.non_insurance_payers ?? []).filter((p) => p.enabled);
const seedFile = fileURLToPath(new URL("../../test-artifacts/fuzz/stateful-seed.json", import.meta.url));

// The server of the store kind whose runs are going on.
let server: StartedServer;
let storeKind: string;
const seed = { non_insurance_payers: defaultSeed.non_insurance_payers };

// Small pools, so filters match several refunds and sorts meet ties.
const uuids = [
  "11111111-1111-4111-8111-111111111111",
  "22222222-2222-4222-8222-222222222222",
  "33333333-3333-4333-8333-333333333333",
];
const patients = ["PAT-A", "PAT-B", "PAT-C"];
const checks = ["1001", "1002", "a,b"];
// Instants written several ways, a nanosecond apart, before the year 100, with hour-only offsets and leap seconds.
const timestamps = [
  "2024-01-15T09:30:00Z",
  "2024-01-15T10:30:00+01:00",
  "2024-01-15T10:30:00+01",
  "2024-01-15 09:30:00.000z",
  "2024-01-15T09:30:00.000000001Z",
  "2024-01-15T09:29:59.999999999Z",
  "2024-01-14T23:59:60Z",
  "2024-01-15T00:00:00Z",
  "0050-01-15T09:30:00Z",
  "1950-01-15T09:30:00Z",
];
const updateContext = {
  resolve,
  formats: {
    uuid: fc.constantFrom(...uuids),
    "date-time": fc.oneof(fc.constantFrom(...timestamps), dateTimeArbitrary()),
  },
};
const bodyContext = {
  ...updateContext,
  properties: {
    patient_external_id: fc.constantFrom(...patients),
    non_insurance_payer_id: fc.constantFrom(...payers.map((p) => p.non_insurance_payer_id)),
    check_number: fc.constantFrom(...checks),
    raise_on_overdraft: fc.constant(false),
    amount_cents: fc.oneof(fc.constantFrom(0, 500, 500, Number.MAX_SAFE_INTEGER), fc.nat()),
    refund_note: fc.oneof(
      fc.constantFrom("alpha", "Beta", "beta", "é", "e\u0301", "😀", "\uffff", ""),
      fc.string({ unit: textUnit, maxLength: 8 }),
    ),
  },
};

interface Resource {
  name: "patient" | "payer";
  base: string;
  idField: string;
  ops: { list: string; create: string; get: string; update: string; delete: string };
  create: fc.Arbitrary<Record<string, unknown>>;
  update: fc.Arbitrary<Record<string, unknown>>;
  sorts: string[];
  filter: fc.Arbitrary<Record<string, unknown>>;
  matches(r: WireRefund, filter: Record<string, unknown>): boolean;
}

const resourceOf = (name: "patient" | "payer"): Resource =>
  name === "patient"
    ? {
        name,
        base: "/api/patient-refunds/v1",
        idField: "patient_refund_id",
        ops: {
          list: "listPatientRefunds",
          create: "createPatientRefund",
          get: "getPatientRefund",
          update: "updatePatientRefund",
          delete: "deletePatientRefund",
        },
        create: schemaArbitrary({ $ref: "#/components/schemas/PatientRefundCreate" }, bodyContext) as never,
        update: schemaArbitrary({ $ref: "#/components/schemas/PatientRefundUpdate" }, updateContext) as never,
        sorts: ["refund_source", "amount_cents", "refund_timestamp", "refund_reason", "refund_note"],
        filter: fc.record(
          {
            patient_external_id: fc.constantFrom(...patients),
            claim_id: fc.constantFrom(...uuids),
            service_line_id: fc.constantFrom(...uuids),
            billing_provider_id: fc.constantFrom(...uuids),
            unattributed: fc.boolean(),
            invoice_id: fc.constantFrom(...uuids),
            sources: fc.subarray(["MANUAL_ENTRY", "STRIPE"], { minLength: 1 }),
          },
          { requiredKeys: [] },
        ),
        matches: matchesPatient,
      }
    : {
        name,
        base: "/api/non-insurance-payer-refunds/v1",
        idField: "non_insurance_payer_refund_id",
        ops: {
          list: "listNonInsurancePayerRefunds",
          create: "createNonInsurancePayerRefund",
          get: "getNonInsurancePayerRefund",
          update: "updateNonInsurancePayerRefund",
          delete: "deleteNonInsurancePayerRefund",
        },
        create: schemaArbitrary({ $ref: "#/components/schemas/NonInsurancePayerRefundCreate" }, bodyContext) as never,
        update: schemaArbitrary({ $ref: "#/components/schemas/NonInsurancePayerRefundUpdate" }, updateContext) as never,
        sorts: ["amount_cents", "refund_timestamp"],
        filter: fc.record(
          {
            non_insurance_payer_id: fc.constantFrom(...payers.map((p) => p.non_insurance_payer_id)),
            check_number: fc.subarray(checks, { minLength: 1 }),
            invoice_id: fc.constantFrom(...uuids),
          },
          { requiredKeys: [] },
        ),
        matches: matchesPayer,
      };
const resources = [resourceOf("patient"), resourceOf("payer")];

/** The expected state: live refunds by id, and ids that were deleted. */
interface Model {
  live: Record<Resource["name"], Map<string, WireRefund>>;
  gone: Record<Resource["name"], string[]>;
}

/** The server side of a run: what it was sent so far, to print as curl commands. */
interface Real {
  history: WireRequest[];
}

// Ids the server derives for targets it does not know: the same input must always give the same ids.
const derived = new Map<string, string>();

class Failure extends Error {}

// biome-ignore lint/suspicious/noExplicitAny: replies are read loosely and compared whole against the model.
type Json = any;

async function call(real: Real, operationId: string, request: WireRequest): Promise<{ reply: Reply; body: Json }> {
  counter.add(operationId, request.method);
  real.history.push(request);
  const reply = await send(server.url, request);
  const problems = contractProblems(operation(operationId), reply);
  if (problems.length > 0) fail(real, `${operationId} answered outside the contract: ${problems.join("; ")}`, reply);
  let body: Json;
  try {
    body = reply.text === "" ? undefined : JSON.parse(reply.text);
  } catch {}
  return { reply, body };
}

function fail(real: Real, message: string, reply?: Reply): never {
  const lines = [message];
  if (reply) lines.push(`Reply: ${reply.status} ${reply.text.slice(0, 1500)}`);
  lines.push(
    "Reproduce: start the server with only the seed's payers, then run the requests of this run in order:",
    `  SEED_FILE=${seedFile} STORE=${storeKind} DATA_DIR=$(mktemp -d) PORT=3000 AUTH_TOKENS=${fuzzToken} node packages/server/dist/main.js &`,
    ...real.history.map((r) => `  ${curlOf(r)}`),
  );
  throw new Failure(lines.join("\n"));
}

function same(real: Real, what: string, got: unknown, want: unknown, reply?: Reply) {
  try {
    expect(got).toEqual(want);
  } catch {
    fail(real, `${what}:\n  got  ${JSON.stringify(got)}\n  want ${JSON.stringify(want)}`, reply);
  }
}

/** The target a create's target must be recorded as (README: "Targets resolve as follows"). */
function expectTarget(real: Real, create: Record<string, unknown>, got: Record<string, unknown>) {
  const ids = (key: string) => {
    const claim = derived.get(`${key}:claim`) ?? (got.claim_id as string);
    derived.set(`${key}:claim`, claim);
    const encounter = derived.get(`${key}:encounter`) ?? (got.encounter_id as string);
    derived.set(`${key}:encounter`, encounter);
    return { claim_id: claim, encounter_id: encounter };
  };
  const v = create.value as string;
  const want = () => {
    switch (create.type) {
      case "service_line_by_id":
        return { type: "service_line", service_line_id: v, ...ids(`service_line ${v}`) };
      case "claim_by_id":
        return { type: "claim", claim_id: v, encounter_id: ids(`claim ${v}`).encounter_id };
      case "claim_by_encounter_external_id":
        return { type: "claim", ...ids(`encounter ${v}`) };
      case "billing_provider_by_id":
        return { type: "billing_provider_id", billing_provider_id: v };
      case "appointment_by_id_and_patient_external_id":
        return {
          type: "appointment",
          appointment_id: create.appointment_id,
          patient_external_id: create.patient_external_id,
        };
      default:
        return { type: "unattributed" };
    }
  };
  same(real, `target recorded for ${JSON.stringify(create)}`, got, want());
}

class Create implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly resource: Resource,
    readonly body: Record<string, unknown>,
  ) {}
  check = () => true;
  async run(m: Model, real: Real) {
    const { resource: res, body } = this;
    const { reply, body: got } = await call(real, res.ops.create, {
      method: "POST",
      path: res.base,
      body: JSON.stringify(body),
    });
    if (reply.status !== 200) fail(real, `create answered ${reply.status}`, reply);
    const id = got[res.idField] as string;
    if (m.live[res.name].has(id) || m.gone[res.name].includes(id)) fail(real, `create reused id ${id}`, reply);
    const {
      allocations: sentAllocations,
      raise_on_overdraft,
      allocation_restrictions,
      ...fields
    } = body as {
      allocations: Record<string, unknown>[];
      [key: string]: unknown;
    };
    const want: WireRefund =
      res.name === "patient"
        ? { ...fields, patient_refund_id: id, organization_id: defaultOrganizationId, refund_source: "MANUAL_ENTRY" }
        : (() => {
            const { non_insurance_payer_id, ...rest } = fields;
            const payer = payers.find((p) => p.non_insurance_payer_id === non_insurance_payer_id);
            return { ...rest, non_insurance_payer_refund_id: id, non_insurance_payer: payer };
          })();
    const { allocations, ...gotFields } = got;
    same(real, "created refund", gotFields, want, reply);
    same(real, "number of allocations", allocations.length, sentAllocations.length, reply);
    const allocationIds = new Set<string>();
    sentAllocations.forEach((sent, i) => {
      const a = allocations[i];
      allocationIds.add(a.allocation_id);
      expectTarget(real, sent.target as Record<string, unknown>, a.target);
      const earmark = sent.earmark
        ? {
            id: a.earmark?.id,
            target: sent.earmark,
            amount_earmarked_cents: sent.amount_cents,
            created_by_allocation_id: a.allocation_id,
          }
        : undefined;
      same(real, `allocation ${i}`, a, {
        amount_cents: sent.amount_cents,
        target: a.target,
        allocation_id: a.allocation_id,
        allocated_on: a.allocated_on,
        ...(earmark ? { earmark } : {}),
      });
    });
    if (allocationIds.size !== sentAllocations.length) fail(real, "allocation ids repeat", reply);
    m.live[res.name].set(id, got);
  }
  toString = () => `create ${this.resource.name} ${JSON.stringify(this.body)}`;
}

/** Which refund a command acts on: a live one, a deleted one, or one that never existed. */
interface Pick {
  which: "live" | "gone" | "unknown";
  index: number;
  unknown: string;
}
const pickArbitrary: fc.Arbitrary<Pick> = fc.record({
  which: fc.constantFrom("live", "live", "live", "live", "gone", "unknown"),
  index: fc.nat(),
  unknown: fc.uuid(),
});

function chosen(m: Model, res: Resource, pick: Pick): { id: string; live: boolean } {
  const live = [...m.live[res.name].keys()];
  const gone = m.gone[res.name];
  if (pick.which === "live" && live.length > 0) return { id: live[pick.index % live.length] as string, live: true };
  if (pick.which === "gone" && gone.length > 0) return { id: gone[pick.index % gone.length] as string, live: false };
  return { id: pick.unknown, live: false };
}

async function expectNotFound(real: Real, reply: Reply, body: Json, id: string) {
  if (reply.status !== 404) fail(real, `expected a 404 for ${id}, got ${reply.status}`, reply);
  same(real, "404 body", body, { errorName: "EntityNotFoundError", content: { id } }, reply);
}

class Get implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly resource: Resource,
    readonly pick: Pick,
  ) {}
  check = () => true;
  async run(m: Model, real: Real) {
    const { id, live } = chosen(m, this.resource, this.pick);
    const { reply, body } = await call(real, this.resource.ops.get, {
      method: "GET",
      path: `${this.resource.base}/${id}`,
    });
    if (!live) return expectNotFound(real, reply, body, id);
    same(real, `refund ${id}`, body, m.live[this.resource.name].get(id), reply);
  }
  toString = () => `get ${this.resource.name} ${JSON.stringify(this.pick)}`;
}

class Update implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly resource: Resource,
    readonly pick: Pick,
    readonly body: Record<string, unknown>,
  ) {}
  check = () => true;
  async run(m: Model, real: Real) {
    const { id, live } = chosen(m, this.resource, this.pick);
    const { reply, body } = await call(real, this.resource.ops.update, {
      method: "PATCH",
      path: `${this.resource.base}/${id}`,
      body: JSON.stringify(this.body),
    });
    if (!live) return expectNotFound(real, reply, body, id);
    const want = applyUpdate(m.live[this.resource.name].get(id) as WireRefund, this.body);
    same(real, `refund ${id} after ${JSON.stringify(this.body)}`, body, want, reply);
    m.live[this.resource.name].set(id, body);
  }
  toString = () => `update ${this.resource.name} ${JSON.stringify(this.pick)} ${JSON.stringify(this.body)}`;
}

class Delete implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly resource: Resource,
    readonly pick: Pick,
  ) {}
  check = () => true;
  async run(m: Model, real: Real) {
    const { id, live } = chosen(m, this.resource, this.pick);
    const { reply, body } = await call(real, this.resource.ops.delete, {
      method: "DELETE",
      path: `${this.resource.base}/${id}`,
    });
    if (!live) return expectNotFound(real, reply, body, id);
    if (reply.status !== 200 || reply.text !== "") fail(real, "delete must answer 200 with no body", reply);
    m.live[this.resource.name].delete(id);
    m.gone[this.resource.name].push(id);
  }
  toString = () => `delete ${this.resource.name} ${JSON.stringify(this.pick)}`;
}

/** Reads a whole list page by page and checks every page, then walks back one page from the last. */
class List implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly resource: Resource,
    readonly sort: string,
    readonly direction: "asc" | "desc",
    readonly limit: number,
    readonly filter: Record<string, unknown>,
  ) {}
  check = () => true;
  async run(m: Model, real: Real) {
    const { resource: res, limit } = this;
    const rows = [...m.live[res.name].values()].filter((r) => res.matches(r, this.filter));
    const want = listOrder(rows, this.sort, this.direction, res.idField);
    const query: [string, string][] = [
      ["sort", this.sort],
      ["sort_direction", this.direction],
      ["limit", String(limit)],
    ];
    for (const [key, value] of Object.entries(this.filter)) {
      for (const v of Array.isArray(value) ? value : [value]) query.push([key, String(v)]);
    }
    const pages = Math.max(1, Math.ceil(want.length / limit));
    let token: string | undefined;
    let last: Json;
    for (let page = 0; page < pages; page++) {
      const request: WireRequest = {
        method: "GET",
        path: res.base,
        query: token ? [...query, ["page_token", token]] : query,
      };
      const { reply, body } = await call(real, res.ops.list, request);
      if (reply.status !== 200) fail(real, `list answered ${reply.status}`, reply);
      const expected = want.slice(page * limit, (page + 1) * limit);
      same(real, `page ${page + 1} of ${pages} (${this.sort} ${this.direction})`, body.items, expected, reply);
      same(real, `page ${page + 1} has a next page token`, "next_page_token" in body, page < pages - 1, reply);
      same(real, `page ${page + 1} has a previous page token`, "prev_page_token" in body, page > 0, reply);
      token = body.next_page_token;
      last = body;
    }
    if (pages > 1) {
      const request: WireRequest = {
        method: "GET",
        path: res.base,
        query: [...query, ["page_token", last.prev_page_token]],
      };
      const { reply, body } = await call(real, res.ops.list, request);
      same(real, "the page before the last", body.items, want.slice((pages - 2) * limit, (pages - 1) * limit), reply);
      same(real, "the page before the last has a next page token", "next_page_token" in body, true, reply);
      same(real, "the page before the last has a previous page token", "prev_page_token" in body, pages > 2, reply);
    }
  }
  toString = () =>
    `list ${this.resource.name} ${this.sort} ${this.direction} limit ${this.limit} ${JSON.stringify(this.filter)}`;
}

const commands = resources.flatMap((res) => [
  res.create.map((body) => new Create(res, body)),
  res.create.map((body) => new Create(res, body)),
  pickArbitrary.map((pick) => new Get(res, pick)),
  fc.tuple(pickArbitrary, res.update).map(([pick, body]) => new Update(res, pick, body)),
  pickArbitrary.map((pick) => new Delete(res, pick)),
  fc
    .record({
      sort: fc.constantFrom(...res.sorts),
      direction: fc.constantFrom("asc" as const, "desc" as const),
      limit: fc.integer({ min: 1, max: 4 }),
      filter: fc.oneof(fc.constant({}), res.filter),
    })
    .map((l) => new List(res, l.sort, l.direction, l.limit, l.filter)),
]);

/** Deletes every refund through the API, so the next run (a shrink included) starts from an empty store. */
async function emptyStore() {
  for (const res of resources) {
    let token: string | undefined;
    const ids: string[] = [];
    do {
      const query: [string, string][] = [
        ["limit", "999"],
        ...(token ? [["page_token", token] as [string, string]] : []),
      ];
      const reply = await send(server.url, { method: "GET", path: res.base, query });
      const page = JSON.parse(reply.text);
      ids.push(...page.items.map((r: WireRefund) => r[res.idField] as string));
      token = page.next_page_token;
    } while (token);
    for (const id of ids) await send(server.url, { method: "DELETE", path: `${res.base}/${id}` });
  }
}

// A run is a sequence of about 25 commands (up to 50; a list reads every page), so a quarter as many runs as
// cases, which makes about 200 of each operation; the embedded store answers more slowly and gets a sixteenth.
const runsOn = {
  memory: Math.max(1, Math.ceil(fuzzSettings.runs / 4)),
  embedded: Math.max(1, Math.ceil(fuzzSettings.runs / 16)),
};

/**
 * The stateful property on a server over a store of `kind`, with its case counts written to
 * test-artifacts/fuzz/stateful-<kind>.json: stateful.test.ts (memory), stateful.embedded.test.ts.
 */
export function describeStateful(kind: "memory" | "embedded"): void {
  const runs = runsOn[kind];
  beforeAll(() => {
    mkdirSync(dirname(seedFile), { recursive: true });
    writeFileSync(seedFile, `${JSON.stringify(seed, null, 2)}\n`);
  });
  afterAll(() => {
    const file = counter.write(`stateful-${kind}`);
    process.stdout.write(
      `Stateful fuzz requests per operation (${file}):\n${JSON.stringify(counter.summary(), null, 1)}\n`,
    );
  });

  describe(`stateful runs against a model, ${kind} store`, () => {
    beforeAll(async () => {
      storeKind = kind;
      server = await startServer({ seed, store: await createStore({ kind }), staticTokens: [fuzzToken] });
    }, 120_000);
    afterAll(() => server?.stop());

    it(
      "create, update, get, list and delete agree with the model, page by page",
      async () => {
        await fuzz(
          `stateful runs against a model, ${kind} store`,
          fc.asyncProperty(fc.commands(commands, { maxCommands: 50, size: "medium" }), async (cmds) => {
            const model: Model = { live: { patient: new Map(), payer: new Map() }, gone: { patient: [], payer: [] } };
            try {
              await fc.asyncModelRun(() => ({ model, real: { history: [] } }), cmds);
            } finally {
              await emptyStore();
            }
          }),
          runs,
        );
      },
      timeoutFor(runs, kind === "memory" ? 300 : 1500),
    );
  });
}
