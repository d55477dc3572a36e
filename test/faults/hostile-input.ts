// Hostile input: every request below gets a clear 4xx in the error envelope, or is stored exactly as sent; the
// server never answers 5xx and stays up. The suite that depends on the store, for hostile.test.ts (memory, with the
// cases Node itself refuses and the slow clients) and hostile.embedded.test.ts.
import { defaultSeed } from "@refunds-api/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultServer, nested, type RawReply, rawRequest, startFaultServer, type storeKinds } from "./support.js";

export const patientRefunds = "/api/patient-refunds/v1";
const payerRefunds = "/api/non-insurance-payer-refunds/v1";
const payer = "d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7fa0";
const seededRefund = "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10";
export const validCreate = JSON.stringify({ amount_cents: 100, patient_external_id: "PAT-H", allocations: [] });
const withField = (field: string, json: string) =>
  `{"amount_cents":1,"patient_external_id":"p","allocations":[],"${field}":${json}}`;
const json = { "content-type": "application/json" };

interface Refused {
  name: string;
  method?: string;
  path?: string;
  headers?: Record<string, string | number | null>;
  body?: string | Buffer;
  want: [status: number, errorName: string, message: RegExp];
}

const refused: Refused[] = [
  {
    name: "unpaired surrogates in a string",
    body: withField("refund_note", JSON.stringify("\ud800x\udfff")),
    want: [422, "UnprocessableEntityError", /^body\.refund_note: must be well-formed Unicode/],
  },
  {
    name: "U+FFFD then an unpaired low surrogate",
    body: withField("refund_note", JSON.stringify("\ufffd\udfff")),
    want: [422, "UnprocessableEntityError", /^body\.refund_note: must be well-formed Unicode/],
  },
  { name: "malformed JSON", body: '{"amount_cents": ', want: [400, "BadRequestError", /not valid JSON/] },
  { name: "truncated JSON", body: validCreate.slice(0, 30), want: [400, "BadRequestError", /not valid JSON/] },
  { name: "JSON with trailing bytes", body: `${validCreate}xyz`, want: [400, "BadRequestError", /not valid JSON/] },
  { name: "JSON with a comment", body: `{/* x */${validCreate.slice(1)}`, want: [400, "BadRequestError", /JSON/] },
  { name: "a NaN literal", body: withField("refund_note", "NaN"), want: [400, "BadRequestError", /not valid JSON/] },
  { name: "single-quoted JSON", body: "{'amount_cents': 1}", want: [400, "BadRequestError", /not valid JSON/] },
  {
    name: "an empty body",
    body: "",
    want: [422, "UnprocessableEntityError", /body\.amount_cents: is required/],
  },
  {
    name: "a body over 1 MB",
    body: withField("refund_note", JSON.stringify("x".repeat(1_100_000))),
    want: [413, "PayloadTooLargeError", /larger than the 1mb limit/],
  },
  {
    name: "a chunked body over 1 MB (no Content-Length)",
    headers: { "transfer-encoding": "chunked" },
    body: withField("refund_note", JSON.stringify("x".repeat(1_100_000))),
    want: [413, "PayloadTooLargeError", /larger than the 1mb limit/],
  },
  {
    name: "objects nested 100,000 deep in a known field",
    body: withField("refund_note", nested(100_000)),
    want: [422, "UnprocessableEntityError", /^body\.refund_note: must be a string$/],
  },
  {
    name: "arrays nested 100,000 deep in a known field",
    body: withField("refund_reason", nested(100_000, "[", "]")),
    want: [422, "UnprocessableEntityError", /^body\.refund_reason: must be a string/],
  },
  {
    name: "objects nested 100,000 deep in an unknown field",
    body: withField("zzz", nested(100_000)),
    want: [422, "UnprocessableEntityError", /^body\.zzz: is not a known field$/],
  },
  {
    name: "arrays nested 100,000 deep as allocations",
    body: `{"amount_cents":1,"patient_external_id":"p","allocations":${nested(100_000, "[", "]")}}`,
    want: [422, "UnprocessableEntityError", /^body\.allocations\[0\]: must be an object$/],
  },
  {
    name: "a root nested 100,000 deep",
    body: nested(100_000),
    want: [422, "UnprocessableEntityError", /body\.amount_cents: is required/],
  },
  {
    name: "bytes that are not UTF-8",
    body: Buffer.concat([Buffer.from('{"patient_external_id":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]),
    want: [400, "BadRequestError", /^The request body is not valid UTF-8\.$/],
  },
  {
    name: "a UTF-16 charset",
    headers: { "content-type": "application/json; charset=utf-16" },
    body: validCreate,
    want: [415, "UnsupportedMediaTypeError", /charset utf-16 is not supported/],
  },
  {
    name: "an unknown charset",
    headers: { "content-type": "application/json; charset=klingon" },
    body: validCreate,
    want: [415, "UnsupportedMediaTypeError", /charset/],
  },
  ...["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"].map(
    (type): Refused => ({
      name: `a ${type} body`,
      headers: { "content-type": type },
      body: validCreate,
      want: [415, "UnsupportedMediaTypeError", /is not supported; send application\/json/],
    }),
  ),
  {
    name: "a body without a Content-Type",
    headers: { "content-type": null },
    body: validCreate,
    want: [415, "UnsupportedMediaTypeError", /\(none\) is not supported/],
  },
  {
    name: "a merge-patch body on PATCH",
    method: "PATCH",
    path: `${patientRefunds}/${seededRefund}`,
    headers: { "content-type": "application/merge-patch+json" },
    body: "{}",
    want: [415, "UnsupportedMediaTypeError", /merge-patch\+json is not supported/],
  },
  {
    name: "a __proto__ key",
    body: withField("__proto__", '{"amount_cents": -1}'),
    want: [422, "UnprocessableEntityError", /^body\.__proto__: is not a known field$/],
  },
  {
    name: "a constructor.prototype key",
    body: withField("constructor", '{"prototype": {"polluted": true}}'),
    want: [422, "UnprocessableEntityError", /^body\.constructor: is not a known field$/],
  },
  {
    name: "a number beyond doubles",
    body: '{"amount_cents":1e400,"patient_external_id":"p","allocations":[]}',
    want: [422, "UnprocessableEntityError", /^body\.amount_cents: must be an integer$/],
  },
  {
    name: "an amount past 2^53",
    body: '{"amount_cents":9007199254740993,"patient_external_id":"p","allocations":[]}',
    want: [422, "UnprocessableEntityError", /^body\.amount_cents: must be at most 9007199254740991$/],
  },
  {
    name: "a duplicate key (the last wins)",
    body: '{"amount_cents":1,"amount_cents":-5,"patient_external_id":"p","allocations":[]}',
    want: [422, "UnprocessableEntityError", /^body\.amount_cents: must be at least 0$/],
  },
  {
    name: "a path that climbs out",
    method: "GET",
    path: `${patientRefunds}/..%2F..%2Fetc%2Fpasswd`,
    want: [404, "EntityNotFoundError", /^\.\.\/\.\.\/etc\/passwd$/],
  },
  { name: "a NUL id", method: "GET", path: `${patientRefunds}/%00`, want: [404, "EntityNotFoundError", /^\0$/] },
  {
    name: "a 10,000-character id",
    method: "DELETE",
    path: `${payerRefunds}/${"a".repeat(10_000)}`,
    want: [404, "EntityNotFoundError", /^a{10000}$/],
  },
  {
    name: "a SQL-looking id",
    method: "GET",
    path: `${patientRefunds}/${encodeURIComponent("1' OR '1'='1")}`,
    want: [404, "EntityNotFoundError", /^1' OR '1'='1$/],
  },
  {
    name: "a URL that does not decode",
    method: "GET",
    path: `${patientRefunds}/%E0%A4%A`,
    want: [400, "BadRequestError", /^The request URL is malformed\.$/],
  },
  {
    name: "a SQL-looking unknown query parameter",
    method: "GET",
    path: `${patientRefunds}?${encodeURIComponent("1;DROP TABLE x")}=1`,
    want: [422, "UnprocessableEntityError", /is not a known query parameter/],
  },
  {
    name: "a nested query parameter",
    method: "GET",
    path: `${patientRefunds}?limit[$gt]=1`,
    want: [422, "UnprocessableEntityError", /^query\.limit: must be an integer$/],
  },
];

// Strings that break naive code: controls, invisible and bidi marks, and SQL or template syntax that must be kept
// as text, never run. (Unpaired surrogates are no Unicode text: they are refused, see `refused`.)
const faithful: { name: string; text: string }[] = [
  { name: "a NUL", text: "a\u0000b" },
  { name: "control characters", text: "\u0001\u0007\u001b[31m\u007f" },
  { name: "a byte order mark", text: "\ufeffPAT" },
  { name: "a right-to-left override", text: "PAT-\u202e1234" },
  { name: "a family emoji with joiners", text: "👩‍👩‍👧‍👦" },
  { name: "a combining accent", text: "e\u0301" },
  { name: "an astral character", text: "𝕏𝔂" },
  { name: "line and paragraph separators", text: "a\u2028b\u2029c" },
  { name: "10,000 characters", text: "é".repeat(10_000) },
  { name: "a DROP TABLE", text: "'; DROP TABLE patient_refunds; --" },
  { name: "Bobby Tables", text: "Robert'); DROP TABLE Students;--" },
  { name: "a tautology", text: "' OR '1'='1" },
  { name: "a stacked sleep", text: "1; SELECT pg_sleep(10); --" },
  { name: "a placeholder", text: "$1" },
  { name: "a LIKE wildcard", text: "%_%" },
  { name: "format directives", text: "%s%s%n" },
  { name: "a template", text: ["$", "{jndi:ldap://127.0.0.1/x}{{7*7}}"].join("") },
  { name: "markup", text: "<script>alert(1)</script>" },
  { name: "JSON in a string", text: '{"amount_cents": -1}' },
  { name: "backslashes", text: "C:\\new\\table\\x00" },
  { name: "the word null", text: "null" },
];
// A URL carries UTF-8, which has no unpaired surrogates, and Node reads at most 16 kB of it: those strings are
// checked through the body only.
const sendableInUrl = (text: string) => text === text.toWellFormed() && encodeURIComponent(text).length < 8_000;

function expectEnvelope(reply: RawReply, [status, errorName, message]: Refused["want"]) {
  expect(reply.status, reply.text.slice(0, 300)).toBe(status);
  expect(reply.headers["content-type"]).toMatch(/^application\/json/);
  expect(reply.json.errorName).toBe(errorName);
  expect(reply.json.content.message ?? reply.json.content.id).toMatch(message);
}

/** The hostile-input suite on a server over a store of `kind`: hostile.test.ts (memory), hostile.embedded.test.ts. */
export function describeHostileInput(kind: (typeof storeKinds)[number]): void {
  describe(`hostile input, ${kind} store`, () => {
    let s: FaultServer;
    beforeAll(async () => {
      s = await startFaultServer({ kind, seed: defaultSeed });
    });
    afterAll(() => s?.stop());

    it.each(refused)("refuses $name: $want.0 $want.1", async ({ method, path, headers, body, want }) => {
      const reply = await rawRequest(s.url, {
        method: method ?? "POST",
        path: path ?? patientRefunds,
        headers: body === undefined ? headers : { ...json, ...headers },
        body,
      });
      expectEnvelope(reply, want);
    });

    it.each(faithful)("stores $name exactly as sent, and finds it by exact match only", async ({ text }) => {
      const created = await rawRequest(s.url, {
        method: "POST",
        path: patientRefunds,
        headers: json,
        body: JSON.stringify({ amount_cents: 1, patient_external_id: text, refund_note: text, allocations: [] }),
      });
      expect(created.status, created.text.slice(0, 300)).toBe(200);
      expect(created.json.patient_external_id).toBe(text);
      expect(created.json.refund_note).toBe(text);
      const id = created.json.patient_refund_id;
      const got = await rawRequest(s.url, { path: `${patientRefunds}/${id}` });
      expect(got.json).toEqual(created.json);

      const payerRefund = await rawRequest(s.url, {
        method: "POST",
        path: payerRefunds,
        headers: json,
        body: JSON.stringify({ non_insurance_payer_id: payer, amount_cents: 1, check_number: text, allocations: [] }),
      });
      expect(payerRefund.status, payerRefund.text.slice(0, 300)).toBe(200);
      expect(payerRefund.json.check_number).toBe(text);

      const updated = await rawRequest(s.url, {
        method: "PATCH",
        path: `${payerRefunds}/${payerRefund.json.non_insurance_payer_refund_id}`,
        headers: json,
        body: JSON.stringify({ refund_note: { type: "set", value: text } }),
      });
      expect(updated.json.refund_note).toBe(text);

      if (!sendableInUrl(text)) return;
      const listed = await rawRequest(s.url, {
        path: `${patientRefunds}?patient_external_id=${encodeURIComponent(text)}`,
      });
      expect(listed.json.items.map((r: { patient_refund_id: string }) => r.patient_refund_id)).toEqual([id]);
      const byCheck = await rawRequest(s.url, { path: `${payerRefunds}?check_number=${encodeURIComponent(text)}` });
      expect(byCheck.json.items.map((r: { check_number: string }) => r.check_number)).toEqual([text]);
    });

    // Page tokens are plain base64url JSON a client can forge: a forged one is read or refused, never a crash.
    it.each([
      { name: "a text key on a numeric sort", token: { s: "amount_cents", k: "abc" } },
      { name: "a numeric key on a text sort", token: { s: "refund_note", k: 5 } },
      { name: "an object key", token: { k: { $gt: "" } } },
      { name: "a huge key", token: { s: "amount_cents", k: 1e308 } },
      { name: "a SQL-looking id", token: { i: "x'; DROP TABLE patient_refunds; --" } },
      { name: "a filter that is no uuid", token: { f: { claim_id: "' OR 1=1 --" } } },
      { name: "a filter of the wrong type", token: { f: { unattributed: "yes" } } },
      { name: "an unknown filter", token: { f: { organization_id: "x" } } },
      { name: "a __proto__ filter", token: JSON.parse('{"f": {"__proto__": {"polluted": true}}}') },
      { name: "sources that are no sources", token: { f: { sources: ["'; DROP TABLE x; --"] } } },
      { name: "an unknown sort", token: { s: "organization_id" } },
      { name: "another list's token", token: { r: "non-insurance-payer-refunds" } },
      { name: "a backwards flag of 2", token: { b: 2 } },
    ])("reads or refuses a forged page token with $name", async ({ token }) => {
      const base = {
        v: 1,
        r: "patient-refunds",
        s: "refund_timestamp",
        o: "desc",
        f: {},
        k: null,
        i: seededRefund,
        b: 0,
      };
      const text = Buffer.from(JSON.stringify({ ...base, ...token })).toString("base64url");
      const reply = await rawRequest(s.url, { path: `${patientRefunds}?page_token=${text}` });
      expect([200, 422], reply.text.slice(0, 300)).toContain(reply.status);
      if (reply.status === 422) expect(reply.json.errorName).toBe("UnprocessableEntityError");
      else expect(Array.isArray(reply.json.items)).toBe(true);
    });

    it("is still up, and logged no server error", async () => {
      const health = await rawRequest(s.url, { path: "/healthz" });
      expect(health.json).toEqual({ status: "ok" });
      const errors = s.logs.map((l) => JSON.parse(l)).filter((l) => l.level >= 50);
      expect(errors).toEqual([]);
    });
  });
}
