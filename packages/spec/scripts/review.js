// The spec review's diff engine: compares two bundled OpenAPI 3.1 documents structurally. It walks every operation's
// parameters, request body and responses with the direction each matters in, compares their schemas recursively
// through `$ref`s, and keys each change by the location it was made at (`#/components/schemas/PatientRefund/
// properties/refund_note`), so a change to a shared schema is one entry listing every operation it reaches. Each
// entry's verdict comes from the policy (review-policy.js) for its rule and direction.
import { isDeepStrictEqual } from "node:util";
import { verdictOf, verdicts } from "./review-policy.js";

const httpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const lowerBounds = ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains"];
const upperBounds = ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains"];
const wordKeywords = ["description", "title", "summary", "$comment", "externalDocs", "xml"];
const exampleKeywords = ["example", "examples"];
// Keywords compared by their own rules below; any other keyword that differs is `keyword-changed`.
const handled = new Set([
  "$ref",
  "type",
  "format",
  "pattern",
  "enum",
  "const",
  ...lowerBounds,
  ...upperBounds,
  "multipleOf",
  "uniqueItems",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "oneOf",
  "anyOf",
  "allOf",
  "discriminator",
  "deprecated",
  "x-sunset",
  "readOnly",
  "writeOnly",
  "default",
  ...wordKeywords,
  ...exampleKeywords,
]);

/** JSON pointer escaping of one segment. */
export const escapeSegment = (segment) => String(segment).replaceAll("~", "~0").replaceAll("/", "~1");
const pointer = (...segments) => `#/${segments.map(escapeSegment).join("/")}`;
const show = (value) => (value === undefined ? "absent" : JSON.stringify(value));
const today = () => new Date().toISOString().slice(0, 10);

/**
 * Compares `base` with `revision` (two bundled documents, refs internal) and returns the review's entries, one per
 * change: `{ verdict, where, subject, rule, message, direction, operations, affected }`, breaking ones first.
 * `now` (YYYY-MM-DD, today by default) decides whether a deprecated thing's `x-sunset` has passed.
 */
export function reviewDocuments(base, revision, { now = today() } = {}) {
  return new Review(base, revision, now).run();
}

class Review {
  constructor(base, revision, now) {
    this.base = base;
    this.revision = revision;
    this.now = now;
    /** Raw changes, each with one occurrence; grouped into entries at the end. */
    this.found = [];
    /** Schema comparisons by base location, revision location and direction: their changes, relative. */
    this.memo = new Map();
  }

  run() {
    this.compareDocument();
    const basePaths = this.base.paths ?? {};
    const revisionPaths = this.revision.paths ?? {};
    for (const path of union(Object.keys(basePaths), Object.keys(revisionPaths))) {
      const b = basePaths[path];
      const r = revisionPaths[path];
      if (b && !r) {
        this.removedPath(path, b);
        continue;
      }
      for (const method of httpMethods) {
        const bOp = b?.[method];
        const rOp = r?.[method];
        if (!bOp && !rOp) continue;
        const op = describeOperation(method, path, rOp ?? bOp);
        const at = pointer("paths", path, method);
        if (!rOp)
          this.removed({
            op,
            direction: "operation",
            where: at,
            subject: op.label,
            node: bOp,
            rule: "operation-removed",
          });
        else if (!bOp)
          this.add(op, "operation", {
            where: at,
            subject: op.label,
            rule: "operation-added",
            message: `${op.label} added`,
          });
        else this.compareOperation(op, { path, method, b, r, bOp, rOp });
      }
    }
    return group(this.found);
  }

  add(op, direction, change, field = "") {
    this.found.push({ ...change, direction, occurrence: { ...op, direction, part: change.part ?? "", field } });
  }

  // Removing something is breaking unless it was deprecated and its sunset has passed; the message says which.
  removed({ op, direction, where, subject, node, rule, part }) {
    const sunset = node?.["x-sunset"];
    let message = `${subject} removed`;
    let decided = rule;
    if (node?.deprecated === true && sunset && String(sunset) <= this.now) {
      message += ` (deprecated, sunset ${sunset} passed)`;
      decided = "removed-after-sunset";
    } else if (node?.deprecated === true && sunset) {
      message += ` before its sunset: it is deprecated until ${sunset}`;
    } else if (node?.deprecated === true) {
      message += ": it was deprecated without an x-sunset date, so clients were never told when";
    } else {
      message += ": it was not deprecated first (deprecated: true with an x-sunset date)";
    }
    this.add(op, direction, { where, subject, rule: decided, message, part });
  }

  removedPath(path, item) {
    const methods = httpMethods.filter((m) => item[m]);
    const all = methods.map((m) => item[m]);
    const sunsets = all.map((o) => (o.deprecated === true ? o["x-sunset"] : undefined));
    // The path counts as deprecated when every operation of it is, with the latest sunset of them.
    const node = sunsets.every(Boolean) ? { deprecated: true, "x-sunset": sunsets.sort().at(-1) } : undefined;
    for (const method of methods) {
      const op = describeOperation(method, path, item[method]);
      this.removed({
        op,
        direction: "operation",
        where: pointer("paths", path),
        subject: `path ${path}`,
        node,
        rule: "path-removed",
      });
    }
  }

  compareDocument() {
    for (const key of union(Object.keys(this.base), Object.keys(this.revision))) {
      if (["paths", "components", "openapi", "security", "webhooks"].includes(key)) continue;
      if (isDeepStrictEqual(this.base[key], this.revision[key])) continue;
      this.found.push({
        where: pointer(key),
        subject: key,
        rule: "document-changed",
        message: `${key} changed`,
        direction: "document",
        occurrence: undefined,
      });
    }
  }

  compareOperation(op, { path, method, b, r, bOp, rOp }) {
    const at = pointer("paths", path, method);
    const words = (key) => {
      if (!isDeepStrictEqual(bOp[key], rOp[key])) {
        this.add(op, "operation", {
          where: `${at}/${key}`,
          subject: op.label,
          rule: "description-changed",
          message: `${op.label}: ${key} changed`,
        });
      }
    };
    for (const key of ["summary", "description", "tags", "externalDocs"]) words(key);
    if (bOp.operationId !== rOp.operationId) {
      this.add(op, "operation", {
        where: at,
        subject: op.label,
        rule: "operation-id-changed",
        message: `${op.label}: operationId ${show(bOp.operationId)} -> ${show(rOp.operationId)}`,
      });
    }
    this.deprecation(op, "operation", at, op.label, bOp, rOp);
    const bSecurity = bOp.security ?? this.base.security;
    const rSecurity = rOp.security ?? this.revision.security;
    const schemes = (doc, security) =>
      (security ?? []).flatMap((s) => Object.keys(s)).map((name) => doc.components?.securitySchemes?.[name]);
    if (
      !isDeepStrictEqual(bSecurity, rSecurity) ||
      !isDeepStrictEqual(schemes(this.base, bSecurity), schemes(this.revision, rSecurity))
    ) {
      this.add(op, "operation", {
        where: `${at}/security`,
        subject: op.label,
        rule: "security-changed",
        message: `${op.label}: security ${show(bSecurity)} -> ${show(rSecurity)}`,
      });
    }
    this.compareParameters(op, { path, method, b, r, bOp, rOp });
    this.compareRequestBody(op, at, bOp.requestBody, rOp.requestBody);
    this.compareResponses(op, at, bOp.responses ?? {}, rOp.responses ?? {});
  }

  compareParameters(op, { path, method, b, r, bOp, rOp }) {
    const collect = (doc, item, operation) => {
      const found = new Map();
      const read = (list, at) =>
        (list ?? []).forEach((p, i) => {
          const { node, where } = resolve(doc, p, `${at}/parameters/${i}`);
          if (node?.name) found.set(`${node.in}:${node.name}`, { node, where });
        });
      read(item.parameters, pointer("paths", path));
      read(operation.parameters, pointer("paths", path, method));
      return found;
    };
    const bParams = collect(this.base, b, bOp);
    const rParams = collect(this.revision, r, rOp);
    for (const key of union([...bParams.keys()], [...rParams.keys()])) {
      const bp = bParams.get(key);
      const rp = rParams.get(key);
      const node = (rp ?? bp).node;
      const subject = `${node.in} parameter ${node.name}`;
      const part = subject;
      if (!rp) {
        this.removed({
          op,
          direction: "request",
          where: bp.where,
          subject,
          node: bp.node,
          rule: "parameter-removed",
          part,
        });
        continue;
      }
      const where = rp.where;
      if (!bp) {
        const required = rp.node.required === true;
        this.add(op, "request", {
          where,
          subject,
          part,
          rule: required ? "parameter-added-required" : "parameter-added-optional",
          message: `${subject} added${required ? " (required)" : " (optional)"}`,
        });
        continue;
      }
      const [bn, rn] = [bp.node, rp.node];
      if (Boolean(bn.required) !== Boolean(rn.required)) {
        this.add(op, "request", {
          where,
          subject,
          part,
          rule: rn.required ? "parameter-became-required" : "parameter-became-optional",
          message: `${subject} ${rn.required ? "became required" : "became optional"}`,
        });
      }
      for (const key of ["style", "explode", "allowReserved", "content"]) {
        if (!isDeepStrictEqual(bn[key], rn[key])) {
          this.add(op, "request", {
            where,
            subject,
            part,
            rule: "parameter-serialization-changed",
            message: `${subject}: ${key} ${show(bn[key])} -> ${show(rn[key])}`,
          });
        }
      }
      for (const key of ["description", "allowEmptyValue"]) {
        if (!isDeepStrictEqual(bn[key], rn[key])) {
          this.add(op, "request", {
            where,
            subject,
            part,
            rule: "description-changed",
            message: `${subject}: ${key} changed`,
          });
        }
      }
      if (!isDeepStrictEqual([bn.example, bn.examples], [rn.example, rn.examples])) {
        this.add(op, "request", {
          where,
          subject,
          part,
          rule: "example-changed",
          message: `${subject}: example changed`,
        });
      }
      this.deprecation(op, "request", where, subject, bn, rn, part);
      this.schema(op, "request", part, bn.schema, rn.schema, { where: `${where}/schema`, subject: node.name });
    }
  }

  compareRequestBody(op, at, bBody, rBody) {
    const part = "request body";
    const b = resolve(this.base, bBody, `${at}/requestBody`);
    const r = resolve(this.revision, rBody, `${at}/requestBody`);
    if (!b.node && !r.node) return;
    const subject = `${op.method} ${op.path} request body`;
    if (!r.node) {
      this.removed({
        op,
        direction: "request",
        where: b.where,
        subject,
        node: b.node,
        rule: "request-body-removed",
        part,
      });
      return;
    }
    if (!b.node) {
      const required = r.node.required === true;
      this.add(op, "request", {
        where: r.where,
        subject,
        part,
        rule: required ? "request-body-added" : "request-body-added-optional",
        message: `${subject} added${required ? " (required)" : " (optional)"}`,
      });
      return;
    }
    if (Boolean(b.node.required) !== Boolean(r.node.required)) {
      this.add(op, "request", {
        where: r.where,
        subject,
        part,
        rule: r.node.required ? "request-body-became-required" : "request-body-became-optional",
        message: `${subject} ${r.node.required ? "became required" : "became optional"}`,
      });
    }
    if (b.node.description !== r.node.description) {
      this.add(op, "request", {
        where: r.where,
        subject,
        part,
        rule: "description-changed",
        message: `${subject}: description changed`,
      });
    }
    this.content(op, "request", part, r.where, subject, b.node.content, r.node.content);
  }

  compareResponses(op, at, bResponses, rResponses) {
    for (const status of union(Object.keys(bResponses), Object.keys(rResponses))) {
      const part = `response ${status}`;
      const b = resolve(this.base, bResponses[status], `${at}/responses/${status}`);
      const r = resolve(this.revision, rResponses[status], `${at}/responses/${status}`);
      const subject = `${op.method} ${op.path} ${status} response`;
      if (!r.node) {
        this.removed({
          op,
          direction: "response",
          where: `${at}/responses/${status}`,
          subject,
          node: b.node,
          rule: "response-status-removed",
          part,
        });
        continue;
      }
      if (!b.node) {
        const success = /^2/.test(status);
        this.add(op, "response", {
          where: `${at}/responses/${status}`,
          subject,
          part,
          rule: success ? "response-success-status-added" : "response-status-added",
          message: `${subject} added`,
        });
        continue;
      }
      const where = r.where;
      const name = r.where.startsWith("#/components/") ? r.where.split("/").at(-1) : subject;
      if (b.node.description !== r.node.description) {
        this.add(op, "response", {
          where,
          subject: name,
          part,
          rule: "description-changed",
          message: `${name}: description changed`,
        });
      }
      const bHeaders = b.node.headers ?? {};
      const rHeaders = r.node.headers ?? {};
      for (const header of union(Object.keys(bHeaders), Object.keys(rHeaders))) {
        const hb = resolve(this.base, bHeaders[header], `${where}/headers/${header}`);
        const hr = resolve(this.revision, rHeaders[header], `${where}/headers/${header}`);
        const hSubject = `${name} header ${header}`;
        if (!hr.node)
          this.removed({
            op,
            direction: "response",
            where: hb.where,
            subject: hSubject,
            node: hb.node,
            rule: "response-header-removed",
            part,
          });
        else if (!hb.node)
          this.add(op, "response", {
            where: hr.where,
            subject: hSubject,
            part,
            rule: "response-header-added",
            message: `${hSubject} added`,
          });
        else
          this.schema(op, "response", part, hb.node.schema, hr.node.schema, {
            where: `${hr.where}/schema`,
            subject: hSubject,
          });
      }
      this.content(op, "response", part, where, name, b.node.content, r.node.content);
    }
  }

  content(op, direction, part, at, subject, bContent = {}, rContent = {}) {
    for (const mediaType of union(Object.keys(bContent), Object.keys(rContent))) {
      const where = `${at}/content/${escapeSegment(mediaType)}`;
      const b = bContent[mediaType];
      const r = rContent[mediaType];
      const mSubject = `${subject} (${mediaType})`;
      if (!r) {
        this.removed({ op, direction, where, subject: mSubject, node: b, rule: "media-type-removed", part });
        continue;
      }
      if (!b) {
        this.add(op, direction, {
          where,
          subject: mSubject,
          part,
          rule: "media-type-added",
          message: `${mSubject} added`,
        });
        continue;
      }
      this.examples(op, direction, part, where, subject, b, r);
      this.schema(op, direction, part, b.schema, r.schema, { where: `${where}/schema`, subject });
    }
  }

  // A media type's named examples: each change is docs-only, keyed by the example's component when it has one.
  examples(op, direction, part, where, subject, b, r) {
    if (!isDeepStrictEqual(b.example, r.example)) {
      this.add(op, direction, {
        where: `${where}/example`,
        subject,
        part,
        rule: "example-changed",
        message: `${subject}: example changed`,
      });
    }
    const bExamples = b.examples ?? {};
    const rExamples = r.examples ?? {};
    for (const name of union(Object.keys(bExamples), Object.keys(rExamples))) {
      const eb = resolve(this.base, bExamples[name], `${where}/examples/${escapeSegment(name)}`);
      const er = resolve(this.revision, rExamples[name], `${where}/examples/${escapeSegment(name)}`);
      if (isDeepStrictEqual(eb.node, er.node)) continue;
      const kind = !eb.node ? "added" : !er.node ? "removed" : "changed";
      this.add(op, direction, {
        where: (er.node ? er : eb).where,
        subject: `example ${name}`,
        part,
        rule: "example-changed",
        message: `example ${name} ${kind}`,
      });
    }
  }

  deprecation(op, direction, where, subject, b, r, part) {
    const was = [b?.deprecated === true, b?.["x-sunset"]];
    const now = [r?.deprecated === true, r?.["x-sunset"]];
    if (isDeepStrictEqual(was, now)) return;
    const message = now[0]
      ? `${subject} deprecated${now[1] ? ` (sunset ${now[1]})` : " (no x-sunset date: give one so it can be removed)"}`
      : `${subject} no longer deprecated`;
    this.add(op, direction, { where, subject, part, rule: "deprecated", message });
  }

  /** Compares two schemas in `direction` for `op`, adding each change with the field path it has in `part`. */
  schema(op, direction, part, b, r, at) {
    for (const change of this.compareSchema(b, r, direction, at)) {
      this.add(op, direction, { ...change, part }, change.field);
    }
  }

  // Returns the changes between schemas `b` and `r` at `at` ({ where, subject }), each with a `field` path
  // relative to `at`. A `$ref` on both sides compares the referenced schemas once, at their own location.
  compareSchema(b, r, direction, at) {
    if (b === undefined && r === undefined) return [];
    if (isRef(b) && isRef(r)) {
      const out = [];
      const bs = siblings(b);
      const rs = siblings(r);
      if (Object.keys(bs).length + Object.keys(rs).length > 0) out.push(...this.compareNode(bs, rs, direction, at));
      const key = `${b.$ref}|${r.$ref}|${direction}`;
      if (!this.memo.has(key)) {
        this.memo.set(key, []); // a cycle compares to nothing the second time round
        const bt = lookup(this.base, b.$ref);
        const rt = lookup(this.revision, r.$ref);
        const target = { where: r.$ref, subject: r.$ref.split("/").at(-1) };
        this.memo.set(key, this.compareSchema(bt, rt, direction, target));
      }
      return [...out, ...this.memo.get(key)];
    }
    return this.compareNode(inline(this.base, b), inline(this.revision, r), direction, at);
  }

  compareNode(b, r, direction, at) {
    // Equal nodes are equal schemas only when no $ref inside leads to a schema that changed.
    if (isDeepStrictEqual(b, r) && !hasRefs(b)) return [];
    const out = [];
    const { where, subject } = at;
    const push = (rule, message, extra = {}) =>
      out.push({ where, subject, rule, message: `${subject}: ${message}`, field: "", ...extra });
    if (typeof b !== "object" || typeof r !== "object" || b === null || r === null) {
      // `true`/`false` schemas, or one side missing altogether.
      push(b === undefined ? "type-widened" : "type-changed", `schema ${show(b)} -> ${show(r)}`);
      return out;
    }
    for (const key of wordKeywords) {
      if (!isDeepStrictEqual(b[key], r[key])) push("description-changed", `${key} changed`);
    }
    for (const key of exampleKeywords) {
      if (!isDeepStrictEqual(b[key], r[key])) push("example-changed", `${key} changed`);
    }
    this.compareType(b, r, push);
    for (const [key, rules] of [
      ["format", ["format-added", "format-removed", "format-changed"]],
      ["pattern", ["pattern-added", "pattern-removed", "pattern-changed"]],
    ]) {
      if (b[key] === r[key]) continue;
      const rule = b[key] === undefined ? rules[0] : r[key] === undefined ? rules[1] : rules[2];
      push(rule, `${key} ${show(b[key])} -> ${show(r[key])}`);
    }
    if (!isDeepStrictEqual(b.const, r.const)) push("const-changed", `const ${show(b.const)} -> ${show(r.const)}`);
    this.compareEnum(b, r, push);
    this.compareBounds(b, r, push);
    if (!isDeepStrictEqual(b.default, r.default))
      push("default-changed", `default ${show(b.default)} -> ${show(r.default)}`);
    for (const [key, added, removed] of [
      ["readOnly", "read-only-added", "read-only-removed"],
      ["writeOnly", "write-only-added", "write-only-removed"],
    ]) {
      if (Boolean(b[key]) !== Boolean(r[key]))
        push(r[key] ? added : removed, `${key} ${show(b[key])} -> ${show(r[key])}`);
    }
    const was = [b.deprecated === true, b["x-sunset"]];
    const is = [r.deprecated === true, r["x-sunset"]];
    if (!isDeepStrictEqual(was, is)) {
      push(
        "deprecated",
        is[0] ? `deprecated${is[1] ? ` (sunset ${is[1]})` : " (no x-sunset date)"}` : "no longer deprecated",
      );
    }
    out.push(...this.compareProperties(b, r, direction, at));
    out.push(...this.compareAdditional(b, r, direction, at, push));
    if (b.items !== undefined || r.items !== undefined) {
      out.push(
        ...nest(
          this.compareSchema(b.items, r.items, direction, { where: `${where}/items`, subject: `${subject}[]` }),
          "[]",
        ),
      );
    }
    for (const key of ["oneOf", "anyOf"]) out.push(...this.compareUnion(key, b, r, direction, at, push));
    this.compareDiscriminator(b, r, push);
    if (b.allOf || r.allOf) {
      const length = Math.max(b.allOf?.length ?? 0, r.allOf?.length ?? 0);
      if ((b.allOf?.length ?? 0) !== (r.allOf?.length ?? 0)) push("keyword-changed", `allOf has ${length} parts now`);
      else {
        for (let i = 0; i < length; i++) {
          out.push(...this.compareSchema(b.allOf[i], r.allOf[i], direction, { where: `${where}/allOf/${i}`, subject }));
        }
      }
    }
    for (const key of union(Object.keys(b), Object.keys(r))) {
      if (handled.has(key) || (key.startsWith("x-") && key !== "x-sunset")) continue;
      if (!isDeepStrictEqual(b[key], r[key])) push("keyword-changed", `${key} ${short(b[key])} -> ${short(r[key])}`);
    }
    return out;
  }

  compareType(b, r, push) {
    const bt = types(b);
    const rt = types(r);
    if (isDeepStrictEqual(bt, rt)) return;
    const text = `type ${bt ? bt.join(" | ") : "any"} -> ${rt ? rt.join(" | ") : "any"}`;
    if (!bt) push("type-narrowed", text);
    else if (!rt) push("type-widened", text);
    else if (rt.every((t) => contains(bt, t))) push("type-narrowed", text);
    else if (bt.every((t) => contains(rt, t))) push("type-widened", text);
    else push("type-changed", text);
  }

  compareEnum(b, r, push) {
    if (isDeepStrictEqual(b.enum, r.enum)) return;
    if (!b.enum || !r.enum) {
      push(
        b.enum ? "enum-value-added" : "enum-value-removed",
        `enum ${b.enum ? "removed: any value" : "added: only listed values"}`,
      );
      return;
    }
    const has = (list, v) => list.some((x) => isDeepStrictEqual(x, v));
    const added = r.enum.filter((v) => !has(b.enum, v));
    const removed = b.enum.filter((v) => !has(r.enum, v));
    const list = (values) => values.map((v) => JSON.stringify(v)).join(", ");
    if (added.length > 0) push("enum-value-added", `enum value${added.length > 1 ? "s" : ""} ${list(added)} added`);
    if (removed.length > 0)
      push("enum-value-removed", `enum value${removed.length > 1 ? "s" : ""} ${list(removed)} removed`);
    if (added.length === 0 && removed.length === 0) push("description-changed", "enum values reordered");
  }

  compareBounds(b, r, push) {
    for (const [keys, tighter] of [
      [lowerBounds, (x, y) => y > x],
      [upperBounds, (x, y) => y < x],
    ]) {
      for (const key of keys) {
        const [x, y] = [b[key], r[key]];
        if (x === y) continue;
        const tightened = x === undefined || (y !== undefined && tighter(x, y));
        push(
          tightened ? "bounds-tightened" : "bounds-loosened",
          `${key} ${show(x)} -> ${show(y)} (${tightened ? "tightened" : "loosened"})`,
        );
      }
    }
    if (b.multipleOf !== r.multipleOf) {
      const rule =
        b.multipleOf === undefined || (r.multipleOf !== undefined && r.multipleOf % b.multipleOf === 0)
          ? "bounds-tightened"
          : r.multipleOf === undefined || b.multipleOf % r.multipleOf === 0
            ? "bounds-loosened"
            : "keyword-changed";
      push(rule, `multipleOf ${show(b.multipleOf)} -> ${show(r.multipleOf)}`);
    }
    if (Boolean(b.uniqueItems) !== Boolean(r.uniqueItems)) {
      push(
        r.uniqueItems ? "bounds-tightened" : "bounds-loosened",
        `uniqueItems ${show(b.uniqueItems)} -> ${show(r.uniqueItems)}`,
      );
    }
  }

  compareProperties(b, r, direction, at) {
    const out = [];
    const bProps = b.properties ?? {};
    const rProps = r.properties ?? {};
    const bRequired = new Set(b.required ?? []);
    const rRequired = new Set(r.required ?? []);
    // A field a client never sends (readOnly) or never reads (writeOnly) does not matter in that direction.
    const hidden = (doc, node) => {
      const s = inline(doc, node) ?? {};
      return direction === "request" ? s.readOnly === true : s.writeOnly === true;
    };
    for (const name of union(Object.keys(bProps), Object.keys(rProps))) {
      const where = `${at.where}/properties/${escapeSegment(name)}`;
      const subject = `${at.subject}.${name}`;
      const bp = bProps[name];
      const rp = rProps[name];
      const change = (rule, message) =>
        out.push({ where, subject, rule, message: `${subject} ${message}`, field: name });
      if (!rp) {
        if (hidden(this.base, bp)) continue;
        const node = { ...inline(this.base, bp), ...bp };
        const [message, rule] = removal(node, this.now);
        change(rule ?? "property-removed", `removed${message}`);
        continue;
      }
      if (!bp) {
        if (hidden(this.revision, rp)) continue;
        const required = rRequired.has(name);
        change(
          required ? "required-property-added" : "property-added",
          `added${required ? " (required)" : " (optional)"}`,
        );
        continue;
      }
      if (hidden(this.base, bp) && hidden(this.revision, rp)) continue;
      if (bRequired.has(name) !== rRequired.has(name)) {
        change(
          rRequired.has(name) ? "property-became-required" : "property-became-optional",
          rRequired.has(name) ? "became required" : "became optional",
        );
      }
      out.push(...nest(this.compareSchema(bp, rp, direction, { where, subject }), name));
    }
    // A name required with no property of that name still constrains the object.
    for (const name of union([...bRequired], [...rRequired])) {
      if (bProps[name] || rProps[name] || bRequired.has(name) === rRequired.has(name)) continue;
      out.push({
        where: at.where,
        subject: at.subject,
        rule: rRequired.has(name) ? "property-became-required" : "property-became-optional",
        message: `${at.subject}: ${name} ${rRequired.has(name) ? "became required" : "became optional"}`,
        field: "",
      });
    }
    return out;
  }

  compareAdditional(b, r, direction, at, push) {
    const kind = (v) => (v === undefined || v === true ? "any" : v === false ? "none" : "schema");
    const [bk, rk] = [kind(b.additionalProperties), kind(r.additionalProperties)];
    const text = `additionalProperties ${short(b.additionalProperties)} -> ${short(r.additionalProperties)}`;
    if (bk === "schema" && rk === "schema") {
      const sub = { where: `${at.where}/additionalProperties`, subject: `${at.subject}{}` };
      return nest(this.compareSchema(b.additionalProperties, r.additionalProperties, direction, sub), "{}");
    }
    if (bk === rk) return [];
    const narrower = rk === "none" || (bk === "any" && rk === "schema");
    push(narrower ? "additional-properties-restricted" : "additional-properties-allowed", text);
    return [];
  }

  // Union variants are matched by their $ref (or by the value of the discriminator they pin, or by position);
  // one added or removed variant is one change, the discriminator mapping's entry for it included.
  compareUnion(key, b, r, direction, at, push) {
    if (!b[key] && !r[key]) return [];
    if (!b[key] || !r[key]) {
      push(b[key] ? "union-variant-added" : "union-variant-removed", `${key} ${b[key] ? "removed" : "added"}`);
      return [];
    }
    const out = [];
    const bVariants = variants(this.base, b, key);
    const rVariants = variants(this.revision, r, key);
    for (const id of union([...bVariants.keys()], [...rVariants.keys()])) {
      const bv = bVariants.get(id);
      const rv = rVariants.get(id);
      if (!rv) push("union-variant-removed", `variant ${bv.label} removed`);
      else if (!bv) push("union-variant-added", `variant ${rv.label} added`);
      else {
        const sub = { where: `${at.where}/${key}/${rv.index}`, subject: `${at.subject}(${rv.name})` };
        out.push(...nest(this.compareSchema(bv.node, rv.node, direction, sub), `(${rv.name})`));
      }
    }
    return out;
  }

  compareDiscriminator(b, r, push) {
    const bd = b.discriminator;
    const rd = r.discriminator;
    if (isDeepStrictEqual(bd, rd)) return;
    if (bd?.propertyName !== rd?.propertyName) {
      push("discriminator-changed", `discriminator ${show(bd?.propertyName)} -> ${show(rd?.propertyName)}`);
      return;
    }
    // A mapping entry whose target is in both unions under another value changed the tag clients send or read.
    const bMap = bd?.mapping ?? {};
    const rMap = rd?.mapping ?? {};
    const byTarget = (map) => new Map(Object.entries(map).map(([value, target]) => [target, value]));
    const [bt, rt] = [byTarget(bMap), byTarget(rMap)];
    for (const [target, value] of bt) {
      if (rt.has(target) && rt.get(target) !== value) {
        push(
          "discriminator-changed",
          `discriminator value of ${target.split("/").at(-1)} ${show(value)} -> ${show(rt.get(target))}`,
        );
      }
    }
  }
}

/** The entries from the raw changes: one per location, rule, message and verdict, with every operation. */
function group(found) {
  const entries = new Map();
  for (const change of found) {
    const verdict = verdictOf(change.rule, change.direction);
    const key = JSON.stringify([change.where, change.rule, change.message, verdict]);
    let entry = entries.get(key);
    if (!entry) {
      entry = {
        verdict,
        where: change.where,
        subject: change.subject,
        rule: change.rule,
        message: change.message,
        directions: new Set(),
        affected: [],
      };
      entries.set(key, entry);
    }
    entry.directions.add(change.direction);
    const o = change.occurrence;
    if (o && !entry.affected.some((a) => a.operationId === o.operationId && a.part === o.part && a.field === o.field)) {
      entry.affected.push({
        operationId: o.operationId,
        method: o.method,
        path: o.path,
        direction: o.direction,
        part: o.part,
        field: o.field,
      });
    }
  }
  const out = [...entries.values()].map(({ directions, affected, ...entry }) => ({
    ...entry,
    direction: directions.size > 1 ? "both" : [...directions][0],
    operations: [...new Set(affected.map((a) => a.operationId))],
    affected,
  }));
  return out.sort(
    (x, y) =>
      verdicts.indexOf(x.verdict) - verdicts.indexOf(y.verdict) ||
      x.where.localeCompare(y.where) ||
      x.message.localeCompare(y.message),
  );
}

function describeOperation(method, path, operation) {
  const upper = method.toUpperCase();
  const operationId = operation.operationId ?? `${upper} ${path}`;
  return { operationId, method: upper, path, label: `${operationId} (${upper} ${path})` };
}

// [message suffix, rule] for a removed property, by its deprecation.
function removal(node, now) {
  const sunset = node?.["x-sunset"];
  if (node?.deprecated === true && sunset && String(sunset) <= now)
    return [` (deprecated, sunset ${sunset} passed)`, "removed-after-sunset"];
  if (node?.deprecated === true && sunset) return [` before its sunset: it is deprecated until ${sunset}`];
  if (node?.deprecated === true)
    return [": it was deprecated without an x-sunset date, so clients were never told when"];
  return [": it was not deprecated first (deprecated: true with an x-sunset date)"];
}

function variants(doc, schema, key) {
  const list = schema[key];
  const mapping = schema.discriminator?.mapping ?? {};
  const property = schema.discriminator?.propertyName;
  const out = new Map();
  list.forEach((node, index) => {
    const target = inline(doc, node) ?? {};
    const tag = isRef(node)
      ? Object.entries(mapping).find(([, ref]) => ref === node.$ref)?.[0]
      : property && target.properties?.[property]?.const;
    const name = isRef(node) ? node.$ref.split("/").at(-1) : (tag ?? `#${index}`);
    const label = tag !== undefined && tag !== name ? `${name} (${property}: ${tag})` : name;
    out.set(isRef(node) ? node.$ref : tag !== undefined ? `tag:${tag}` : `index:${index}`, {
      node,
      index,
      name,
      label,
    });
  });
  return out;
}

// Prefixes the relative field paths of nested changes with the field they were found under.
function nest(changes, segment) {
  return changes.map((c) => ({
    ...c,
    field: !c.field
      ? segment
      : c.field.startsWith("[") || c.field.startsWith("{") || c.field.startsWith("(")
        ? `${segment}${c.field}`
        : `${segment}.${c.field}`,
  }));
}

function types(schema) {
  if (schema.type === undefined) return undefined;
  return [...new Set([schema.type].flat())].sort();
}

const contains = (set, t) => set.includes(t) || (t === "integer" && set.includes("number"));

const refsCache = new WeakMap();
function hasRefs(node) {
  if (node === null || typeof node !== "object") return false;
  if (!refsCache.has(node)) {
    refsCache.set(node, typeof node.$ref === "string" || Object.values(node).some(hasRefs));
  }
  return refsCache.get(node);
}

const isRef = (node) => node !== null && typeof node === "object" && typeof node.$ref === "string";

function siblings(node) {
  const { $ref, ...rest } = node;
  return rest;
}

function lookup(doc, ref) {
  if (!ref.startsWith("#/")) throw new Error(`the review reads bundled documents only, not ${ref}`);
  let node = doc;
  for (const s of ref.slice(2).split("/")) {
    node = node?.[s.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  return node;
}

// A node with its $ref chain followed, the ref's siblings kept on top.
function inline(doc, node, seen = 0) {
  if (!isRef(node) || seen > 32) return node;
  const target = inline(doc, lookup(doc, node.$ref), seen + 1);
  return target && typeof target === "object" ? { ...target, ...siblings(node) } : target;
}

// A parameter, request body, response, header or example, with the location it is defined at.
function resolve(doc, node, where) {
  if (!isRef(node)) return { node, where };
  let ref = node.$ref;
  let target = lookup(doc, ref);
  for (let i = 0; isRef(target) && i < 32; i++) {
    ref = target.$ref;
    target = lookup(doc, ref);
  }
  return { node: target && { ...target, ...siblings(node) }, where: ref };
}

function short(value) {
  const text = show(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function union(a, b) {
  return [...new Set([...a, ...b])];
}
