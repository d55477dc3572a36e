// What the server does to a request before Ajv validates it, framework-free and without Node's modules, so that code
// outside Node (a browser's request handlers) can validate a request exactly as the server does. It mirrors:
// - the server's query parser: Node's `querystring.parse(query, "&", "=", { maxKeys: 0 })` (packages/server/src/app.ts)
// - express-openapi-validator 5.6 (middlewares/openapi.request.validator.js and its parsers/):
//   - `RequestParameterMutator.modifyRequest`: bracket keys (`a[b]=1`) parsed as `qs` parses them (a subset, below),
//     an exploded array parameter sent once made an array, a delimited one split;
//   - `processQueryParam`: the first query parameter the operation does not declare, or that is sent empty, refused
//     before any schema is checked, with a `path` and no `errorCode`;
//   - `BodySchemaParser.toSchema`: which declared media type a Content-Type selects, and its 415s;
//   - `augmentAjvErrors` and `ajvErrorsToValidatorError` (middlewares/util.js): Ajv's errors as the validator's, each
//     with a `path` (`/body/allocations/0/amount_cents`), a message and an `errorCode` (`minimum.openapi.validation`).
// Not mirrored: route lookup (404, 405, a malformed path), security (401, 403) and multipart bodies; the validator's
// query checks for reserved characters, which the server turns off (`allowReserved`); `qs` where a bracket key's
// value holds `&` and the parts share a root, or an array index past 20 (approximated).

/** An error of Ajv (`ErrorObject`), as the precompiled validators report it. */
export interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A precompiled Ajv validator: returns whether `data` passes, and leaves its errors on `errors`. */
export interface AjvValidate {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}

/** One problem of a refused request, as express-openapi-validator reports it (its error's `errors`). */
export interface ValidatorProblem {
  /** Where: `/body/…`, `/query/<name>`, `/params/<name>`, `/headers/<name>`; the route for a 415. */
  path: string;
  message: string;
  /** `<Ajv keyword>.openapi.validation`; absent on the checks the validator makes before Ajv. */
  errorCode?: string;
}

/** A refused request, shaped like express-openapi-validator's errors (`BadRequest`, `UnsupportedMediaType`). */
export interface ValidatorError {
  status: 400 | 415;
  message: string;
  path: string;
  errors: ValidatorProblem[];
}

/** How one parameter is reshaped before validation (`RequestParameterMutator`). */
export interface ParameterShape {
  name: string;
  in: "query" | "headers" | "params" | "cookies";
  /** `wrap`: an exploded array sent once becomes an array of one; `split`: a delimited array is split. */
  array?: "wrap" | "split";
  delimiter?: string;
}

/** What the steps before Ajv need of one operation. */
export interface RequestShape {
  parameters: ParameterShape[];
  /** Whether unknown and empty query parameters are refused (`processQueryParam` runs). */
  checkQuery: boolean;
  /** The query parameters the operation declares (with API keys sent in the query). */
  knownQuery: string[];
  /** Query parameters declared with `allowEmptyValue`. */
  allowEmptyQuery: string[];
  /** The operation's request body: whether it is required, and its media types in the order of the spec. */
  body: { required?: boolean; mediaTypes: string[] } | null;
}

/** One operation with its precompiled validators (`src/generated/validators.ts`). */
export interface OperationValidators {
  method: string;
  path: string;
  /** The path in Express syntax, which the validator names in a 415. */
  expressRoute: string;
  request: RequestShape;
  /** Validates `{ query, headers, params, cookies, body }`: the parameters, coerced, defaults filled in. */
  parameters: AjvValidate;
  /** Per declared media type, validates `{ query, headers, params, cookies, body }`: the body, not coerced. */
  bodies: Record<string, AjvValidate>;
  /** Per declared status, the validator of its JSON body; null for a status that declares none. */
  responses: Record<number, AjvValidate | null>;
}

/** A parsed query: a string per key, the strings of a key sent more than once, objects where brackets nest. */
export type Query = Record<string, unknown>;

// --- The server's query parser: Node's querystring.parse(text, "&", "=", { maxKeys: 0 }) -----------------------

const hexValue = (code: number): number => {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
};

const utf8 = new TextDecoder("utf-8");

/** Node's `querystring.unescapeBuffer(s, true).toString()`: valid `%XX` decoded, the rest kept, each code unit as one byte. */
function unescapeBytes(s: string): string {
  const out = new Uint8Array(s.length);
  let length = 0;
  let index = 0;
  const maxLength = s.length - 2;
  while (index < s.length) {
    let char = s.charCodeAt(index);
    if (char === 43) {
      out[length++] = 32;
      index++;
      continue;
    }
    if (char === 37 && index < maxLength) {
      char = s.charCodeAt(++index);
      const high = hexValue(char);
      if (high < 0) {
        out[length++] = 37;
        continue;
      }
      const low = hexValue(s.charCodeAt(++index));
      if (low < 0) {
        out[length++] = 37;
        index--;
      } else {
        char = high * 16 + low;
      }
    }
    out[length++] = char & 0xff;
    index++;
  }
  return utf8.decode(out.subarray(0, length));
}

/** Node's `querystring.unescape`: `decodeURIComponent`, or byte by byte where that throws. */
function qsUnescape(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return unescapeBytes(s);
  }
}

function addKeyValue(query: Query, key: string, value: string, keyEncoded: boolean, valueEncoded: boolean) {
  const k = key.length > 0 && keyEncoded ? qsUnescape(key) : key;
  const v = value.length > 0 && valueEncoded ? qsUnescape(value) : value;
  const current = query[k];
  if (current === undefined) query[k] = v;
  else if (Array.isArray(current)) current.push(v);
  else query[k] = [current, v];
}

/**
 * The query string `text` (without its `?`) parsed as the server parses it: Node's `querystring.parse` with no cap on
 * the number of keys. `+` is a space; a key or value is percent-decoded only when it holds a valid `%XX`; a key sent
 * more than once gives an array. The object has no prototype, like Node's.
 */
export function parseQuery(text: string): Query {
  const query: Query = Object.create(null);
  if (text.length === 0) return query;
  let lastPos = 0;
  let afterEq = false;
  let key = "";
  let value = "";
  let keyEncoded = false;
  let valueEncoded = false;
  let encodeCheck = 0;
  for (let i = 0; i < text.length; ++i) {
    const code = text.charCodeAt(i);
    if (code === 38 /* & */) {
      const end = i;
      if (!afterEq) {
        if (lastPos < end) key += text.slice(lastPos, end);
        else if (key.length === 0) {
          // An empty substring between separators.
          lastPos = i + 1;
          continue;
        }
      } else if (lastPos < end) {
        value += text.slice(lastPos, end);
      }
      addKeyValue(query, key, value, keyEncoded, valueEncoded);
      keyEncoded = valueEncoded = false;
      key = value = "";
      encodeCheck = 0;
      lastPos = i + 1;
      afterEq = false;
      continue;
    }
    if (!afterEq) {
      if (code === 61 /* = */) {
        if (lastPos < i) key += text.slice(lastPos, i);
        afterEq = true;
        encodeCheck = 0;
        lastPos = i + 1;
        continue;
      }
      if (!keyEncoded) {
        if (code === 37 /* % */) {
          encodeCheck = 1;
          continue;
        }
        if (encodeCheck > 0) {
          if (hexValue(code) >= 0) {
            if (++encodeCheck === 3) keyEncoded = true;
            continue;
          }
          encodeCheck = 0;
        }
      }
      if (code === 43 /* + */) {
        if (lastPos < i) key += text.slice(lastPos, i);
        key += " ";
        lastPos = i + 1;
        continue;
      }
    }
    if (code === 43 /* + */) {
      if (lastPos < i) value += text.slice(lastPos, i);
      value += " ";
      lastPos = i + 1;
    } else if (!valueEncoded) {
      if (code === 37 /* % */) {
        encodeCheck = 1;
      } else if (encodeCheck > 0) {
        if (hexValue(code) >= 0) {
          if (++encodeCheck === 3) valueEncoded = true;
        } else {
          encodeCheck = 0;
        }
      }
    }
  }
  if (lastPos < text.length) {
    if (!afterEq) key += text.slice(lastPos);
    else value += text.slice(lastPos);
  } else if (!afterEq && key.length === 0) {
    return query;
  }
  addKeyValue(query, key, value, keyEncoded, valueEncoded);
  return query;
}

// --- qs, as the validator calls it on bracket keys: qs.parse(`${key}=${value}`) with its defaults ---------------

const depthLimit = 5;
const arrayLimit = 20;

function qsDecode(s: string): string {
  const withoutPlus = s.replace(/\+/g, " ");
  if (!s.includes("%")) return withoutPlus;
  try {
    return decodeURIComponent(withoutPlus);
  } catch {
    return withoutPlus;
  }
}

const isPrototypeKey = (key: string) => Object.hasOwn(Object.prototype, key);

/** qs's `splitKeyIntoSegments`: `a[b][c]` → `["a", "[b]", "[c]"]`; undefined for a key qs drops. */
function keySegments(key: string): string[] | undefined {
  const segments: string[] = [];
  const first = key.indexOf("[");
  const parent = first >= 0 ? key.slice(0, first) : key;
  if (parent) {
    if (isPrototypeKey(parent)) return undefined;
    segments.push(parent);
  }
  let open = first;
  let collected = 0;
  while (open >= 0 && collected < depthLimit) {
    let level = 1;
    let close = -1;
    for (let i = open + 1; i < key.length && close < 0; i++) {
      if (key[i] === "[") level++;
      else if (key[i] === "]" && --level === 0) close = i;
    }
    if (close < 0) {
      segments.push(`[${key.slice(open)}]`);
      return segments;
    }
    const segment = key.slice(open, close + 1);
    if (isPrototypeKey(segment.slice(1, -1))) return undefined;
    segments.push(segment);
    collected++;
    open = key.indexOf("[", close + 1);
  }
  if (open >= 0) segments.push(`[${key.slice(open)}]`);
  return segments;
}

/** qs's `parseObject`: the value `leaf` under the segments `chain`. */
function nest(chain: string[], leaf: unknown): unknown {
  let value = leaf;
  for (let i = chain.length - 1; i >= 0; --i) {
    const root = chain[i] as string;
    if (root === "[]") {
      value = ([] as unknown[]).concat(value);
      continue;
    }
    const clean = root.startsWith("[") && root.endsWith("]") ? root.slice(1, -1) : root;
    const index = Number.parseInt(clean, 10);
    if (!Number.isNaN(index) && root !== clean && String(index) === clean && index >= 0 && index < arrayLimit) {
      const array: unknown[] = [];
      array[index] = value;
      value = array;
    } else {
      const object: Record<string, unknown> = {};
      if (clean !== "__proto__") object[clean] = value;
      value = object;
    }
  }
  return value;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** qs's `merge`, for the shapes bracket keys give (approximated where they collide oddly). */
function merge(target: unknown, source: unknown): unknown {
  if (target === undefined) return source;
  if (Array.isArray(target) && Array.isArray(source)) {
    source.forEach((item, i) => {
      target[i] = i in target ? merge(target[i], item) : item;
    });
    return target;
  }
  if (isObject(target) && isObject(source)) {
    for (const [key, value] of Object.entries(source)) target[key] = key in target ? merge(target[key], value) : value;
    return target;
  }
  return ([] as unknown[]).concat(target, source);
}

/** qs's `compact`: arrays without their holes. */
function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((_, i) => i in value).map(compact);
  if (isObject(value)) {
    for (const key of Object.keys(value)) value[key] = compact(value[key]);
  }
  return value;
}

/** `qs.parse(text)` with qs's defaults, for the strings the validator hands it. */
function qsParse(text: string): Record<string, unknown> {
  const values: Record<string, unknown> = Object.create(null);
  const clean = text.replace(/%5B/gi, "[").replace(/%5D/gi, "]");
  for (const part of clean.split("&")) {
    const bracketEquals = part.indexOf("]=");
    const pos = bracketEquals === -1 ? part.indexOf("=") : bracketEquals + 1;
    const key = qsDecode(pos === -1 ? part : part.slice(0, pos));
    const value = pos === -1 ? "" : qsDecode(part.slice(pos + 1));
    const existing = values[key];
    values[key] = existing === undefined ? value : ([] as unknown[]).concat(existing, value);
  }
  let result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (!key) continue;
    const chain = keySegments(key);
    if (!chain) continue;
    result = merge(result, nest(chain, value)) as Record<string, unknown>;
  }
  return compact(result) as Record<string, unknown>;
}

// --- RequestParameterMutator and processQueryParam ------------------------------------------------------------

/**
 * `BracketNotationHandler.process`: each key with a `[` parsed by qs into its first segment's value (merged into an
 * object already there), the bracket key removed. (The validator means to keep parameters the spec names with
 * brackets, but looks for them where they are not, so it never does; neither does this.)
 */
function bracketKeys(query: Query): void {
  for (const key of Object.keys(query)) {
    if (!key.includes("[")) continue;
    const root = key.split("[")[0] as string;
    const parsed = qsParse(`${key}=${query[key]}`);
    const value = parsed[root];
    if (value !== undefined) {
      const current = query[root];
      query[root] =
        current && typeof current === "object" && typeof value === "object" && !Array.isArray(value)
          ? { ...current, ...value }
          : value;
    }
    delete query[key];
  }
}

/** The request's parts as the validator validates them (`{ query, headers, params, cookies, body }`). */
export interface RequestData {
  query: Query;
  headers: Record<string, unknown>;
  params: Record<string, unknown>;
  cookies?: Record<string, unknown>;
  body: unknown;
}

/** `RequestParameterMutator.modifyRequest` on `data` (its query and params are changed in place). */
export function reshapeParameters(data: RequestData, shape: RequestShape): void {
  bracketKeys(data.query);
  for (const parameter of shape.parameters) {
    const field = data[parameter.in] as Record<string, unknown> | undefined;
    const value = field?.[parameter.name];
    if (!field || !value || Array.isArray(value)) continue;
    if (parameter.array === "wrap") field[parameter.name] = [value];
    else if (parameter.array === "split" && typeof value === "string")
      field[parameter.name] = value.split(parameter.delimiter ?? ",");
  }
}

/**
 * `processQueryParam`: the validator's refusal of the first query parameter (in the query object's key order) that
 * the operation does not declare, or that is sent empty; null when there is none or the operation does not check.
 */
export function queryProblem(query: Query, shape: RequestShape): ValidatorError | null {
  if (!shape.checkQuery) return null;
  const known = new Set(shape.knownQuery);
  const allowEmpty = new Set(shape.allowEmptyQuery);
  for (const name of Object.keys(query)) {
    let message: string | undefined;
    if (!known.has(name)) message = `Unknown query parameter '${name}'`;
    else if (!allowEmpty.has(name) && query[name] === "") message = `Empty value found for query parameter '${name}'`;
    if (message) return { status: 400, path: `/query/${name}`, message, errors: [{ path: `/query/${name}`, message }] };
  }
  return null;
}

// --- BodySchemaParser -------------------------------------------------------------------------------------------

/** The validator's `ContentType`: the media type (lowercased) and the parameters of a Content-Type. */
class ContentType {
  readonly mediaType: string | null = null;
  readonly parameters: Record<string, string> = {};
  readonly isWildCard: boolean = false;

  constructor(contentType: string | undefined) {
    if (!contentType) return;
    for (const match of contentType.matchAll(/;\s*([^=]+)=([^;]+)/g)) {
      const key = (match[1] as string).toLowerCase();
      const value = match[2] as string;
      this.parameters[key] = key === "charset" ? value.toLowerCase() : value;
    }
    this.mediaType = (contentType.split(";")[0] as string).toLowerCase().trim();
    this.isWildCard = /^[a-z]+\/\*$/.test(contentType);
  }

  equivalents(): ContentType[] {
    if (!this.mediaType) return [];
    const types = [new ContentType(this.mediaType)];
    if (!this.parameters.charset) types.push(new ContentType(`${this.normalize(["charset"])}; charset=utf-8`));
    return types;
  }

  normalize(exclude = ["boundary"]): string | undefined {
    let parameters = "";
    for (const key of Object.keys(this.parameters).sort()) {
      if (!exclude.includes(key)) parameters += `; ${key}=${this.parameters[key]}`;
    }
    return this.mediaType ? this.mediaType + parameters : undefined;
  }
}

/**
 * `BodySchemaParser.toSchema`: which of the operation's declared media types the Content-Type `contentType` selects
 * (its body validator is that one's), `null` when the operation has no body to validate, or the validator's 415.
 */
export function selectMediaType(
  shape: RequestShape,
  contentType: string | undefined,
  route: string,
): { mediaType: string | null } | { error: ValidatorError } {
  const body = shape.body;
  if (!body || body.mediaTypes.length === 0) return { mediaType: null };
  const given = new ContentType(contentType);
  const normalized = given.normalize();
  let found = body.mediaTypes.find((type) => new ContentType(type).normalize() === normalized);
  if (!found) {
    const equivalents = given.equivalents().map((type) => type.normalize());
    found = body.mediaTypes.find((type) => equivalents.includes(new ContentType(type).normalize()));
  }
  if (!found) {
    for (const type of [...body.mediaTypes].sort().reverse()) {
      if (type === "*/*") {
        found = type;
        break;
      }
      if (!/^[a-z]+\/\*$/.test(type)) continue;
      const [major] = type.split("/", 1);
      if (new RegExp(`^${major}/.+$`).test(String(normalized))) {
        found = type;
        break;
      }
    }
  }
  if (found) return { mediaType: found };
  const notProvided = normalized === "not_provided";
  if ((normalized === undefined || notProvided) && body.required === false) return { mediaType: null };
  const message = notProvided ? "media type not specified" : `unsupported media type ${normalized}`;
  return { error: { status: 415, path: route, message, errors: [{ path: route, message }] } };
}

// --- Ajv's errors as the validator's ----------------------------------------------------------------------------

/** `augmentAjvErrors`: an enum's message lists its values. (Its serdes filter never applies to requests.) */
export function augmentErrors(errors: AjvError[]): AjvError[] {
  return errors.map((e) => {
    const allowed = e.keyword === "enum" ? (e.params?.allowedValues as unknown[] | undefined) : undefined;
    return allowed ? { ...e, message: `${e.message}: ${allowed.join(", ")}` } : e;
  });
}

/** `ajvErrorsToValidatorError`: each error's path (with the property it names), message and `errorCode`. */
export function toProblems(errors: AjvError[]): ValidatorProblem[] {
  return errors.map((e) => {
    const params = e.params ?? {};
    // `params.x && instancePath + "/" + params.x`, as the validator writes it: an empty name is kept as the path.
    const named = (key: string) => {
      const name = params[key] as string | undefined;
      return name ? `${e.instancePath}/${name}` : name;
    };
    const path =
      named("missingProperty") ?? named("additionalProperty") ?? named("unevaluatedProperty") ?? e.instancePath;
    return { path: path ?? e.schemaPath, message: e.message ?? "", errorCode: `${e.keyword}.openapi.validation` };
  });
}

/** Ajv's `errorsText(errors, { dataVar: "request" })`: the message of the validator's 400. */
export function errorsText(errors: AjvError[], dataVar = "request"): string {
  if (errors.length === 0) return "No errors";
  return errors.map((e) => `${dataVar}${e.instancePath} ${e.message}`).join(", ");
}
