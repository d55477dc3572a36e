import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import {
  type AppOptions,
  type ControlSurface,
  createApp,
  faultErrorNames,
  faultResponse,
  faultStatuses,
  readSpec,
  TokenAuthority,
  type TokenProblem,
} from "@refunds-api/server";
import type { Logger } from "pino";

/** One request violation as Prism reports it, in the `sl-violations` header or a problem+json `validation` list. */
interface Violation {
  location: string[];
  code?: string | number;
  message: string;
}

// The server's Express types, without a dependency on Express of this package's own.
type RequestHandler = NonNullable<AppOptions["serve"]>;
type Request = Parameters<RequestHandler>[0];
type Response = Parameters<RequestHandler>[1];
type NextFunction = Parameters<RequestHandler>[2];

type Envelope = { status: number; body: { errorName: string; content: Record<string, unknown> } };

const listPaths = new Set(["/api/patient-refunds/v1", "/api/non-insurance-payer-refunds/v1"]);

/** Options of {@link createWireFront}. */
export interface WireFrontOptions {
  /**
   * Check each request as the reference server does (its validator and its error words) before Prism sees it, so
   * the mock's 4xx bodies are the server's; on by default. Off, Prism's own errors are only translated.
   */
  validate?: boolean;
  /** The `/__control/` endpoints (journal, faults; reset clears both); none by default. Needs `validate`. */
  control?: ControlSurface;
  /** Where the front logs; silent by default. */
  logger?: Logger;
}

/** The mock accepts any bearer token, as Prism does: only a missing one is refused. */
class AnyBearerToken extends TokenAuthority {
  constructor() {
    super({ clientId: "mock", clientSecret: "mock" });
  }

  override check(token: string | undefined): TokenProblem | undefined {
    return token ? undefined : "missing";
  }
}

/**
 * A loopback front for Prism that answers the way the real service does where Prism cannot. By default it is the
 * reference server's own app (`createApp`) with Prism in place of the service: requests are checked by the
 * server's validator and refused in the server's words (one wording for both doubles), and those that pass are
 * forwarded. `Prefer` is checked against the operation (an unknown example or status is a 400 naming those there
 * are; `code=429` or a 5xx the spec does not declare answers like an injected fault). Prism's own errors become
 * the API's envelopes, and a list page fetched with a `page_token` is the last one, so pagination ends.
 */
export function createWireFront(target: string, options: WireFrontOptions = {}): Server {
  const upstream = new URL(target);
  if (options.validate === false) return createServer((req, res) => forward(upstream, req, undefined, res));
  const app = createApp({
    auth: new AnyBearerToken(),
    validateResponses: false,
    control: options.control,
    logger: options.logger,
    serve: serveFromPrism(upstream),
  });
  return createServer(app);
}

/** The examples and statuses each operation declares, for `Prefer`. */
interface OperationAnswers {
  statuses: number[];
  /** Example name → the status of the response holding it. */
  examples: Map<string, number>;
}

function operationAnswers(): Map<string, OperationAnswers> {
  const spec = readSpec() as unknown as {
    paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>>;
    components: { responses?: Record<string, unknown> };
  };
  const answers = new Map<string, OperationAnswers>();
  for (const item of Object.values(spec.paths)) {
    for (const op of Object.values(item)) {
      if (!op?.operationId || !op.responses) continue;
      const examples = new Map<string, number>();
      for (const [code, declared] of Object.entries(op.responses)) {
        const ref = (declared as { $ref?: string }).$ref;
        const response = (ref ? spec.components.responses?.[ref.split("/").pop() ?? ""] : declared) as {
          content?: Record<string, { examples?: Record<string, unknown> }>;
        };
        for (const name of Object.keys(response?.content?.["application/json"]?.examples ?? {})) {
          if (!examples.has(name)) examples.set(name, Number(code));
        }
      }
      answers.set(op.operationId, { statuses: Object.keys(op.responses).map(Number), examples });
    }
  }
  return answers;
}

/** `code=404, example=Foo` → { code: "404", example: "Foo" }. */
function parsePrefer(header: string | string[] | undefined): Record<string, string> {
  const prefer: Record<string, string> = {};
  for (const part of [header ?? []].flat().join(",").split(/[,;]/)) {
    const [key, ...value] = part.split("=");
    if (key?.trim())
      prefer[key.trim().toLowerCase()] = value
        .join("=")
        .trim()
        .replace(/^"(.*)"$/, "$1");
  }
  return prefer;
}

function serveFromPrism(upstream: URL): RequestHandler {
  const answers = operationAnswers();
  return (req: Request, res: Response, next: NextFunction) => {
    const operationId = (req as Request & { openapi?: { schema?: { operationId?: string } } }).openapi?.schema
      ?.operationId;
    const declared = operationId === undefined ? undefined : answers.get(operationId);
    if (!operationId || !declared) {
      next();
      return;
    }
    const prefer = parsePrefer(req.headers.prefer);
    const refuse = (message: string) => {
      res.locals.errorName = "BadRequestError";
      sendJson(res, 400, { errorName: "BadRequestError", content: { message } });
    };
    let code = prefer.code === undefined ? undefined : Number(prefer.code);
    if (prefer.code !== undefined && !declared.statuses.includes(code as number)) {
      if (faultStatuses.includes(code as never)) {
        // A status clients retry: answered as an injected fault would be, in the envelope.
        const answer = faultResponse({ operationId, status: code as 429, times: 1 }, String(req.id));
        res.locals.errorName = answer.errorName;
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        return;
      }
      refuse(
        `Prefer: code=${prefer.code}: ${operationId} declares ${declared.statuses.join(", ")}; ${Object.entries(
          faultErrorNames,
        )
          .map(([s, n]) => `${s} (${n})`)
          .join(", ")} answer as faults.`,
      );
      return;
    }
    let preferHeader = req.headers.prefer;
    if (prefer.example !== undefined) {
      const status = declared.examples.get(prefer.example);
      const names = [...declared.examples].map(([name, s]) => `${name} (${s})`).join(", ");
      if (status === undefined || (code !== undefined && code !== status)) {
        const where = code === undefined ? operationId : `the ${code} answer of ${operationId}`;
        refuse(`Prefer: example=${prefer.example}: ${where} has no such example; there are ${names}.`);
        return;
      }
      // An example names its answer: Prism looks among the 2xx examples unless it is told the status.
      code ??= status;
      preferHeader = Object.entries({ ...prefer, code: String(code) })
        .map(([k, v]) => `${k}=${v}`)
        .join(", ");
    }
    forward(upstream, req, req.body, res, preferHeader);
  };
}

/** Sends the request on to Prism (the parsed body, when the front read it) and relays the answer. */
function forward(
  upstream: URL,
  req: IncomingMessage,
  body: unknown,
  res: ServerResponse,
  prefer: string | string[] | undefined = req.headers.prefer,
): void {
  const {
    "content-length": _length,
    "transfer-encoding": _encoding,
    connection: _connection,
    prefer: _prefer,
    ...headers
  } = req.headers;
  const read = body !== undefined;
  const text = read ? JSON.stringify(body) : undefined;
  const proxied = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url,
      headers: {
        ...headers,
        ...(prefer === undefined ? {} : { prefer }),
        ...(text === undefined ? {} : { "content-length": Buffer.byteLength(text) }),
        ...(read || _length === undefined ? {} : { "content-length": _length }),
        ...(read || _encoding === undefined ? {} : { "transfer-encoding": _encoding }),
      },
    },
    (answer) => void relay(req, answer, res),
  );
  proxied.on("error", (error) =>
    sendJson(res, 502, {
      errorName: "BadGatewayError",
      content: { message: `Prism did not answer: ${error.message}` },
    }),
  );
  if (read) proxied.end(text);
  else req.pipe(proxied);
}

async function relay(req: IncomingMessage, answer: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of answer) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const url = new URL(
    (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? "/",
    "http://front",
  );
  const rewritten = rewrite(req.method ?? "GET", url, answer, raw);
  const locals = (res as ServerResponse & { locals?: Record<string, unknown> }).locals;
  if (rewritten) {
    if (locals) locals.errorName = rewritten.body.errorName;
    return sendJson(res, rewritten.status, rewritten.body);
  }
  const status = answer.statusCode ?? 502;
  if (locals && status >= 400) {
    try {
      const errorName = (JSON.parse(raw.toString("utf8")) as { errorName?: unknown }).errorName;
      if (typeof errorName === "string") locals.errorName = errorName;
    } catch {
      // Not an envelope: the journal has no errorName for it.
    }
  }
  if (status === 200 && req.method === "GET" && listPaths.has(url.pathname) && url.searchParams.has("page_token")) {
    const page = JSON.parse(raw.toString("utf8")) as { next_page_token?: string };
    delete page.next_page_token;
    return sendJson(res, 200, page, answer.headers);
  }
  const { connection: _c, "keep-alive": _k, "transfer-encoding": _t, ...headers } = answer.headers;
  res.writeHead(status, { ...headers, "content-length": raw.length });
  res.end(raw);
}

function rewrite(method: string, url: URL, answer: IncomingMessage, raw: Buffer): Envelope | undefined {
  const status = answer.statusCode ?? 500;
  const problem = String(answer.headers["content-type"] ?? "").includes("problem+json")
    ? (JSON.parse(raw.toString("utf8")) as { type?: string; title?: string; validation?: Violation[]; detail?: string })
    : undefined;
  if (status === 401 && problem) {
    const message = "Authorization header with a bearer token is required.";
    return { status: 403, body: { errorName: "UnauthorizedError", content: { message } } };
  }
  const violations: Violation[] = [
    ...parseViolations(answer.headers["sl-violations"]),
    ...(problem?.validation ?? []).map((v) => ({ ...v, location: ["request", ...v.location] })),
  ].filter((v) => v.location[0] === "request");
  if (status === 422 && violations.length > 0) {
    // A malformed id names no entity: the real service answers as for an unknown one.
    const badId = violations.find((v) => v.location[1] === "path");
    if (badId) return { status: 404, body: { errorName: "EntityNotFoundError", content: { id: lastSegment(url) } } };
    return {
      status: 422,
      body: { errorName: "UnprocessableEntityError", content: { message: violations.map(describe).join("; ") } },
    };
  }
  if (problem && /NO_PATH_MATCHED|NO_METHOD_MATCHED|NO_RESOURCE/.test(problem.type ?? "")) {
    return {
      status: 404,
      body: { errorName: "NotFoundError", content: { message: `No operation ${method} ${url.pathname}.` } },
    };
  }
  if (problem && status !== 500) {
    // Any other refusal of Prism's (such as a `Prefer` it cannot satisfy), in the envelope.
    const message = `The mock cannot answer this request: ${[problem.title, problem.detail].filter(Boolean).join(": ")}`;
    return { status: 400, body: { errorName: "BadRequestError", content: { message } } };
  }
  return undefined;
}

function parseViolations(header: string | string[] | undefined): Violation[] {
  if (typeof header !== "string") return [];
  try {
    return JSON.parse(header) as Violation[];
  } catch {
    return [];
  }
}

/** `body.allocations[0].amount_cents: must be integer`, from Prism's `Request body property … must be integer`. */
function describe(v: Violation): string {
  const [, where = "request", ...rest] = v.location;
  const required = /must have required property '(.+)'/.exec(v.message)?.[1];
  const segments = required ? [...rest, required] : rest;
  const field = segments.reduce((name, s) => (/^\d+$/.test(s) ? `${name}[${s}]` : `${name}.${s}`), where);
  if (required) return `${field}: is required`;
  return `${field}: ${v.message.replace(/^Request (body|query parameter|path parameter|header)( property)? ?[\w.[\]/-]* /, "")}`;
}

function lastSegment(url: URL): string {
  return decodeURIComponent(url.pathname.split("/").pop() ?? "");
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: IncomingMessage["headers"] = {}): void {
  const text = JSON.stringify(body);
  const { "content-length": _length, "transfer-encoding": _encoding, connection: _c, ...rest } = headers;
  res.writeHead(status, { ...rest, "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
