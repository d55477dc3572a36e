import { describe, expect, it } from "vitest";
import { bundledSpec, httpMethods } from "../support/spec.js";

const spec = bundledSpec();
const patient = "/api/patient-refunds/v1";
const payer = "/api/non-insurance-payer-refunds/v1";

// The reference's operation table: path, method, operationId, success status, and the errors it declares.
const want = [
  {
    path: "/api/auth/v2/token",
    method: "post",
    id: "getToken",
    errors: ["UnauthorizedError", "UnprocessableEntityError"],
  },
  { path: patient, method: "get", id: "listPatientRefunds", errors: ["UnauthorizedError", "UnprocessableEntityError"] },
  {
    path: `${patient}/{patient_refund_id}`,
    method: "get",
    id: "getPatientRefund",
    errors: ["EntityNotFoundError", "UnauthorizedError"],
  },
  {
    path: patient,
    method: "post",
    id: "createPatientRefund",
    errors: ["EntityNotFoundError", "UnauthorizedError", "UnprocessableEntityError", "ReallocationWouldOverdraftError"],
  },
  {
    path: `${patient}/{patient_refund_id}`,
    method: "patch",
    id: "updatePatientRefund",
    errors: ["EntityNotFoundError", "UnauthorizedError", "UnprocessableEntityError"],
  },
  {
    path: `${patient}/{patient_refund_id}`,
    method: "delete",
    id: "deletePatientRefund",
    errors: ["EntityNotFoundError", "UnauthorizedError", "UnprocessableEntityError"],
  },
  { path: payer, method: "get", id: "listNonInsurancePayerRefunds", errors: ["UnprocessableEntityError"] },
  {
    path: `${payer}/{non_insurance_payer_refund_id}`,
    method: "get",
    id: "getNonInsurancePayerRefund",
    errors: ["EntityNotFoundError"],
  },
  {
    path: payer,
    method: "post",
    id: "createNonInsurancePayerRefund",
    errors: ["EntityNotFoundError", "UnprocessableEntityError"],
  },
  {
    path: `${payer}/{non_insurance_payer_refund_id}`,
    method: "patch",
    id: "updateNonInsurancePayerRefund",
    errors: ["EntityNotFoundError", "UnprocessableEntityError"],
  },
  {
    path: `${payer}/{non_insurance_payer_refund_id}`,
    method: "delete",
    id: "deleteNonInsurancePayerRefund",
    errors: ["EntityNotFoundError", "UnprocessableEntityError"],
  },
];

const statusOf: Record<string, string> = {
  UnauthorizedError: "403",
  EntityNotFoundError: "404",
  UnprocessableEntityError: "422",
  ReallocationWouldOverdraftError: "422",
};

type Operation = {
  operationId: string;
  tags?: string[];
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, Response>;
};

function operations() {
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    httpMethods.filter((m) => m in item).map((method) => ({ path, method, op: item[method] as Operation })),
  );
}

type Response = { $ref?: string; content?: Record<string, { schema: Record<string, unknown> }> };

// Responses may be `$ref`s into components/responses.
function deref(response: Response): Response {
  return response.$ref ? (spec.components.responses[response.$ref.split("/").pop() as string] as Response) : response;
}

// The error names a response can carry, read from its schema (one error, or a oneOf of errors).
function errorNames(schema: Record<string, unknown>): string[] {
  const resolve = (s: Record<string, unknown>) =>
    s.$ref ? (spec.components.schemas[String(s.$ref).split("/").pop() as string] as Record<string, unknown>) : s;
  const s = resolve(schema);
  if (Array.isArray(s.oneOf)) return s.oneOf.flatMap((branch) => errorNames(branch));
  const name = (s.properties as Record<string, { const?: string }> | undefined)?.errorName?.const;
  return name ? [name] : [];
}

describe("operations match the reference table", () => {
  it("has exactly the reference's paths, methods and operationIds", () => {
    const got = operations().map(({ path, method, op }) => `${method.toUpperCase()} ${path} ${op.operationId}`);
    expect(got.sort()).toEqual(want.map((w) => `${w.method.toUpperCase()} ${w.path} ${w.id}`).sort());
  });

  it.each(want)("$id declares exactly its errors", ({ path, method, errors }) => {
    const op = spec.paths[path]?.[method] as Operation;
    const declared = Object.entries(op.responses)
      .filter(([status]) => !status.startsWith("2"))
      .flatMap(([status, ref]) => {
        const response = deref(ref);
        const schema = response.content?.["application/json"]?.schema;
        return schema ? errorNames(schema).map((name) => `${status} ${name}`) : [`${status} (no body)`];
      });
    expect(declared.sort()).toEqual(errors.map((e) => `${statusOf[e]} ${e}`).sort());
  });

  it.each(want)("$id answers 200 with the right body", ({ path, method }) => {
    const op = spec.paths[path]?.[method] as Operation;
    const success = Object.keys(op.responses).filter((s) => s.startsWith("2"));
    expect(success).toEqual(["200"]);
    // Delete answers an empty 200; every other operation answers JSON.
    expect(op.responses["200"]?.content === undefined).toBe(method === "delete");
  });

  it.each(want)("$id has tags, summary, description and the right security", ({ path, method, id }) => {
    const op = spec.paths[path]?.[method] as Operation;
    expect(op.tags?.length).toBe(1);
    expect(op.summary).toBeTruthy();
    expect(op.description).toBeTruthy();
    expect(op.security).toEqual(id === "getToken" ? [] : [{ BearerAuth: [] }]);
  });
});

describe("conventions", () => {
  const params = (path: string, method: string) =>
    (((spec.paths[path]?.[method] ?? {}) as { parameters?: { $ref: string }[] }).parameters ?? []).map(
      (p) => spec.components.parameters[p.$ref.split("/").pop() as string] as Record<string, unknown>,
    );

  it.each([
    {
      path: patient,
      names: [
        "limit",
        "patient_external_id",
        "claim_id",
        "service_line_id",
        "billing_provider_id",
        "unattributed",
        "invoice_id",
        "sources",
        "sort",
        "sort_direction",
        "page_token",
      ],
    },
    {
      path: payer,
      names: ["limit", "non_insurance_payer_id", "check_number", "invoice_id", "sort", "sort_direction", "page_token"],
    },
  ])("list $path takes the reference's query parameters", ({ path, names }) => {
    expect(params(path, "get").map((p) => p.name)).toEqual(names);
  });

  it.each([
    { name: "Limit", want: { type: "integer", minimum: 1, maximum: 999, default: 100 } },
    { name: "Sources", want: { type: "array" }, style: "form", explode: true },
    { name: "CheckNumber", want: { type: "array" }, style: "form", explode: true },
    { name: "PatientRefundSort", want: { default: "refund_timestamp" } },
    { name: "NonInsurancePayerRefundSort", want: { default: "refund_timestamp" } },
    { name: "SortDirection", want: { default: "desc" } },
  ])(
    "parameter $name has the reference's bounds, defaults and array style",
    ({ name, want: schema, style, explode }) => {
      const p = spec.components.parameters[name] as {
        schema: Record<string, unknown>;
        style?: string;
        explode?: boolean;
      };
      expect(p.schema).toMatchObject(schema);
      if (style) expect({ style: p.style, explode: p.explode }).toEqual({ style, explode });
    },
  );

  it.each([
    {
      name: "PatientTransactionSource",
      values: [
        "MANUAL_ENTRY",
        "CHARGEBEE",
        "SQUARE",
        "STRIPE",
        "ELATION",
        "CEDAR",
        "HEALTHIE",
        "REALLOCATION",
        "PHREESIA",
        "INSTAMED",
        "SHERPA_HEALTH",
        "LOCKBOX",
      ],
    },
    { name: "RefundReason", values: ["OVERCHARGED", "ENTERED_IN_ERROR", "TRANSFER"] },
    { name: "SortDirection", values: ["asc", "desc"] },
    {
      name: "PatientRefundSortField",
      values: ["refund_source", "amount_cents", "refund_timestamp", "refund_reason", "refund_note"],
    },
    { name: "NonInsurancePayerRefundSortField", values: ["amount_cents", "refund_timestamp"] },
    { name: "ClinicalTrialPhase", values: ["Phase 1", "Phase 2", "Phase 3"] },
    { name: "AllocationRestrictionType", values: ["billing_provider_npi", "service_facility_id"] },
  ])("enum $name has exactly the reference's values", ({ name, values }) => {
    expect((spec.components.schemas[name] as { enum: string[] }).enum).toEqual(values);
  });

  it.each([
    {
      name: "AllocationTargetCreate",
      tags: [
        "service_line_by_id",
        "claim_by_id",
        "claim_by_encounter_external_id",
        "billing_provider_by_id",
        "appointment_by_id_and_patient_external_id",
        "unattributed",
      ],
    },
    { name: "AllocationTarget", tags: ["service_line", "claim", "billing_provider_id", "appointment", "unattributed"] },
    { name: "AllocationEarmarkType", tags: ["date_of_service", "external_encounter_id"] },
    { name: "NoteUpdate", tags: ["set", "remove"] },
    { name: "InvoiceUpdate", tags: ["set", "remove"] },
    { name: "RefundReasonUpdate", tags: ["set", "remove"] },
  ])("union $name is a oneOf tagged by `type`, its mapping matching each branch's tag", ({ name, tags }) => {
    const union = spec.components.schemas[name] as {
      oneOf: { $ref: string }[];
      discriminator: { propertyName: string; mapping: Record<string, string> };
    };
    expect(union.discriminator.propertyName).toBe("type");
    expect(Object.keys(union.discriminator.mapping)).toEqual(tags);
    for (const [tag, ref] of Object.entries(union.discriminator.mapping)) {
      const branch = spec.components.schemas[ref.split("/").pop() as string] as {
        properties: { type: { const: string } };
        required: string[];
      };
      expect(branch.properties.type.const).toBe(tag);
      expect(branch.required).toContain("type");
    }
    expect(union.oneOf.map((b) => b.$ref).sort()).toEqual(Object.values(union.discriminator.mapping).sort());
  });
});
