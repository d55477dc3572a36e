// The spec review's policy, written once: every rule the review can apply, and its verdict by direction. A change
// matters in a request (a client sends it: parameters, request bodies), in a response (a client reads it) or to
// the operation or the document as a whole. `openapi/README.md` prints this table (a test keeps them equal).
//
// The principle: a client must keep working. In a request the client is the writer, so what accepts fewer values
// than before (a narrowing) breaks it and a widening does not; in a response the client is the reader, so a
// widening (a value, variant or type it has never seen) breaks it and a narrowing does not. Removals break
// everyone, unless the thing was deprecated with an `x-sunset` date that has passed.

const B = "breaking";
const N = "non-breaking";
const D = "docs-only";

/** A rule's verdict in a request, in a response, and for an operation or the document as a whole. */
const rule = (request, response, why) => ({ request, response, operation: request, document: request, why });
const same = (verdict, why) => rule(verdict, verdict, why);

/** The verdicts, in the order reports list them. */
export const verdicts = [B, N, D];

/** Every rule: `request`/`response`/`operation`/`document` verdicts and why, in plain words. */
export const rules = {
  "path-removed": same(B, "every operation of the path is gone; clients calling it get 404"),
  "operation-removed": same(B, "clients calling the operation get 404"),
  "removed-after-sunset": same(N, "it was deprecated and its `x-sunset` date has passed: clients were told"),
  "operation-added": same(N, "a new operation; no existing call changes"),
  "operation-id-changed": same(B, "generated clients name their methods after the operationId"),
  "security-changed": same(B, "a call that was authorized may not be"),
  deprecated: same(N, "a deprecation (and its `x-sunset` date) tells clients to move; nothing stops working yet"),
  "parameter-added-required": rule(B, B, "existing calls do not send the new parameter and are refused"),
  "parameter-added-optional": rule(N, N, "existing calls keep working without it"),
  "parameter-removed": rule(B, B, "existing calls still send it; it is refused or silently ignored"),
  "parameter-became-required": rule(B, B, "calls that leave it out are refused"),
  "parameter-became-optional": rule(N, N, "calls that send it keep working"),
  "parameter-serialization-changed": rule(
    B,
    B,
    "the parameter's location, style or explode changed: calls encode it the old way",
  ),
  "request-body-added": rule(B, B, "a required body existing calls do not send"),
  "request-body-added-optional": rule(N, N, "an optional body; calls without one keep working"),
  "request-body-removed": rule(B, B, "calls still send a body"),
  "request-body-became-required": rule(B, B, "calls without a body are refused"),
  "request-body-became-optional": rule(N, N, "calls with a body keep working"),
  "media-type-added": rule(N, N, "a new content type, used only when asked for"),
  "media-type-removed": rule(B, B, "clients sending or accepting that content type fail"),
  "response-status-added": rule(N, N, "a new error status: clients already handle errors they do not know"),
  "response-success-status-added": rule(
    B,
    B,
    "a new success status: a client checking for the old one takes success for failure",
  ),
  "response-status-removed": rule(B, B, "clients handling the status change behaviour"),
  "response-header-added": rule(N, N, "clients ignore headers they do not read"),
  "response-header-removed": rule(B, B, "clients reading the header get nothing"),
  "property-added": rule(
    N,
    N,
    "an optional field in a request, or any new field in a response (clients ignore unknown fields)",
  ),
  "required-property-added": rule(
    B,
    N,
    "a request field existing calls do not send; in a response, a field clients may ignore",
  ),
  "property-removed": rule(B, B, "clients still send or read the field"),
  "property-became-required": rule(B, N, "calls that leave it out are refused; a response only promises more"),
  "property-became-optional": rule(N, B, "requests may leave it out; a response may lack a field clients rely on"),
  "enum-value-added": rule(N, B, "requests accept more; a response may carry a value clients do not handle"),
  "enum-value-removed": rule(B, N, "requests sending the value are refused; a response only promises less"),
  "union-variant-added": rule(N, B, "requests accept more; a response may carry a variant clients do not handle"),
  "union-variant-removed": rule(B, N, "requests sending the variant are refused; a response only promises less"),
  "discriminator-changed": rule(B, B, "clients pick the variant by the discriminator"),
  "type-changed": rule(B, B, "neither type contains the other: clients sending or reading the old one fail"),
  "type-widened": rule(N, B, "requests accept more; a response may carry a type clients do not handle"),
  "type-narrowed": rule(B, N, "requests sending the dropped type are refused; a response only promises less"),
  "format-added": rule(B, N, "requests must now match the format; a response only promises more"),
  "format-removed": rule(N, B, "requests accept more; a response no longer promises the format"),
  "format-changed": rule(B, B, "values of the old format are refused or unexpected"),
  "pattern-added": rule(B, N, "requests must now match the pattern; a response only promises more"),
  "pattern-removed": rule(N, B, "requests accept more; a response no longer promises the pattern"),
  "pattern-changed": rule(B, B, "neither pattern contains the other in general"),
  "const-changed": rule(B, B, "the one allowed value changed"),
  "bounds-tightened": rule(B, N, "requests within the old bounds are refused; a response only promises more"),
  "bounds-loosened": rule(N, B, "requests accept more; a response may carry values outside the old bounds"),
  "additional-properties-restricted": rule(
    B,
    N,
    "requests with other fields are refused; a response only promises less",
  ),
  "additional-properties-allowed": rule(N, B, "requests accept more; a response may carry fields of unknown shape"),
  "read-only-added": rule(B, D, "requests sending the field are refused or ignored; responses are unchanged"),
  "read-only-removed": rule(N, D, "requests may now send the field"),
  "write-only-added": rule(D, B, "responses no longer carry the field"),
  "write-only-removed": rule(D, N, "responses may now carry the field"),
  "default-changed": rule(B, D, "calls that leave the value out get a different behaviour"),
  "keyword-changed": same(B, "a change the policy does not rate: a reviewer has to (waive it once reviewed)"),
  "description-changed": same(D, "words only: descriptions, summaries, titles, tags"),
  "example-changed": same(D, "examples only"),
  "document-changed": same(D, "document metadata: info, servers, tags"),
};

/** The verdict of `ruleId` for a change in `direction` (`request`, `response`, `operation` or `document`). */
export function verdictOf(ruleId, direction) {
  const found = rules[ruleId];
  if (!found) throw new Error(`no policy rule ${ruleId}`);
  return found[direction] ?? found.operation;
}

/** The policy as a Markdown table, as `openapi/README.md` prints it between its policy markers. */
export function policyTable() {
  const lines = ["| Rule | In a request | In a response | Why |", "| --- | --- | --- | --- |"];
  for (const [id, r] of Object.entries(rules)) {
    lines.push(`| \`${id}\` | ${r.request} | ${r.response} | ${r.why} |`);
  }
  return lines.join("\n");
}
