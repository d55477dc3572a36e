import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkSpec, currentSpecPath, describeChange, releasedSpecPath, type SpecChange } from "../scripts/spec-diff.js";

type Spec = {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, Record<string, unknown>>; parameters: Record<string, Record<string, unknown>> };
};

const script = fileURLToPath(new URL("../scripts/spec-diff.js", import.meta.url));
const released = (): Spec => JSON.parse(readFileSync(releasedSpecPath, "utf8"));
const tmp = mkdtempSync(join(tmpdir(), "refunds-spec-diff-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes the released spec changed by `mutate` to a temp file and returns its path. */
function mutated(name: string, mutate: (spec: Spec) => void): string {
  const spec = released();
  mutate(spec);
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
}

type Schema = {
  properties: Record<string, Record<string, unknown>>;
  required: string[];
  enum: string[];
  oneOf: unknown[];
};

function schema(spec: Spec, name: string): Schema {
  const found = spec.components.schemas[name];
  if (!found) throw new Error(`no schema ${name} in the released spec`);
  return found as unknown as Schema;
}

function operation(spec: Spec, path: string, method: string): { responses: Record<string, unknown> } {
  const found = spec.paths[path]?.[method];
  if (!found) throw new Error(`no operation ${method} ${path} in the released spec`);
  return found as { responses: Record<string, unknown> };
}

function field(spec: Spec, name: string, property: string): Record<string, unknown> {
  const found = schema(spec, name).properties[property];
  if (!found) throw new Error(`no property ${name}.${property} in the released spec`);
  return found;
}

describe("describeChange", () => {
  const doc = {
    paths: {
      "/api/x/v1": {
        get: { parameters: [{ $ref: "#/components/parameters/Sources" }, { name: "limit", in: "query" }] },
      },
    },
    components: { parameters: { Sources: { name: "sources", in: "query" } } },
  };
  const cases: { name: string; given: SpecChange; want: { line: string; breaking: boolean; details?: string[] } }[] = [
    {
      name: "a removed response field inside an array",
      given: {
        path: "#/paths/~1api~1x~1v1/get/responses/200/content/application~1json/schema/properties/items/items/properties/refund_note",
        kind: "removed",
        impact: "major",
        verdicts: [{ ruleId: "property-removed", impact: "major", message: "Property `refund_note` was removed." }],
      },
      want: {
        line: "GET /api/x/v1 200: response field items[].refund_note removed",
        breaking: true,
        details: ["Property `refund_note` was removed. (property-removed)"],
      },
    },
    {
      name: "a removed operation",
      given: { path: "#/paths/~1api~1x~1v1/post", kind: "removed", impact: "major" },
      want: { line: "POST /api/x/v1: operation removed", breaking: true },
    },
    {
      name: "a removed path",
      given: { path: "#/paths/~1api~1x~1v1", kind: "removed", impact: "major" },
      want: { line: "/api/x/v1: path removed", breaking: true },
    },
    {
      name: "a removed response status",
      given: { path: "#/paths/~1api~1x~1v1/get/responses/422", kind: "removed", impact: "major" },
      want: { line: "GET /api/x/v1 422: response removed", breaking: true },
    },
    {
      name: "a removed media type",
      given: {
        path: "#/paths/~1api~1x~1v1/get/responses/200/content/application~1json",
        kind: "removed",
        impact: "major",
      },
      want: { line: "GET /api/x/v1 200: response media type application/json removed", breaking: true },
    },
    {
      name: "a changed keyword of the whole request body, with its values",
      given: {
        path: "#/paths/~1api~1x~1v1/get/requestBody/content/application~1json/schema",
        kind: "modified",
        impact: "major",
        property: "required",
        base: { pointer: "", value: ["a"] },
        revision: { pointer: "", value: ["a", "b"] },
      },
      want: { line: 'GET /api/x/v1: request body changed (required: ["a"] -> ["a","b"])', breaking: true },
    },
    {
      name: "a keyword that was dropped",
      given: {
        path: "#/paths/~1api~1x~1v1/get/requestBody/content/application~1json/schema/properties/name",
        kind: "modified",
        impact: "patch",
        property: "minLength",
        base: { pointer: "", value: 1 },
        revision: { pointer: "" },
      },
      want: { line: "GET /api/x/v1: request field name changed (minLength: 1 -> absent)", breaking: false },
    },
    {
      name: "a parameter given by index is named through its $ref",
      given: { path: "#/paths/~1api~1x~1v1/get/parameters/0/schema/items", kind: "modified", impact: "major" },
      want: { line: "GET /api/x/v1: query parameter sources[] changed", breaking: true },
    },
    {
      name: "an inline parameter",
      given: { path: "#/paths/~1api~1x~1v1/get/parameters/1", kind: "added", impact: "minor" },
      want: { line: "GET /api/x/v1: query parameter limit added", breaking: false },
    },
    {
      name: "a union branch and a discriminator mapping stay visible",
      given: {
        path: "#/paths/~1api~1x~1v1/get/responses/200/content/application~1json/schema/properties/target/oneOf/2/discriminator/mapping/set/properties/type",
        kind: "modified",
        impact: "major",
      },
      want: { line: "GET /api/x/v1 200: response field target.oneOf[2](set).type changed", breaking: true },
    },
    {
      name: "a change outside the paths",
      given: { path: "#/servers/0", kind: "removed", impact: "major" },
      want: { line: "servers.0 removed", breaking: true },
    },
  ];

  it.each(cases)("$name", ({ given, want }) => {
    const got = describeChange(given, { base: doc, revision: doc });
    expect({ line: got.line, breaking: got.breaking }).toEqual({ line: want.line, breaking: want.breaking });
    expect(got.details).toEqual(want.details ?? []);
  });
});

// Each case mutates the released spec and runs `redocly diff` on it: the table is the gate's contract.
describe.concurrent("the gate on mutations of the released spec", () => {
  const cases: { name: string; mutate: (spec: Spec) => void; breaking: boolean; line: string }[] = [
    {
      name: "a response field removed",
      mutate: (s) => delete schema(s, "PatientRefund").properties.refund_note,
      breaking: true,
      line: "BREAKING  GET /api/patient-refunds/v1 200: response field items[].refund_note removed",
    },
    {
      name: "an enum value removed from a response",
      mutate: (s) => schema(s, "RefundReason").enum.pop(),
      breaking: true,
      line: "BREAKING  GET /api/patient-refunds/v1 200: response field items[].refund_reason changed (enum",
    },
    {
      name: "an enum value removed from a request parameter",
      mutate: (s) => schema(s, "PatientTransactionSource").enum.pop(),
      breaking: true,
      line: "BREAKING  GET /api/patient-refunds/v1: query parameter sources[] changed (enum",
    },
    {
      name: "a response type changed",
      mutate: (s) => {
        field(s, "TokenResponse", "expires_in").type = "string";
      },
      breaking: true,
      line: 'BREAKING  POST /api/auth/v2/token 200: response field expires_in changed (type: "integer" -> "string")',
    },
    {
      name: "a response format changed",
      mutate: (s) => {
        field(s, "PatientRefund", "patient_refund_id").format = "uri";
      },
      breaking: true,
      line: "BREAKING  GET /api/patient-refunds/v1 200: response field items[].patient_refund_id changed (format",
    },
    {
      name: "a response field no longer required",
      mutate: (s) => {
        schema(s, "PatientRefund").required = schema(s, "PatientRefund").required.filter(
          (f: string) => f !== "amount_cents",
        );
      },
      breaking: true,
      line: "BREAKING  GET /api/patient-refunds/v1 200: response field items[] changed (required",
    },
    {
      name: "a request field newly required",
      mutate: (s) => schema(s, "PatientRefundCreate").required.push("refund_note"),
      breaking: true,
      line: "BREAKING  POST /api/patient-refunds/v1: request body changed (required",
    },
    {
      name: "a parameter newly required",
      mutate: (s) => {
        Object.assign(s.components.parameters.PageToken ?? {}, { required: true });
      },
      breaking: true,
      line: "BREAKING  GET /api/patient-refunds/v1: query parameter page_token changed (required",
    },
    {
      name: "a request string narrowed",
      mutate: (s) => {
        field(s, "TokenRequest", "client_id").maxLength = 5;
      },
      breaking: true,
      line: "BREAKING  POST /api/auth/v2/token: request field client_id changed (maxLength",
    },
    {
      name: "a response status removed",
      mutate: (s) => delete operation(s, "/api/patient-refunds/v1", "get").responses["422"],
      breaking: true,
      line: "BREAKING  GET /api/patient-refunds/v1 422: response removed",
    },
    {
      name: "an operation removed",
      mutate: (s) => delete s.paths["/api/patient-refunds/v1"]?.post,
      breaking: true,
      line: "BREAKING  POST /api/patient-refunds/v1: operation removed",
    },
    {
      name: "a variant removed from a discriminated request union",
      mutate: (s) => schema(s, "AllocationTargetCreate").oneOf.pop(),
      breaking: true,
      line: "BREAKING  POST /api/patient-refunds/v1: request field allocations[].target.oneOf[5] removed",
    },
    {
      name: "an optional response field added",
      mutate: (s) => {
        schema(s, "PatientRefund").properties.extra = { type: "string", description: "New." };
      },
      breaking: false,
      line: "MINOR     GET /api/patient-refunds/v1 200: response field items[].extra added",
    },
    {
      name: "a request constraint relaxed",
      mutate: (s) => delete field(s, "TokenRequest", "client_id").minLength,
      breaking: false,
      line: "PATCH     POST /api/auth/v2/token: request field client_id changed (minLength: 1 -> absent)",
    },
  ];

  it.each(cases)("$name", async ({ name, mutate, breaking, line }) => {
    const got = await checkSpec(releasedSpecPath, mutated(name.replaceAll(" ", "-"), mutate));
    expect(got.report).toContain(`${line}`);
    expect(got.breaking, got.report).toBe(breaking);
  });
});

describe("pnpm spec:diff", () => {
  const run = async (args: string[]) => {
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [script, ...args]);
      return { code: 0, out: stdout };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  };

  it("passes on the current spec against the released snapshot", async () => {
    const { code, out } = await run([]);
    expect(out).toMatch(/^0 breaking, \d+ minor, \d+ patch \(openapi\/released\/openapi\.json -> /m);
    expect(code, out).toBe(0);
  });

  it("fails with a readable message when a response field is removed", async () => {
    const file = mutated("cli-removed-field", (s) => delete schema(s, "PatientRefund").properties.refund_note);
    const { code, out } = await run(["--revision", file]);
    expect(out).toContain("BREAKING  GET /api/patient-refunds/v1 200: response field items[].refund_note removed\n");
    expect(out).toContain("Property `refund_note` of `PatientRefund` was removed. (property-removed)");
    expect(out).toMatch(/^1 breaking, 0 minor, 0 patch/m);
    expect(code, out).toBe(1);
  });

  it("reports a file it cannot read instead of passing", async () => {
    const { code, out } = await run(["--revision", join(tmp, "missing.json")]);
    expect(out).toMatch(/spec:diff: redocly diff could not compare/);
    expect(code).toBe(2);
  });
});

describe("the released snapshot", () => {
  it("has the same document in JSON and YAML", () => {
    const yaml = parse(readFileSync(releasedSpecPath.replace(/\.json$/, ".yaml"), "utf8"));
    expect(yaml).toEqual(released());
  });

  it("is an OpenAPI 3.1 document of the same API as the bundle", () => {
    const current = JSON.parse(readFileSync(currentSpecPath, "utf8"));
    expect(released()).toMatchObject({ openapi: current.openapi, info: { title: current.info.title } });
  });
});
