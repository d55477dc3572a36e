// The spec review's accuracy corpus: each case changes the released spec in memory the way an author would and
// lists every entry the review must give for it: verdict, rule, location, direction and the operations reached.
// The review must give exactly those entries, no more (a union variant is one entry, not three) and no fewer.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { reviewDocuments } from "../scripts/review.js";
import { releasedSpecPath } from "../scripts/spec-review.js";

// biome-ignore lint/suspicious/noExplicitAny: the cases reach into the document freely
type Doc = any;
type Want = { verdict: string; rule: string; where: string; direction: string; operations: string[]; message?: RegExp };
type Case = { name: string; base?: (s: Doc) => void; change: (s: Doc) => void; now?: string; want: Want[] };

const released: Doc = JSON.parse(readFileSync(releasedSpecPath, "utf8"));
const schemas = (s: Doc) => s.components.schemas;
const schema = (name: string) => `#/components/schemas/${name}`;
const field = (name: string, property: string) => `${schema(name)}/properties/${property}`;

// The operations that answer with a patient refund, and with any refund (its allocations, amounts and reasons).
const patientReads = ["createPatientRefund", "getPatientRefund", "listPatientRefunds", "updatePatientRefund"];
const payerReads = [
  "createNonInsurancePayerRefund",
  "getNonInsurancePayerRefund",
  "listNonInsurancePayerRefunds",
  "updateNonInsurancePayerRefund",
];
const allReads = [...patientReads, ...payerReads];
const creates = ["createNonInsurancePayerRefund", "createPatientRefund"];
const lists = ["listNonInsurancePayerRefunds", "listPatientRefunds"];

const b = "breaking";
const n = "non-breaking";
const d = "docs-only";
const want = (
  verdict: string,
  rule: string,
  where: string,
  direction: string,
  operations: string[],
  message?: RegExp,
): Want => ({ verdict, rule, where, direction, operations, ...(message ? { message } : {}) });

const paypalVariant = (s: Doc, union: string, variant: string, tag: string) => {
  schemas(s)[variant] = {
    type: "object",
    description: "Paid back through PayPal.",
    required: ["type"],
    properties: { type: { type: "string", const: tag, description: "The variant." } },
  };
  schemas(s)[union].oneOf.push({ $ref: schema(variant) });
  schemas(s)[union].discriminator.mapping[tag] = schema(variant);
};

const cases: Case[] = [
  // Fields of responses.
  {
    name: "an optional response field removed from a shared schema",
    change: (s) => delete schemas(s).PatientRefund.properties.refund_note,
    want: [
      want(
        b,
        "property-removed",
        field("PatientRefund", "refund_note"),
        "response",
        patientReads,
        /not deprecated first/,
      ),
    ],
  },
  {
    name: "a required response field removed",
    change: (s) => {
      delete schemas(s).TokenResponse.properties.token_type;
      schemas(s).TokenResponse.required = ["access_token", "expires_in"];
    },
    want: [want(b, "property-removed", field("TokenResponse", "token_type"), "response", ["getToken"])],
  },
  {
    name: "an optional response field added",
    change: (s) => {
      schemas(s).PatientRefund.properties.external_reference = { type: "string", description: "New." };
    },
    want: [want(n, "property-added", field("PatientRefund", "external_reference"), "response", patientReads)],
  },
  {
    name: "a required response field added",
    change: (s) => {
      schemas(s).TokenResponse.properties.scope = { type: "string", description: "New." };
      schemas(s).TokenResponse.required.push("scope");
    },
    want: [want(n, "required-property-added", field("TokenResponse", "scope"), "response", ["getToken"])],
  },
  {
    name: "a response field no longer required",
    change: (s) => {
      schemas(s).PatientRefund.required = schemas(s).PatientRefund.required.filter((f: string) => f !== "amount_cents");
    },
    want: [want(b, "property-became-optional", field("PatientRefund", "amount_cents"), "response", patientReads)],
  },
  {
    name: "a response field newly required",
    change: (s) => schemas(s).PatientRefund.required.push("refund_note"),
    want: [want(n, "property-became-required", field("PatientRefund", "refund_note"), "response", patientReads)],
  },
  // Fields of requests.
  {
    name: "an optional request field added",
    change: (s) => {
      schemas(s).PatientRefundCreate.properties.external_reference = { type: "string", description: "New." };
    },
    want: [
      want(n, "property-added", field("PatientRefundCreate", "external_reference"), "request", ["createPatientRefund"]),
    ],
  },
  {
    name: "a required request field added",
    change: (s) => {
      schemas(s).PatientRefundCreate.properties.external_reference = { type: "string", description: "New." };
      schemas(s).PatientRefundCreate.required.push("external_reference");
    },
    want: [
      want(b, "required-property-added", field("PatientRefundCreate", "external_reference"), "request", [
        "createPatientRefund",
      ]),
    ],
  },
  {
    name: "a request field removed",
    change: (s) => delete schemas(s).PatientRefundCreate.properties.refund_note,
    want: [
      want(b, "property-removed", field("PatientRefundCreate", "refund_note"), "request", ["createPatientRefund"]),
    ],
  },
  {
    name: "a request field newly required",
    change: (s) => schemas(s).PatientRefundCreate.required.push("refund_note"),
    want: [
      want(b, "property-became-required", field("PatientRefundCreate", "refund_note"), "request", [
        "createPatientRefund",
      ]),
    ],
  },
  {
    name: "a request field no longer required",
    change: (s) => {
      schemas(s).PatientRefundCreate.required = ["amount_cents", "allocations"];
    },
    want: [
      want(n, "property-became-optional", field("PatientRefundCreate", "patient_external_id"), "request", [
        "createPatientRefund",
      ]),
    ],
  },
  // Enums: one value, two verdicts, by the direction each operation uses the schema in.
  {
    name: "an enum value added to a schema used in requests and responses",
    change: (s) => schemas(s).PatientTransactionSource.enum.push("PAYPAL"),
    want: [
      want(b, "enum-value-added", schema("PatientTransactionSource"), "response", patientReads, /"PAYPAL" added/),
      want(n, "enum-value-added", schema("PatientTransactionSource"), "request", ["listPatientRefunds"]),
    ],
  },
  {
    name: "an enum value removed from a schema used in requests and responses",
    change: (s) => schemas(s).RefundReason.enum.pop(),
    want: [
      want(b, "enum-value-removed", schema("RefundReason"), "request", [
        "createNonInsurancePayerRefund",
        "createPatientRefund",
        "updateNonInsurancePayerRefund",
        "updatePatientRefund",
      ]),
      want(n, "enum-value-removed", schema("RefundReason"), "response", allReads),
    ],
  },
  {
    name: "an enum value added to a request-only enum",
    change: (s) => schemas(s).PatientRefundSortField.enum.push("patient_external_id"),
    want: [want(n, "enum-value-added", schema("PatientRefundSortField"), "request", ["listPatientRefunds"])],
  },
  {
    name: "an enum value removed from a request-only enum",
    change: (s) => schemas(s).PatientRefundSortField.enum.pop(),
    want: [want(b, "enum-value-removed", schema("PatientRefundSortField"), "request", ["listPatientRefunds"])],
  },
  // Unions: a variant is one entry, its discriminator mapping included.
  {
    name: "a union variant added to a response",
    change: (s) => paypalVariant(s, "AllocationTarget", "AllocationTargetPaypal", "paypal"),
    want: [want(b, "union-variant-added", schema("AllocationTarget"), "response", allReads, /AllocationTargetPaypal/)],
  },
  {
    name: "a union variant added to a request",
    change: (s) => paypalVariant(s, "AllocationTargetCreate", "AllocationTargetCreatePaypal", "paypal"),
    want: [want(n, "union-variant-added", schema("AllocationTargetCreate"), "request", creates)],
  },
  {
    name: "a union variant removed from a request",
    change: (s) => {
      schemas(s).AllocationTargetCreate.oneOf.pop();
      delete schemas(s).AllocationTargetCreate.discriminator.mapping.unattributed;
    },
    want: [want(b, "union-variant-removed", schema("AllocationTargetCreate"), "request", creates)],
  },
  {
    name: "a union variant removed from a response",
    change: (s) => {
      schemas(s).AllocationTarget.oneOf.pop();
      delete schemas(s).AllocationTarget.discriminator.mapping.unattributed;
    },
    want: [want(n, "union-variant-removed", schema("AllocationTarget"), "response", allReads)],
  },
  // Types, formats and patterns.
  {
    name: "a response type changed to an unrelated one",
    change: (s) => {
      schemas(s).TokenResponse.properties.expires_in.type = "string";
    },
    want: [
      want(b, "type-changed", field("TokenResponse", "expires_in"), "response", ["getToken"], /integer -> string$/),
    ],
  },
  {
    name: "a response type widened (integer to number)",
    change: (s) => {
      schemas(s).TokenResponse.properties.expires_in.type = "number";
    },
    want: [want(b, "type-widened", field("TokenResponse", "expires_in"), "response", ["getToken"])],
  },
  {
    name: "a request type widened (nullable)",
    change: (s) => {
      schemas(s).TokenRequest.properties.client_id.type = ["string", "null"];
    },
    want: [want(n, "type-widened", field("TokenRequest", "client_id"), "request", ["getToken"])],
  },
  {
    name: "a response format changed",
    change: (s) => {
      schemas(s).PatientRefund.properties.patient_refund_id.format = "uri";
    },
    want: [want(b, "format-changed", field("PatientRefund", "patient_refund_id"), "response", patientReads)],
  },
  {
    name: "a response format removed",
    change: (s) => delete schemas(s).PatientRefund.properties.patient_refund_id.format,
    want: [want(b, "format-removed", field("PatientRefund", "patient_refund_id"), "response", patientReads)],
  },
  {
    name: "a request format added",
    change: (s) => {
      schemas(s).TokenRequest.properties.client_id.format = "uuid";
    },
    want: [want(b, "format-added", field("TokenRequest", "client_id"), "request", ["getToken"])],
  },
  {
    name: "a request pattern added",
    change: (s) => {
      schemas(s).TokenRequest.properties.client_id.pattern = "^[a-z]+$";
    },
    want: [want(b, "pattern-added", field("TokenRequest", "client_id"), "request", ["getToken"])],
  },
  {
    name: "a response pattern added",
    change: (s) => {
      schemas(s).TokenResponse.properties.token_type.pattern = "^Bearer$";
    },
    want: [want(n, "pattern-added", field("TokenResponse", "token_type"), "response", ["getToken"])],
  },
  // Bounds.
  {
    name: "a request bound tightened",
    change: (s) => {
      schemas(s).TokenRequest.properties.client_id.maxLength = 5;
    },
    want: [want(b, "bounds-tightened", field("TokenRequest", "client_id"), "request", ["getToken"])],
  },
  {
    name: "a request bound loosened",
    change: (s) => delete schemas(s).TokenRequest.properties.client_id.minLength,
    want: [want(n, "bounds-loosened", field("TokenRequest", "client_id"), "request", ["getToken"])],
  },
  {
    name: "a response bound loosened",
    change: (s) => delete schemas(s).TokenResponse.properties.expires_in.minimum,
    want: [want(b, "bounds-loosened", field("TokenResponse", "expires_in"), "response", ["getToken"])],
  },
  {
    name: "a bound of a schema used both ways tightened",
    change: (s) => {
      schemas(s).AmountCents.maximum = 100_000_000;
    },
    want: [
      want(b, "bounds-tightened", schema("AmountCents"), "request", creates),
      want(n, "bounds-tightened", schema("AmountCents"), "response", allReads),
    ],
  },
  {
    name: "a parameter's bound tightened",
    change: (s) => {
      s.components.parameters.Limit.schema.maximum = 100;
    },
    want: [want(b, "bounds-tightened", "#/components/parameters/Limit/schema", "request", lists)],
  },
  // Parameters.
  {
    name: "an optional parameter added",
    change: (s) => {
      s.paths["/api/patient-refunds/v1"].get.parameters.push({
        name: "currency",
        in: "query",
        description: "New.",
        schema: { type: "string" },
      });
    },
    want: [
      want(n, "parameter-added-optional", "#/paths/~1api~1patient-refunds~1v1/get/parameters/11", "request", [
        "listPatientRefunds",
      ]),
    ],
  },
  {
    name: "a required parameter added",
    change: (s) => {
      s.paths["/api/patient-refunds/v1"].get.parameters.push({
        name: "currency",
        in: "query",
        required: true,
        description: "New.",
        schema: { type: "string" },
      });
    },
    want: [
      want(b, "parameter-added-required", "#/paths/~1api~1patient-refunds~1v1/get/parameters/11", "request", [
        "listPatientRefunds",
      ]),
    ],
  },
  {
    name: "a parameter removed from one operation",
    change: (s) => s.paths["/api/patient-refunds/v1"].get.parameters.pop(),
    want: [want(b, "parameter-removed", "#/components/parameters/PageToken", "request", ["listPatientRefunds"])],
  },
  {
    name: "a shared parameter newly required",
    change: (s) => {
      s.components.parameters.PageToken.required = true;
    },
    want: [want(b, "parameter-became-required", "#/components/parameters/PageToken", "request", lists)],
  },
  // Statuses, operations and paths.
  {
    name: "an error status added",
    change: (s) => {
      s.paths["/api/patient-refunds/v1/{patient_refund_id}"].get.responses["422"] = {
        $ref: "#/components/responses/UnprocessableEntity",
      };
    },
    want: [
      want(
        n,
        "response-status-added",
        "#/paths/~1api~1patient-refunds~1v1~1{patient_refund_id}/get/responses/422",
        "response",
        ["getPatientRefund"],
      ),
    ],
  },
  {
    name: "a success status added",
    change: (s) => {
      const post = s.paths["/api/patient-refunds/v1"].post;
      post.responses["201"] = post.responses["200"];
    },
    want: [
      want(b, "response-success-status-added", "#/paths/~1api~1patient-refunds~1v1/post/responses/201", "response", [
        "createPatientRefund",
      ]),
    ],
  },
  {
    name: "a status removed",
    change: (s) => delete s.paths["/api/patient-refunds/v1"].get.responses["422"],
    want: [
      want(b, "response-status-removed", "#/paths/~1api~1patient-refunds~1v1/get/responses/422", "response", [
        "listPatientRefunds",
      ]),
    ],
  },
  {
    name: "an operation removed",
    change: (s) => delete s.paths["/api/patient-refunds/v1"].post,
    want: [
      want(b, "operation-removed", "#/paths/~1api~1patient-refunds~1v1/post", "operation", ["createPatientRefund"]),
    ],
  },
  {
    name: "a path removed",
    change: (s) => delete s.paths["/api/patient-refunds/v1/{patient_refund_id}"],
    want: [
      want(b, "path-removed", "#/paths/~1api~1patient-refunds~1v1~1{patient_refund_id}", "operation", [
        "deletePatientRefund",
        "getPatientRefund",
        "updatePatientRefund",
      ]),
    ],
  },
  {
    name: "an operation added",
    change: (s) => {
      const item = s.paths["/api/patient-refunds/v1/{patient_refund_id}"];
      item.put = { ...structuredClone(item.patch), operationId: "replacePatientRefund" };
    },
    want: [
      want(n, "operation-added", "#/paths/~1api~1patient-refunds~1v1~1{patient_refund_id}/put", "operation", [
        "replacePatientRefund",
      ]),
    ],
  },
  // Words and examples.
  {
    name: "a field's description edited",
    change: (s) => {
      schemas(s).PatientRefund.properties.refund_note.description = "A note.";
    },
    want: [want(d, "description-changed", field("PatientRefund", "refund_note"), "response", patientReads)],
  },
  {
    name: "an operation's summary edited",
    change: (s) => {
      s.paths["/api/auth/v2/token"].post.summary = "Get a token";
    },
    want: [want(d, "description-changed", "#/paths/~1api~1auth~1v2~1token/post/summary", "operation", ["getToken"])],
  },
  {
    name: "a named example edited",
    change: (s) => {
      s.components.examples.PatientRefund.value.refund_note = "Changed.";
    },
    want: [
      want(d, "example-changed", "#/components/examples/PatientRefund", "response", [
        "createPatientRefund",
        "getPatientRefund",
        "updatePatientRefund",
      ]),
    ],
  },
  {
    name: "the document's description edited",
    change: (s) => {
      s.info.description = "Refunds.";
    },
    want: [want(d, "document-changed", "#/info", "document", [])],
  },
  // Deprecation and sunsets.
  {
    name: "a response field deprecated with a sunset",
    change: (s) =>
      Object.assign(schemas(s).PatientRefund.properties.refund_note, { deprecated: true, "x-sunset": "2026-12-31" }),
    want: [want(n, "deprecated", field("PatientRefund", "refund_note"), "response", patientReads, /sunset 2026-12-31/)],
  },
  {
    name: "an operation deprecated",
    change: (s) => Object.assign(s.paths["/api/auth/v2/token"].post, { deprecated: true, "x-sunset": "2026-12-31" }),
    want: [want(n, "deprecated", "#/paths/~1api~1auth~1v2~1token/post", "operation", ["getToken"])],
  },
  {
    name: "a deprecated field removed before its sunset",
    base: (s) =>
      Object.assign(schemas(s).PatientRefund.properties.refund_note, { deprecated: true, "x-sunset": "2026-12-31" }),
    change: (s) => delete schemas(s).PatientRefund.properties.refund_note,
    now: "2026-06-01",
    want: [
      want(
        b,
        "property-removed",
        field("PatientRefund", "refund_note"),
        "response",
        patientReads,
        /before its sunset.*2026-12-31/,
      ),
    ],
  },
  {
    name: "a deprecated field removed after its sunset",
    base: (s) =>
      Object.assign(schemas(s).PatientRefund.properties.refund_note, { deprecated: true, "x-sunset": "2026-12-31" }),
    change: (s) => delete schemas(s).PatientRefund.properties.refund_note,
    now: "2027-01-01",
    want: [want(n, "removed-after-sunset", field("PatientRefund", "refund_note"), "response", patientReads)],
  },
  {
    name: "a deprecated operation removed after its sunset",
    base: (s) => Object.assign(s.paths["/api/patient-refunds/v1"].post, { deprecated: true, "x-sunset": "2026-01-31" }),
    change: (s) => delete s.paths["/api/patient-refunds/v1"].post,
    now: "2026-02-01",
    want: [
      want(n, "removed-after-sunset", "#/paths/~1api~1patient-refunds~1v1/post", "operation", ["createPatientRefund"]),
    ],
  },
  {
    name: "a deprecated parameter without a sunset removed",
    base: (s) => Object.assign(s.components.parameters.PageToken, { deprecated: true }),
    change: (s) => s.paths["/api/patient-refunds/v1"].get.parameters.pop(),
    want: [
      want(
        b,
        "parameter-removed",
        "#/components/parameters/PageToken",
        "request",
        ["listPatientRefunds"],
        /without an x-sunset/,
      ),
    ],
  },
  {
    name: "a deprecated parameter removed after its sunset",
    base: (s) => Object.assign(s.components.parameters.PageToken, { deprecated: true, "x-sunset": "2026-01-31" }),
    change: (s) => s.paths["/api/patient-refunds/v1"].get.parameters.pop(),
    now: "2026-03-01",
    want: [want(n, "removed-after-sunset", "#/components/parameters/PageToken", "request", ["listPatientRefunds"])],
  },
];

describe("the review's accuracy corpus", () => {
  it("has a case for at least 30 kinds of change", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)("$name", ({ base: prepare, change, now, want: expected }) => {
    const base = structuredClone(released);
    prepare?.(base);
    const revision = structuredClone(base);
    change(revision);
    const got = reviewDocuments(base, revision, { now: now ?? "2026-06-01" });
    const shape = (c: Omit<Want, "message">) => ({
      verdict: c.verdict,
      rule: c.rule,
      where: c.where,
      direction: c.direction,
      operations: [...c.operations].sort(),
    });
    const describe = got.map((c) => `${c.verdict} ${c.rule} ${c.where}: ${c.message}`).join("\n");
    expect(got.map(shape), describe).toEqual(expected.map(shape));
    expected.forEach((w, i) => {
      if (w.message) expect(got[i]?.message).toMatch(w.message);
    });
  });

  it("no change gives no entries", () => {
    expect(reviewDocuments(released, structuredClone(released))).toEqual([]);
  });

  it("says where in each operation a shared schema's change matters", () => {
    const revision = structuredClone(released);
    delete schemas(revision).PatientRefund.properties.refund_note;
    const [entry] = reviewDocuments(released, revision);
    expect(entry?.affected).toEqual(
      expect.arrayContaining([
        {
          operationId: "listPatientRefunds",
          method: "GET",
          path: "/api/patient-refunds/v1",
          direction: "response",
          part: "response 200",
          field: "items[].refund_note",
        },
        {
          operationId: "getPatientRefund",
          method: "GET",
          path: "/api/patient-refunds/v1/{patient_refund_id}",
          direction: "response",
          part: "response 200",
          field: "refund_note",
        },
      ]),
    );
    expect(entry?.message).toBe(
      "PatientRefund.refund_note removed: it was not deprecated first (deprecated: true with an x-sunset date)",
    );
  });
});
