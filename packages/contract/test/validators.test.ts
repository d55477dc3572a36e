// The precompiled validators of `@refunds-api/contract/validators` against what they mirror: each request of the
// table below goes both to express-openapi-validator's `middleware()`, set up as the server sets it up
// (packages/server/src/validation.ts: its options, the server's copy of the spec, the server's query parser), and to
// `validateRequest`; the two must refuse it with the same errors (path, message, errorCode, in order) or pass it
// leaving the same query and body. Responses are compared with the server's response check.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { builtinModules, createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import querystring from "node:querystring";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadSpec, specJsonPath } from "@refunds-api/spec";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { document } from "../src/generated/document.js";
import { fullFormats, ucs2length } from "../src/generated/validators/runtime.js";
import {
  type OperationId,
  operationTable,
  parseQuery,
  requestValidators,
  validateRequest,
  validateResponse,
} from "../src/validators.js";

const addFormats = ((addFormatsModule as { default?: unknown }).default ??
  addFormatsModule) as typeof addFormatsModule.default;

// express and express-openapi-validator are the server's dependencies, not the contract's: they are loaded from the
// server package, through their public entry points, so that the test runs the validator the server runs (patch
// included). The server's own modules are imported by a specifier TypeScript does not follow, which keeps the
// server's sources out of this package's type check.
const serverDir = fileURLToPath(new URL("../../server/", import.meta.url));
const require = createRequire(import.meta.url);
const fromServer = async <T>(name: string) =>
  (await import(pathToFileURL(require.resolve(name, { paths: [serverDir] })).href)) as T;
const serverInternal = "@refunds-api/server/internal";
// The generator's modules (JavaScript without declarations), by a path TypeScript does not follow either.
// biome-ignore lint/suspicious/noExplicitAny: the generator's modules are untyped.
const script = (name: string): Promise<any> => import(new URL(`../scripts/${name}`, import.meta.url).href);

type Handler = (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
interface Express {
  (req: unknown, res: unknown): void;
  set(name: string, value: unknown): void;
  use(...handlers: unknown[]): void;
  listen(port: number, host: string, ready: () => void): Server;
}
interface ExpressModule {
  default: { (): Express; json(options: object): Handler; urlencoded(options: object): Handler };
}
interface ValidatorModule {
  middleware(options: object): Handler[];
}
interface ServerInternal {
  validatorSpec(spec: object): object;
  ResponseChecker: new (spec: object) => { check(operationId: string, status: number, body: unknown): string };
}

interface Observed {
  status: number;
  error?: { status: number; message: string; path: string; errors: unknown[] };
  query?: unknown;
  body?: unknown;
}

let internal: ServerInternal;
const servers: Server[] = [];

/** express-openapi-validator's `middleware()` on `spec`, set up as the server sets it up; returns its base URL. */
async function startValidator(spec: object): Promise<string> {
  const { default: express } = await fromServer<ExpressModule>("express");
  const validator = await fromServer<ValidatorModule>("express-openapi-validator");
  internal ??= (await import(/* @vite-ignore */ serverInternal)) as ServerInternal;
  const app = express();
  // The server's query parser (packages/server/src/app.ts).
  app.set("query parser", (query: string) => querystring.parse(query, "&", "=", { maxKeys: 0 }));
  app.use(express.json({ strict: false }), express.urlencoded({ extended: false }));
  app.use(
    validator.middleware({
      apiSpec: internal.validatorSpec(spec),
      validateRequests: { allErrors: true, discriminator: true, allowUnknownQueryParameters: false },
      validateResponses: false,
      validateFormats: true,
      ajvFormats: { mode: "full" },
      fileUploader: false,
      // Security runs before request validation; every request here carries a token it accepts.
      validateSecurity: { handlers: { BearerAuth: () => true } },
    }),
  );
  type Req = { query: unknown; body: unknown };
  type Res = { status(code: number): Res; json(body: unknown): void };
  app.use((req: Req, res: Res) => res.status(200).json({ query: req.query, body: req.body ?? null }));
  app.use((err: Observed["error"] & object, _req: Req, res: Res, _next: unknown) => {
    const { status, message, path, errors } = err;
    res.status(status ?? 500).json({ error: { status, message, path, errors } });
  });
  const server = await new Promise<Server>((resolve) => {
    const listening: Server = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  servers.push(server);
  const address = server.address();
  return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
}

let base: string;

beforeAll(async () => {
  base = await startValidator(loadSpec());
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

const patientRefunds = "/api/patient-refunds/v1";
const payerRefunds = "/api/non-insurance-payer-refunds/v1";
const id = "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10";
const payer = "d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7fa0";

const refund = (patch: Record<string, unknown> = {}) => ({
  amount_cents: 100,
  patient_external_id: "PAT-1",
  allocations: [{ amount_cents: 100, target: { type: "unattributed" } }],
  ...patch,
});
const target = (t: unknown, extra: Record<string, unknown> = {}) =>
  refund({ allocations: [{ amount_cents: 100, target: t, ...extra }] });
const payerRefund = (patch: Record<string, unknown> = {}) => ({
  non_insurance_payer_id: payer,
  amount_cents: 100,
  allocations: [{ amount_cents: 100, target: { type: "unattributed" } }],
  ...patch,
});

interface Case {
  what: string;
  op: OperationId;
  /** The URL's path; its last segment, decoded, is the id of operations that take one. */
  path: string;
  query?: string;
  /** A JSON body (serialized here), or the raw text of a form. */
  body?: unknown;
  contentType?: string;
}

const json = "application/json";
const form = "application/x-www-form-urlencoded";

const cases: Case[] = [
  // getToken: two media types, no query parameters
  {
    what: "valid JSON credentials",
    op: "getToken",
    path: "/api/auth/v2/token",
    body: { client_id: "a", client_secret: "b" },
  },
  {
    what: "missing secret, unknown field",
    op: "getToken",
    path: "/api/auth/v2/token",
    body: { client_id: "a", scope: "x" },
  },
  { what: "empty client id", op: "getToken", path: "/api/auth/v2/token", body: { client_id: "", client_secret: 1 } },
  {
    what: "valid form",
    op: "getToken",
    path: "/api/auth/v2/token",
    body: "grant_type=client_credentials&client_id=a&client_secret=b",
    contentType: form,
  },
  {
    what: "form with a wrong grant type",
    op: "getToken",
    path: "/api/auth/v2/token",
    body: "grant_type=password&client_id=a&client_secret=b&x=1",
    contentType: form,
  },
  { what: "text/plain (415)", op: "getToken", path: "/api/auth/v2/token", body: "hi", contentType: "text/plain" },
  { what: "no Content-Type (415)", op: "getToken", path: "/api/auth/v2/token" },
  { what: "a body that is an array", op: "getToken", path: "/api/auth/v2/token", body: ["a"] },
  { what: "a body that is a string", op: "getToken", path: "/api/auth/v2/token", body: "refund" },
  {
    what: "an unknown query parameter",
    op: "getToken",
    path: "/api/auth/v2/token",
    query: "x=1",
    body: { client_id: "a", client_secret: "b" },
  },
  // listPatientRefunds: the query
  {
    what: "a valid query, repeated sources",
    op: "listPatientRefunds",
    path: patientRefunds,
    query: "limit=5&sources=STRIPE&sources=SQUARE&sort=amount_cents&sort_direction=asc&unattributed=true",
  },
  { what: "no query: defaults", op: "listPatientRefunds", path: patientRefunds },
  { what: "limit 0", op: "listPatientRefunds", path: patientRefunds, query: "limit=0&page_token=x" },
  { what: "limit 1000", op: "listPatientRefunds", path: patientRefunds, query: "limit=1000" },
  { what: "limit not a number", op: "listPatientRefunds", path: patientRefunds, query: "limit=abc&unattributed=yes" },
  { what: "limit repeated", op: "listPatientRefunds", path: patientRefunds, query: "limit=1&limit=2" },
  { what: "one source, wrong", op: "listPatientRefunds", path: patientRefunds, query: "sources=BOGUS" },
  {
    what: "enums and a uuid",
    op: "listPatientRefunds",
    path: patientRefunds,
    query: "sort=nope&sort_direction=DESC&claim_id=not-a-uuid&sources=STRIPE&sources=X",
  },
  {
    what: "uppercase UUIDs",
    op: "listPatientRefunds",
    path: patientRefunds,
    query: `claim_id=${id.toUpperCase()}&invoice_id=${id.toUpperCase()}`,
  },
  { what: "an unknown parameter", op: "listPatientRefunds", path: patientRefunds, query: "limit=5&foo=1&bar=2" },
  { what: "an integer-like unknown key", op: "listPatientRefunds", path: patientRefunds, query: "limit=5&2=x" },
  { what: "an empty value", op: "listPatientRefunds", path: patientRefunds, query: "limit=5&patient_external_id=" },
  { what: "an empty array value", op: "listPatientRefunds", path: patientRefunds, query: "sources=" },
  { what: "a key without a value", op: "listPatientRefunds", path: patientRefunds, query: "page_token" },
  { what: "brackets on an array", op: "listPatientRefunds", path: patientRefunds, query: "sources[]=STRIPE" },
  {
    what: "brackets, indexed",
    op: "listPatientRefunds",
    path: patientRefunds,
    query: "sources[0]=STRIPE&sources[1]=X",
  },
  { what: "brackets on a scalar", op: "listPatientRefunds", path: patientRefunds, query: "limit[x]=1" },
  { what: "brackets on an unknown name", op: "listPatientRefunds", path: patientRefunds, query: "limit=2&foo[bar]=1" },
  {
    what: "plus signs and escapes",
    op: "listPatientRefunds",
    path: patientRefunds,
    query: "page_token=a+b%2Bc%20d&patient_external_id=%E2%9C%93",
  },
  {
    what: "a malformed escape",
    op: "listPatientRefunds",
    path: patientRefunds,
    query: "patient_external_id=%zz%E2%9C",
  },
  // createPatientRefund: the body
  { what: "a valid refund, default filled in", op: "createPatientRefund", path: patientRefunds, body: refund() },
  {
    what: "JSON with a charset",
    op: "createPatientRefund",
    path: patientRefunds,
    body: refund(),
    contentType: "application/json; charset=utf-8",
  },
  {
    what: "another JSON media type (415)",
    op: "createPatientRefund",
    path: patientRefunds,
    body: refund(),
    contentType: "application/merge-patch+json",
  },
  {
    what: "missing fields, unknown ones, wrong types",
    op: "createPatientRefund",
    path: patientRefunds,
    body: { amount_cents: "100", allocations: "none", surprise: true, raise_on_overdraft: "yes" },
  },
  {
    what: "numbers out of range",
    op: "createPatientRefund",
    path: patientRefunds,
    body: refund({
      amount_cents: 9007199254740992,
      allocations: [{ amount_cents: -1, target: { type: "unattributed" } }],
    }),
  },
  { what: "a fraction", op: "createPatientRefund", path: patientRefunds, body: refund({ amount_cents: 1.5 }) },
  {
    what: "101 allocations",
    op: "createPatientRefund",
    path: patientRefunds,
    body: refund({
      allocations: Array.from({ length: 101 }, () => ({ amount_cents: 1, target: { type: "unattributed" } })),
    }),
  },
  {
    what: "enums",
    op: "createPatientRefund",
    path: patientRefunds,
    body: refund({
      refund_reason: "OOPS",
      allocation_restrictions: { restriction_type: "npi", restriction_value: "" },
    }),
  },
  {
    what: "date-times",
    op: "createPatientRefund",
    path: patientRefunds,
    body: refund({ refund_timestamp: "2024-02-30T10:00:00Z" }),
  },
  {
    what: "a date-time that is a number",
    op: "createPatientRefund",
    path: patientRefunds,
    body: refund({ refund_timestamp: 5 }),
  },
  {
    what: "a lower-case date-time and an uppercase UUID",
    op: "createPatientRefund",
    path: patientRefunds,
    body: refund({ refund_timestamp: "2024-01-15t09:30:00.5z", invoice: id.toUpperCase() }),
  },
  { what: "target without a tag", op: "createPatientRefund", path: patientRefunds, body: target({ value: id }) },
  {
    what: "target with an unknown tag",
    op: "createPatientRefund",
    path: patientRefunds,
    body: target({ type: "nope" }),
  },
  { what: "target tag not a string", op: "createPatientRefund", path: patientRefunds, body: target({ type: 5 }) },
  { what: "target not an object", op: "createPatientRefund", path: patientRefunds, body: target("claim") },
  {
    what: "target variant: bad uuid, unknown field",
    op: "createPatientRefund",
    path: patientRefunds,
    body: target({ type: "service_line_by_id", value: "SL-1", extra: 1 }),
  },
  {
    what: "target variant: empty external id",
    op: "createPatientRefund",
    path: patientRefunds,
    body: target({ type: "claim_by_encounter_external_id", value: "" }),
  },
  {
    what: "target variant: missing fields",
    op: "createPatientRefund",
    path: patientRefunds,
    body: target({ type: "appointment_by_id_and_patient_external_id" }),
  },
  {
    what: "earmark variants",
    op: "createPatientRefund",
    path: patientRefunds,
    body: refund({
      allocations: [
        {
          amount_cents: 1,
          target: { type: "unattributed" },
          earmark: { type: "date_of_service", value: "2024-02-30" },
        },
        { amount_cents: 1, target: { type: "unattributed" }, earmark: { type: "date_of_service", value: 20240101 } },
        { amount_cents: 1, target: { type: "unattributed" }, earmark: { type: "external_encounter_id" } },
      ],
    }),
  },
  {
    what: "read-only fields of the refund",
    op: "createPatientRefund",
    path: patientRefunds,
    body: refund({
      patient_refund_id: id,
      allocations: [{ allocation_id: id, amount_cents: 1, target: { type: "unattributed" } }],
    }),
  },
  { what: "an empty field name", op: "createPatientRefund", path: patientRefunds, body: refund({ "": 1 }) },
  { what: "a null body", op: "createPatientRefund", path: patientRefunds, body: null },
  // getPatientRefund: the path (no 422: unknown query parameters pass)
  { what: "a valid id", op: "getPatientRefund", path: `${patientRefunds}/${id}` },
  { what: "an uppercase id", op: "getPatientRefund", path: `${patientRefunds}/${id.toUpperCase()}` },
  { what: "a malformed id", op: "getPatientRefund", path: `${patientRefunds}/not-a-uuid` },
  { what: "an escaped id", op: "getPatientRefund", path: `${patientRefunds}/%41B%20C` },
  { what: "an unknown query parameter", op: "getPatientRefund", path: `${patientRefunds}/${id}`, query: "x=1&y=" },
  // updatePatientRefund
  {
    what: "updates of each kind",
    op: "updatePatientRefund",
    path: `${patientRefunds}/${id}`,
    body: {
      refund_note: { type: "set" },
      invoice: { type: "set", value: "INV" },
      refund_reason: { type: "set", value: "BAD" },
      refund_timestamp: "yesterday",
    },
  },
  {
    what: "a remove with a value",
    op: "updatePatientRefund",
    path: `${patientRefunds}/${id}`,
    body: { refund_note: { type: "remove", value: "x" }, invoice: { type: "clear" } },
  },
  { what: "an empty update", op: "updatePatientRefund", path: `${patientRefunds}/${id}`, body: {} },
  { what: "an update without a body", op: "updatePatientRefund", path: `${patientRefunds}/${id}`, contentType: json },
  {
    what: "a bad id and a bad body",
    op: "updatePatientRefund",
    path: `${patientRefunds}/x`,
    body: { refund_note: "x" },
  },
  // deletePatientRefund (declares a 422: unknown query parameters are refused)
  { what: "a bad id", op: "deletePatientRefund", path: `${patientRefunds}/123` },
  { what: "an unknown query parameter", op: "deletePatientRefund", path: `${patientRefunds}/${id}`, query: "force=1" },
  // listNonInsurancePayerRefunds
  {
    what: "check numbers",
    op: "listNonInsurancePayerRefunds",
    path: payerRefunds,
    query: `check_number=1001&check_number=1002&non_insurance_payer_id=${payer}&sort=amount_cents`,
  },
  {
    what: "a sort of the other list, a bad payer",
    op: "listNonInsurancePayerRefunds",
    path: payerRefunds,
    query: "sort=refund_source&non_insurance_payer_id=x&limit=-5",
  },
  { what: "an empty check number", op: "listNonInsurancePayerRefunds", path: payerRefunds, query: "check_number=" },
  // createNonInsurancePayerRefund
  { what: "a valid payer refund", op: "createNonInsurancePayerRefund", path: payerRefunds, body: payerRefund() },
  {
    what: "a payer refund with problems",
    op: "createNonInsurancePayerRefund",
    path: payerRefunds,
    body: payerRefund({
      non_insurance_payer_id: undefined,
      invoice_id: "x",
      check_number: 1001,
      patient_external_id: "P",
    }),
  },
  // getNonInsurancePayerRefund, updateNonInsurancePayerRefund, deleteNonInsurancePayerRefund
  { what: "a malformed id", op: "getNonInsurancePayerRefund", path: `${payerRefunds}/nope`, query: "z=1" },
  {
    what: "an update with problems",
    op: "updateNonInsurancePayerRefund",
    path: `${payerRefunds}/${payer}`,
    body: { invoice_id: { type: "set", value: id }, invoice: { type: "set" }, refund_reason: { type: "remove", x: 1 } },
  },
  {
    what: "a valid update",
    op: "updateNonInsurancePayerRefund",
    path: `${payerRefunds}/${payer}`,
    body: { refund_note: { type: "remove" } },
  },
  {
    what: "a malformed id and an unknown parameter (refused first)",
    op: "deleteNonInsurancePayerRefund",
    path: `${payerRefunds}/${payer}x`,
    query: "limit=1",
  },
  { what: "a malformed id", op: "deleteNonInsurancePayerRefund", path: `${payerRefunds}/${payer}x` },
];

/** The request of `c` sent to the validator in the server's setup (at `url`, the spec's by default). */
async function throughServer(c: Case, at = base): Promise<Observed> {
  const { method } = operationTable[c.op];
  const headers: Record<string, string> = { authorization: "Bearer token" };
  let text: string | undefined;
  if (c.body !== undefined) {
    text = typeof c.body === "string" && c.contentType ? c.body : JSON.stringify(c.body);
    headers["content-type"] = c.contentType ?? json;
  } else if (c.contentType) {
    headers["content-type"] = c.contentType;
  }
  const url = `${at}${c.path}${c.query === undefined ? "" : `?${c.query}`}`;
  const response = await fetch(url, { method: method.toUpperCase(), headers, body: text });
  return { status: response.status, ...((await response.json()) as object) };
}

/** The same request through `validateRequest`, as a handler that has parsed it would pass it. */
function throughContract(c: Case, validate = validateRequest): Observed {
  const { path, expressRoute } = operationTable[c.op];
  const params: Record<string, string> = {};
  const name = /:(\w+)$/.exec(expressRoute)?.[1];
  if (name) params[name] = decodeURIComponent(c.path.split("/").pop() ?? "");
  const contentType = c.body !== undefined ? (c.contentType ?? json) : c.contentType;
  // What the server's body parsers hand the validator: JSON with an empty body is `{}` (express.json).
  let body: unknown = contentType === json && c.body === undefined ? {} : undefined;
  if (c.body !== undefined) {
    body =
      contentType === form
        ? Object.fromEntries(new URLSearchParams(c.body as string))
        : contentType === json || contentType?.includes("json")
          ? JSON.parse(JSON.stringify(c.body))
          : c.body;
  }
  const result = validate(c.op, {
    query: c.query,
    params,
    headers: contentType ? { "content-type": contentType } : {},
    body,
    pathname: c.path,
  });
  expect(path).toBeTruthy();
  if (result.error) return { status: result.error.status, error: result.error };
  return { status: 200, query: result.query, body: result.body ?? null };
}

describe("requests: the contract's validators report what express-openapi-validator reports", () => {
  it("covers every operation", () => {
    expect(new Set(cases.map((c) => c.op))).toEqual(new Set(Object.keys(operationTable)));
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)("$op: $what", async (c) => {
    const expected = await throughServer(c);
    const actual = throughContract(c);
    // The server's answer went through JSON; so does ours, for the comparison.
    expect(JSON.parse(JSON.stringify(actual))).toEqual(expected);
  });

  it("refuses some requests and passes others (the table tests both)", async () => {
    const statuses = await Promise.all(cases.map(async (c) => (await throughServer(c)).status));
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(10);
    expect(statuses.filter((s) => s === 400).length).toBeGreaterThan(30);
    expect(statuses).toContain(415);
  });
});

// Keywords and shapes the spec does not use yet, on a variant of it: a readOnly property of a request body (required
// too, which the validator then drops from `required`), a date-time marked `nullable`, a date query parameter.
describe("requests on a variant of the spec", () => {
  const variant = structuredClone(loadSpec()) as {
    paths: Record<string, Record<string, { parameters: object[] }>>;
    components: { schemas: Record<string, { properties: object; required: string[] }>; parameters: object };
  };
  const create = variant.components.schemas.PatientRefundCreate as { properties: object; required: string[] };
  Object.assign(create.properties, {
    patient_refund_id: { type: "string", format: "uuid", readOnly: true },
    refund_timestamp: { type: "string", format: "date-time", nullable: true },
  });
  create.required.push("patient_refund_id");
  Object.assign(variant.components.parameters, {
    Since: { name: "since", in: "query", schema: { type: "string", format: "date" } },
  });
  variant.paths[patientRefunds]?.get?.parameters.push({ $ref: "#/components/parameters/Since" });

  let at: string;
  let validate: typeof validateRequest;
  let dir: string;
  beforeAll(async () => {
    at = await startValidator(variant);
    // The generator's output for the variant, beside copies of the modules that use it.
    dir = mkdtempSync(join(tmpdir(), "refunds-validators-"));
    const files = (await script("generate.js")).runtimeFiles(JSON.stringify(variant), join(dir, "generated"));
    for (const [path, content] of Object.entries(files as Record<string, string>)) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
    }
    for (const file of ["request-shape.ts", "validators.ts"]) {
      copyFileSync(fileURLToPath(new URL(`../src/${file}`, import.meta.url)), join(dir, file));
    }
    ({ validateRequest: validate } = await import(/* @vite-ignore */ pathToFileURL(join(dir, "validators.ts")).href));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // In this order: the validator's readOnly keyword keeps the errors of its last failing call, which a null value
  // (which it refuses without errors of its own) then reports. The first null it sees gets Ajv's default error.
  const variantCases: Case[] = [
    {
      what: "a read-only field sent null",
      op: "createPatientRefund",
      path: patientRefunds,
      body: refund({ patient_refund_id: null }),
    },
    {
      what: "a read-only field sent",
      op: "createPatientRefund",
      path: patientRefunds,
      body: refund({ patient_refund_id: id }),
    },
    { what: "a required read-only field left out", op: "createPatientRefund", path: patientRefunds, body: refund() },
    {
      what: "a nullable date-time sent null",
      op: "createPatientRefund",
      path: patientRefunds,
      body: refund({ refund_timestamp: null }),
    },
    {
      what: "a nullable date-time sent a number",
      op: "createPatientRefund",
      path: patientRefunds,
      body: refund({ refund_timestamp: 5 }),
    },
    { what: "a date query parameter", op: "listPatientRefunds", path: patientRefunds, query: "since=2024-02-30" },
    { what: "a valid date query parameter", op: "listPatientRefunds", path: patientRefunds, query: "since=2024-02-28" },
    {
      what: "a date query parameter, repeated",
      op: "listPatientRefunds",
      path: patientRefunds,
      query: "since=2024-02-28&since=x",
    },
  ];

  it.each(variantCases)("$op: $what", async (c) => {
    const expected = await throughServer(c, at);
    expect(JSON.parse(JSON.stringify(throughContract(c, validate)))).toEqual(expected);
  });
});

describe("requestValidators", () => {
  it("validate the request data as the validator's Ajv does, errors of the parameters first", () => {
    const validate = requestValidators.updatePatientRefund;
    const data = { query: {}, headers: {}, params: { patient_refund_id: "x" }, body: { refund_note: 1 } };
    expect(validate(data)).toBe(false);
    expect(validate.errors?.map((e) => [e.instancePath, e.keyword])).toEqual([
      ["/params/patient_refund_id", "format"],
      ["/body/refund_note", "type"],
    ]);
    expect(validate({ query: {}, headers: {}, params: { patient_refund_id: id }, body: {} })).toBe(true);
    expect(validate.errors).toBeNull();
  });

  it("take the media type whose schema applies", () => {
    const data = { query: {}, headers: {}, params: {}, body: { client_id: "a", client_secret: "b", grant_type: "x" } };
    expect(requestValidators.getToken(data, json)).toBe(false);
    expect(requestValidators.getToken.errors?.[0]?.keyword).toBe("additionalProperties");
    expect(requestValidators.getToken(data, form)).toBe(false);
    expect(requestValidators.getToken.errors?.[0]?.keyword).toBe("const");
  });
});

describe("responses: the contract's validators agree with the server's response check", () => {
  const refundRow = {
    patient_refund_id: id,
    organization_id: id,
    refund_source: "STRIPE",
    amount_cents: 100,
    patient_external_id: "PAT-1",
    allocations: [{ allocation_id: id, amount_cents: 100, target: { type: "unattributed" } }],
  };
  const payerRow = {
    non_insurance_payer_refund_id: id,
    non_insurance_payer: { non_insurance_payer_id: payer, name: "P", enabled: true, clinical_trials: [] },
    amount_cents: 1,
    allocations: [],
  };
  const responses: { what: string; op: OperationId; status: number; body: unknown }[] = [
    { what: "a refund", op: "getPatientRefund", status: 200, body: refundRow },
    {
      what: "a refund without its id",
      op: "getPatientRefund",
      status: 200,
      body: { ...refundRow, patient_refund_id: undefined },
    },
    { what: "a page", op: "listPatientRefunds", status: 200, body: { items: [refundRow], next_page_token: "n" } },
    {
      what: "a page with a bad row",
      op: "listPatientRefunds",
      status: 200,
      body: { items: [refundRow, { ...refundRow, amount_cents: -1 }] },
    },
    {
      what: "a bad target tag",
      op: "createPatientRefund",
      status: 200,
      body: { ...refundRow, allocations: [{ amount_cents: 1, target: { type: "x" } }] },
    },
    {
      what: "a token",
      op: "getToken",
      status: 200,
      body: { access_token: "t", expires_in: 3600, token_type: "Bearer" },
    },
    {
      what: "a token with a bad expiry",
      op: "getToken",
      status: 200,
      body: { access_token: "t", expires_in: -1, token_type: "B" },
    },
    {
      what: "a 404",
      op: "getPatientRefund",
      status: 404,
      body: { errorName: "EntityNotFoundError", content: { id: "x" } },
    },
    {
      what: "a 404 of another name",
      op: "getPatientRefund",
      status: 404,
      body: { errorName: "Nope", content: { id: "x" } },
    },
    {
      what: "an overdraft",
      op: "createPatientRefund",
      status: 422,
      body: { errorName: "ReallocationWouldOverdraftError", content: { messages: ["m"] } },
    },
    { what: "a 422 of no known name", op: "createPatientRefund", status: 422, body: { errorName: "X", content: {} } },
    { what: "a payer refund", op: "getNonInsurancePayerRefund", status: 200, body: payerRow },
    {
      what: "a payer id too long, counted in code points",
      op: "getNonInsurancePayerRefund",
      status: 200,
      body: { ...payerRow, non_insurance_payer: { ...payerRow.non_insurance_payer, payer_id: "😀".repeat(81) } },
    },
    {
      what: "a payer id of 80 astral characters",
      op: "getNonInsurancePayerRefund",
      status: 200,
      body: { ...payerRow, non_insurance_payer: { ...payerRow.non_insurance_payer, payer_id: "😀".repeat(80) } },
    },
  ];

  it.each(responses)("$op $status: $what", ({ op, status, body }) => {
    const checker = new internal.ResponseChecker(loadSpec());
    const copy = JSON.parse(JSON.stringify(body));
    let expected: string | null = null;
    try {
      checker.check(op, status, copy);
    } catch (error) {
      expected = (error as Error).message.replace(/^.*breaks the spec: /, "");
    }
    const errors = validateResponse(op, status, JSON.parse(JSON.stringify(body)));
    expect(errors?.map((e) => `${e.instancePath} ${e.message}`.trim()).join("; ") ?? null).toEqual(expected);
  });

  it("refuses a status the operation does not declare, and a body where it declares none", () => {
    expect(validateResponse("getPatientRefund", 418, {})?.[0]?.keyword).toBe("status");
    expect(validateResponse("deletePatientRefund", 200, undefined)).toBeNull();
    expect(validateResponse("deletePatientRefund", 200, {})?.[0]?.keyword).toBe("body");
  });
});

describe("the generated runtime", () => {
  const ajv = new Ajv2020({ strict: false });
  addFormats(ajv, { mode: "full" });
  const strings = [
    "2024-01-15",
    "2024-02-29",
    "2023-02-29",
    "2024-13-01",
    "2024-00-10",
    "2024-04-31",
    "24-01-15",
    "2024-1-15",
    "2024-01-15T09:30:00Z",
    "2024-01-15t09:30:00.123z",
    "2024-01-15 09:30:00+01:00",
    "2024-01-15T09:30:00",
    "2024-01-15T24:00:00Z",
    "2024-01-15T23:59:60Z",
    "2024-01-15T22:59:60-01:00",
    "2024-01-15T23:59:60+01:00",
    "2024-01-15T09:30:00+2400",
    "2024-01-15T09:30:00+0130",
    "2024-01-15T09:60:00Z",
    "2024-01-15TT09:30:00Z",
    "",
    "x",
  ];
  it.each(["date", "date-time"] as const)("%s is ajv-formats' full-mode format", (format) => {
    const check = ajv.compile({ type: "string", format });
    for (const s of strings) expect([s, fullFormats[format].validate(s)]).toEqual([s, check(s)]);
  });

  it("counts code points as Ajv does", () => {
    const check = ajv.compile({ type: "string", maxLength: 2 });
    for (const s of ["", "ab", "abc", "😀😀", "😀😀😀", "a😀", "\ud800", "\ud800\ud800", "\udc00a"]) {
      expect([s, ucs2length(s) <= 2]).toEqual([s, check(s)]);
    }
  });

  it("parses queries as Node's querystring does", () => {
    const queries = [
      "",
      "a=1",
      "a=1&a=2&a=3",
      "a",
      "a=",
      "=1",
      "=",
      "&",
      "&&a=1&&",
      "a=1=2",
      "a+b=c+d",
      "a=%20%2B+",
      "%61=%62",
      "a=%zz",
      "a=%E2%9C",
      "a=%E2%9C%93",
      "é=%zz%E9",
      "a=%4+1é",
      "a=%",
      "a=%4",
      "__proto__=1&constructor=2",
      "b=1&2=x&1=y",
      "a[b]=1&a[]=2",
    ];
    for (const q of queries) {
      expect([q, { ...parseQuery(q) }]).toEqual([q, { ...querystring.parse(q, "&", "=", { maxKeys: 0 }) }]);
      expect(Object.keys(parseQuery(q))).toEqual(Object.keys(querystring.parse(q, "&", "=", { maxKeys: 0 })));
    }
  });
});

describe("the generated files", () => {
  const generated = fileURLToPath(new URL("../src/generated/", import.meta.url));

  it("are what `pnpm generate` writes from the bundled spec (else run it)", async () => {
    const files = (await script("generate.js")).runtimeFiles(readFileSync(specJsonPath, "utf8")) as Record<
      string,
      string
    >;
    for (const [path, content] of Object.entries(files)) {
      expect([relative(generated, path), readFileSync(path, "utf8") === content]).toEqual([
        relative(generated, path),
        true,
      ]);
    }
    expect(
      Object.keys(files)
        .map((p) => relative(generated, p))
        .sort(),
    ).toEqual([
      "document.ts",
      "validators.ts",
      "validators/request-bodies.ts",
      "validators/request-parameters.ts",
      "validators/responses.ts",
      "validators/runtime.ts",
    ]);
  });

  it("start with the do-not-edit header", () => {
    for (const file of [
      "document.ts",
      "validators.ts",
      ...readdirSync(join(generated, "validators")).map((f) => `validators/${f}`),
    ]) {
      expect(readFileSync(join(generated, file), "utf8").split("\n")[0]).toMatch(
        /^\/\/ Generated by `pnpm generate`.*Do not edit/,
      );
    }
  });

  it("hold the spec without its prose, and every operation of it", () => {
    // Prose keys anywhere but as the name of a property (NonInsurancePayer has a `description`).
    const prose: string[] = [];
    const walk = (node: unknown, path: string[]) => {
      if (!node || typeof node !== "object") return;
      for (const [key, value] of Object.entries(node)) {
        const names = path.at(-1) === "properties";
        if (!names && ["description", "summary", "example", "examples", "tags", "externalDocs"].includes(key)) {
          prose.push([...path, key].join("/"));
        }
        walk(value, [...path, key]);
      }
    };
    walk(document, []);
    expect(prose).toEqual([]);
    const payerSchema = document.components.schemas?.NonInsurancePayer as { properties: object } | undefined;
    expect(payerSchema?.properties).toHaveProperty("description");
    const spec = loadSpec() as { paths: Record<string, Record<string, { operationId?: string }>> };
    const ids = Object.values(spec.paths).flatMap((item) => Object.values(item).flatMap((op) => op.operationId ?? []));
    expect(Object.keys(operationTable)).toEqual(ids);
    // The server's copy of the spec, built from the full one, is the generator's built from the stripped one.
    const served = (doc: object) => JSON.parse(JSON.stringify(internal.validatorSpec(doc)));
    return script("eov-schemas.js").then(({ validatorSpec }) => {
      expect(validatorSpec(document)).toEqual(served(document));
    });
  });
});

describe("the modules that run the rules", () => {
  const src = fileURLToPath(new URL("../src/", import.meta.url));
  const entries = [join(src, "validators.ts"), join(src, "generated/document.ts")];
  const specifiers = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)["']([^"'\s]+)["']/g;
  // What they may import from outside this package: nothing. (Were Ajv's runtime helpers imported, they would be
  // listed here: https://ajv.js.org/standalone.html names `ajv/dist/runtime/*` as what standalone code requires.)
  const allowed = new Set<string>();

  /** Every module `entry` loads, following relative imports, with the specifiers that leave the package. */
  function graph(entry: string, seen = new Map<string, string[]>()): Map<string, string[]> {
    if (seen.has(entry)) return seen;
    const text = readFileSync(entry, "utf8");
    const external: string[] = [];
    seen.set(entry, external);
    for (const [, specifier = ""] of text.matchAll(specifiers)) {
      if (specifier.startsWith(".")) graph(join(dirname(entry), specifier.replace(/\.js$/, ".ts")), seen);
      else external.push(specifier);
    }
    return seen;
  }

  it("import no Node built-in and nothing outside the allow-list", () => {
    const modules = new Map<string, string[]>();
    for (const entry of entries) graph(entry, modules);
    expect([...modules.keys()].map((m) => relative(src, m)).sort()).toEqual([
      "generated/document.ts",
      "generated/schema.ts",
      "generated/validators.ts",
      "generated/validators/request-bodies.ts",
      "generated/validators/request-parameters.ts",
      "generated/validators/responses.ts",
      "generated/validators/runtime.ts",
      "request-shape.ts",
      "validators.ts",
    ]);
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    for (const [module, external] of modules) {
      expect([relative(src, module), external.filter((s) => builtins.has(s) || !allowed.has(s))]).toEqual([
        relative(src, module),
        [],
      ]);
      const text = readFileSync(module, "utf8");
      expect([relative(src, module), /\b(require\(|process\.|Buffer\b|__dirname)/.test(text)]).toEqual([
        relative(src, module),
        false,
      ]);
    }
  });
});
