// Breaking-change gate: compares the spec with the last released snapshot (openapi/released/) through
// `redocly diff`, prints every change in plain words and exits 1 when one of them can break a client.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parse } from "yaml";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const redocly = createRequire(import.meta.url).resolve("@redocly/cli/bin/cli.js");
const httpMethods = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);
const labels = { major: "BREAKING", minor: "MINOR", patch: "PATCH" };

/** The snapshot of the last released spec, the base of the comparison. */
export const releasedSpecPath = resolve(root, "openapi/released/openapi.json");
/** The spec as it is now, the revision compared with the snapshot. */
export const currentSpecPath = resolve(root, "packages/spec/bundled/openapi.json");

/**
 * Runs `redocly diff` with the `diff-recommended` rules of redocly.yaml and returns its report's changes.
 * Each change has a JSON pointer `path` into the revision (or the base, when removed), a `kind`, an
 * `impact` (`major` breaks a client) and the `verdicts` of the rules that rated it.
 */
export async function diffSpecs(basePath = releasedSpecPath, revisionPath = currentSpecPath) {
  const args = [redocly, "diff", basePath, revisionPath, "--format=json", "--fail-on=none"];
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...args, `--config=${resolve(root, "redocly.yaml")}`],
      {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          ...process.env,
          NO_COLOR: "1",
          REDOCLY_TELEMETRY: "off",
          REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
          REDOCLY_SUPPRESS_NOTIFICATIONS: "true",
        },
      },
    );
    return JSON.parse(stdout).changes;
  } catch (error) {
    // The CLI prints a banner before its error on stderr; its last lines say what went wrong.
    const stderr = String(error.stderr ?? error.message)
      .trim()
      .split("\n")
      .slice(-6)
      .join("\n");
    throw new Error(`redocly diff could not compare ${basePath} with ${revisionPath}:\n${stderr}`);
  }
}

/**
 * One change in plain words: `line` names the operation, the status or the part of the request, and what
 * changed (`GET /api/x 200: response field items[].note removed`); `details` are the rules' own messages.
 * `base` and `revision` are the two documents, used to name parameters that the report gives by index.
 */
export function describeChange(change, { base, revision }) {
  const doc = change.kind === "removed" ? base : revision;
  const segments = decodePointer(change.path);
  const { where, subject } = locate(segments, doc);
  const kind = change.kind === "modified" ? "changed" : change.kind;
  const property = change.property ? ` (${change.property}${values(change)})` : "";
  return {
    impact: change.impact,
    breaking: change.impact === "major",
    line: `${where ? `${where}: ` : ""}${subject} ${kind}${property}`,
    details: (change.verdicts ?? []).map((v) => `${v.message} (${v.ruleId})`),
  };
}

/** The whole report: one labelled line per change (its rule messages indented below), then a summary line. */
export function formatReport(described, { basePath, revisionPath }) {
  const lines = [];
  const order = ["major", "minor", "patch"];
  const sorted = [...described].sort((a, b) => order.indexOf(a.impact) - order.indexOf(b.impact));
  for (const change of sorted) {
    const label = labels[change.impact] ?? change.impact.toUpperCase();
    lines.push(`${label.padEnd(10)}${change.line}`);
    for (const detail of change.details) lines.push(`${" ".repeat(10)}${detail}`);
  }
  const count = (impact) => described.filter((c) => c.impact === impact).length;
  const breaking = count("major");
  lines.push(
    `${breaking} breaking, ${count("minor")} minor, ${count("patch")} patch ` +
      `(${shortPath(basePath)} -> ${shortPath(revisionPath)})`,
  );
  if (breaking > 0) {
    lines.push(
      "Breaking changes can break existing clients: undo them, or release a new major version " +
        "(and refresh openapi/released/, see its README).",
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Compares two spec files and returns the report text and whether any change breaks a client. */
export async function checkSpec(basePath = releasedSpecPath, revisionPath = currentSpecPath) {
  const changes = await diffSpecs(basePath, revisionPath);
  const docs = { base: readSpec(basePath), revision: readSpec(revisionPath) };
  const described = changes.map((change) => describeChange(change, docs));
  return {
    breaking: described.some((c) => c.breaking),
    report: formatReport(described, { basePath, revisionPath }),
  };
}

// Short before/after values make a modified keyword readable without the rules' messages.
function values(change) {
  const show = (side) => (side && "value" in side ? JSON.stringify(side.value) : "absent");
  const text = `${show(change.base)} -> ${show(change.revision)}`;
  return text.length <= 60 ? `: ${text}` : "";
}

function shortPath(path) {
  const rel = relative(root, path);
  return rel.startsWith("..") ? path : rel;
}

// YAML is a superset of JSON, so one parser reads both forms of a spec.
function readSpec(path) {
  return parse(readFileSync(path, "utf8"), { maxAliasCount: -1 });
}

function decodePointer(pointer) {
  return pointer
    .replace(/^#?\/?/, "")
    .split("/")
    .filter((s) => s !== "")
    .map((s) => decodeURIComponent(s).replaceAll("~1", "/").replaceAll("~0", "~"));
}

// Maps a pointer into the document to the operation it belongs to and the thing that changed.
function locate(segments, doc) {
  if (segments[0] !== "paths") return { where: "", subject: segments.join(".") || "document" };
  const [, path, method, ...rest] = segments;
  if (method === undefined) return { where: path, subject: "path" };
  if (!httpMethods.has(method)) return { where: path, subject: part([method, ...rest], doc, ["paths", path]) };
  const where = `${method.toUpperCase()} ${path}`;
  if (rest[0] === "responses" && rest[1] !== undefined) {
    return { where: `${where} ${rest[1]}`, subject: response(rest.slice(2)) };
  }
  return { where, subject: rest.length === 0 ? "operation" : part(rest, doc, ["paths", path, method]) };
}

function response(rest) {
  if (rest.length === 0) return "response";
  if (rest[0] === "headers") return `response header ${rest[1]}`;
  if (rest[0] === "content") return body("response", rest.slice(1));
  return `response ${rest.join(".")}`;
}

function body(direction, rest) {
  const [mediaType, schema, ...fields] = rest;
  if (mediaType === undefined) return `${direction} content`;
  if (schema !== "schema") return `${direction} media type ${mediaType}${schema ? ` ${schema}` : ""}`;
  return fields.length === 0 ? `${direction} body` : `${direction} field ${fieldPath(fields)}`;
}

// Parts of an operation (or of a path item) other than its responses.
function part(rest, doc, at) {
  if (rest[0] === "requestBody") return rest[1] === "content" ? body("request", rest.slice(2)) : "request body";
  if (rest[0] === "parameters" && rest[1] !== undefined) {
    const parameter = resolveRef(doc, dig(doc, [...at, "parameters", rest[1]]));
    const name = parameter?.name ? `${parameter.in} parameter ${parameter.name}` : `parameter ${rest[1]}`;
    const fields = rest[2] === "schema" ? fieldPath(rest.slice(3)) : rest.slice(2).join(".");
    if (!fields) return name;
    return fields.startsWith("[") ? `${name}${fields}` : `${name} ${fields}`;
  }
  if (rest[0] === "security") return "security requirement";
  return rest.join(".");
}

// `properties/items/items/properties/note` -> `items[].note`; union branches and mappings stay visible.
function fieldPath(segments) {
  let out = "";
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const next = segments[i + 1];
    if ((s === "properties" || s === "patternProperties") && next !== undefined) {
      out += `${out ? "." : ""}${next}`;
      i++;
    } else if (s === "items") out += "[]";
    else if (s === "additionalProperties") out += "{}";
    else if (["oneOf", "anyOf", "allOf", "prefixItems"].includes(s) && next !== undefined) {
      out += `.${s}[${next}]`;
      i++;
    } else if (s === "discriminator" && segments[i + 1] === "mapping" && segments[i + 2] !== undefined) {
      out += `(${segments[i + 2]})`;
      i += 2;
    } else if (s !== "$ref") out += `${out ? "." : ""}${s}`;
  }
  return out.replace(/^\./, "");
}

function dig(doc, segments) {
  let node = doc;
  for (const s of segments) {
    node = resolveRef(doc, node)?.[s];
    if (node === undefined) return undefined;
  }
  return node;
}

function resolveRef(doc, node) {
  if (!node || typeof node.$ref !== "string" || !node.$ref.startsWith("#/")) return node;
  return dig(doc, decodePointer(node.$ref));
}

async function main(argv) {
  // pnpm runs scripts from the package root; INIT_CWD is where the user typed the command.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const option = (name) => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return undefined;
    const value = argv[i].includes("=") ? argv[i].slice(argv[i].indexOf("=") + 1) : argv[i + 1];
    return value ? resolve(cwd, value) : undefined;
  };
  const basePath = option("base") ?? releasedSpecPath;
  const revisionPath = option("revision") ?? currentSpecPath;
  const { breaking, report } = await checkSpec(basePath, revisionPath);
  process.stdout.write(report);
  if (breaking) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`spec:diff: ${error.message}\n`);
    process.exitCode = 2;
  });
}
