import { describe, expect, it } from "vitest";
import { bundledSpec } from "../support/spec.js";
import { coverage, type DeclaredAnswer, declaredAnswers, formatCoverage, missing } from "./coverage.js";
import { type Answer, checkAnswer, type Exchange, indexSpec, Recorder } from "./recorder.js";

const spec = bundledSpec();
const index = indexSpec(spec);
const base = "http://127.0.0.1:1";
const refund = spec.components.examples as Record<string, { value: unknown }>;
const patientRefund = JSON.stringify(refund.PatientRefund?.value);
const json = { "content-type": "application/json; charset=utf-8" };
const unauthorized = JSON.stringify({ errorName: "UnauthorizedError", content: { message: "no" } });

const answer = (given: Partial<Omit<Answer, "headers">> & { headers?: Record<string, string> }): Answer => ({
  method: "GET",
  url: `${base}/api/patient-refunds/v1/5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10`,
  status: 200,
  body: patientRefund,
  ...given,
  headers: new Headers(given.headers ?? json),
});

describe("checkAnswer", () => {
  // `problems` lists patterns some problem must match; an empty list means no problem at all.
  it.each<{ name: string; given: Answer; want: { operationId?: string; problems: RegExp[] } }>([
    {
      name: "a declared answer with a body of its schema",
      given: answer({}),
      want: { operationId: "getPatientRefund", problems: [] },
    },
    {
      name: "a body that breaks its schema",
      given: answer({ body: JSON.stringify({ patient_refund_id: "x" }) }),
      want: { operationId: "getPatientRefund", problems: [/^200 body: .*required property 'organization_id'/] },
    },
    {
      name: "a body that is not JSON",
      given: answer({ body: "<html>" }),
      want: { operationId: "getPatientRefund", problems: [/body is not JSON/] },
    },
    {
      name: "a JSON body served as text",
      given: answer({ headers: { "content-type": "text/plain" } }),
      want: { operationId: "getPatientRefund", problems: [/served as "text\/plain"/] },
    },
    {
      name: "a status the operation does not declare",
      given: answer({ status: 409, body: "{}" }),
      want: {
        operationId: "getPatientRefund",
        problems: [/getPatientRefund declares no 409 \(it declares 200, 403, 404\)/],
      },
    },
    {
      name: "the empty 200 of a delete",
      given: answer({ method: "DELETE", body: "", headers: {} }),
      want: { operationId: "deletePatientRefund", problems: [] },
    },
    {
      name: "a body on a delete's 200",
      given: answer({ method: "DELETE" }),
      want: { operationId: "deletePatientRefund", problems: [/has no body in the spec/] },
    },
    {
      name: "violations the proxy reported, warnings included",
      given: answer({
        headers: {
          ...json,
          "sl-violations": JSON.stringify([{ location: ["response"], severity: "Warning", message: "Unmatched" }]),
        },
      }),
      want: { operationId: "getPatientRefund", problems: [/proxy reported: Warning at response: Unmatched/] },
    },
    {
      name: "a problem+json Prism answered itself",
      given: answer({
        status: 422,
        body: JSON.stringify({ title: "Invalid request" }),
        headers: { "content-type": "application/problem+json" },
      }),
      want: { operationId: "getPatientRefund", problems: [/Prism answered 422 itself/] },
    },
    {
      name: "the undeclared 403 UnauthorizedError of a non-insurance payer operation",
      given: answer({ url: `${base}/api/non-insurance-payer-refunds/v1`, status: 403, body: unauthorized }),
      want: { operationId: "listNonInsurancePayerRefunds", problems: [] },
    },
    {
      name: "an undeclared 403 that is not UnauthorizedError",
      given: answer({ url: `${base}/api/non-insurance-payer-refunds/v1`, status: 403, body: '{"error":"no"}' }),
      want: { operationId: "listNonInsurancePayerRefunds", problems: [/403 body: .*required property 'errorName'/] },
    },
    {
      name: "a request no operation matches",
      given: answer({ url: `${base}/api/patient-refunds/v2` }),
      want: { problems: [/no operation of the spec is GET \/api\/patient-refunds\/v2/] },
    },
  ])("$name", ({ given, want }) => {
    const got = checkAnswer(index, given);
    expect(got.operationId).toBe(want.operationId);
    if (want.problems.length === 0) expect(got.problems).toEqual([]);
    else expect(got.problems).toEqual(expect.arrayContaining(want.problems.map((p) => expect.stringMatching(p))));
  });
});

describe("Recorder", () => {
  it("records each exchange and hands the client the same answer", async () => {
    const recorder = new Recorder(index);
    const fetch = recorder.fetch("proxy", async () => new Response(unauthorized, { status: 403, headers: json }));
    const response = await fetch(new Request(`${base}/api/patient-refunds/v1?limit=5`));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual(JSON.parse(unauthorized));
    expect(recorder.exchanges).toEqual<Exchange[]>([
      {
        via: "proxy",
        method: "GET",
        path: "/api/patient-refunds/v1?limit=5",
        operationId: "listPatientRefunds",
        status: 403,
        errorName: "UnauthorizedError",
        problems: [],
      },
    ]);
  });
});

const exchange = (operationId: string, status: number, errorName?: string): Exchange => ({
  via: "proxy",
  method: "GET",
  path: "/",
  operationId,
  status,
  errorName,
  problems: [],
});

describe("operation coverage", () => {
  const declared = declaredAnswers(index.operations, spec.components.schemas as never);

  it("declares one answer per status, and one per error a status may carry", () => {
    const of = (operationId: string) =>
      declared.filter((d) => d.operationId === operationId).map((d) => [d.status, d.errorName]);
    expect(of("createPatientRefund")).toEqual([
      [200, undefined],
      [403, "UnauthorizedError"],
      [404, "EntityNotFoundError"],
      [422, "UnprocessableEntityError"],
      [422, "ReallocationWouldOverdraftError"],
    ]);
    expect(of("deleteNonInsurancePayerRefund")).toEqual([
      [200, undefined],
      [404, "EntityNotFoundError"],
      [422, "UnprocessableEntityError"],
    ]);
    expect(declared).toHaveLength(35);
  });

  const small: DeclaredAnswer[] = [
    { operationId: "getToken", status: 200 },
    { operationId: "getToken", status: 403, errorName: "UnauthorizedError" },
    { operationId: "createPatientRefund", status: 422, errorName: "ReallocationWouldOverdraftError" },
  ];

  it.each<{ name: string; runs: Record<string, Exchange[]>; want: DeclaredAnswer[] }>([
    {
      name: "nothing answered: everything is missing",
      runs: { a: [] },
      want: small,
    },
    {
      name: "each answer in some run: nothing is missing",
      runs: {
        a: [exchange("getToken", 200), exchange("getToken", 403, "UnauthorizedError")],
        b: [exchange("createPatientRefund", 422, "ReallocationWouldOverdraftError")],
      },
      want: [],
    },
    {
      name: "the right status with another error does not count",
      runs: {
        a: [
          exchange("getToken", 200),
          exchange("getToken", 403, "UnauthorizedError"),
          exchange("createPatientRefund", 422, "UnprocessableEntityError"),
        ],
      },
      want: [{ operationId: "createPatientRefund", status: 422, errorName: "ReallocationWouldOverdraftError" }],
    },
    {
      name: "another operation's answer does not count",
      runs: { a: [exchange("listPatientRefunds", 200), exchange("getToken", 403, "UnauthorizedError")] },
      want: [
        { operationId: "getToken", status: 200 },
        { operationId: "createPatientRefund", status: 422, errorName: "ReallocationWouldOverdraftError" },
      ],
    },
  ])("$name", ({ runs, want }) => {
    expect(missing(coverage(small, runs))).toEqual(want);
  });

  it("formats a table with a count column per run and a total", () => {
    const rows = coverage(small, { mock: [exchange("getToken", 200), exchange("getToken", 200)], server: [] });
    expect(formatCoverage(rows, ["mock", "server"]).split("\n")).toEqual([
      "operationId          status  errorName                        mock  server",
      "-------------------  ------  -------------------------------  ----  ------",
      "getToken             200                                      2     0",
      "getToken             403     UnauthorizedError                0     0",
      "createPatientRefund  422     ReallocationWouldOverdraftError  0     0",
      "1/3 declared answers exercised",
    ]);
  });
});
