import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";

/** One request violation as Prism reports it, in the `sl-violations` header or a problem+json `validation` list. */
interface Violation {
  location: string[];
  code?: string | number;
  message: string;
}

type Envelope = { status: number; body: { errorName: string; content: Record<string, unknown> } };

const listPaths = new Set(["/api/patient-refunds/v1", "/api/non-insurance-payer-refunds/v1"]);

/**
 * A loopback front for Prism that answers the way the real service does where Prism cannot:
 * Prism's own errors (401 and 422 problem+json, unmatched routes) become the API's `{"errorName", "content"}`
 * envelopes, a 422 example is replaced by the request's actual violations, and a list page fetched with a
 * `page_token` is the last one, so pagination ends.
 */
export function createWireFront(target: string): Server {
  const upstream = new URL(target);
  return createServer((req, res) => {
    const proxied = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => void relay(req, answer, res),
    );
    proxied.on("error", (error) =>
      send(res, 502, { errorName: "BadGatewayError", content: { message: error.message } }),
    );
    req.pipe(proxied);
  });
}

async function relay(req: IncomingMessage, answer: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of answer) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const url = new URL(req.url ?? "/", "http://front");
  const rewritten = rewrite(req.method ?? "GET", url, answer, raw);
  if (rewritten) return send(res, rewritten.status, rewritten.body);

  if (
    answer.statusCode === 200 &&
    req.method === "GET" &&
    listPaths.has(url.pathname) &&
    url.searchParams.has("page_token")
  ) {
    const page = JSON.parse(raw.toString("utf8")) as { next_page_token?: string };
    delete page.next_page_token;
    return send(res, 200, page, answer.headers);
  }
  res.writeHead(answer.statusCode ?? 502, answer.headers);
  res.end(raw);
}

function rewrite(method: string, url: URL, answer: IncomingMessage, raw: Buffer): Envelope | undefined {
  const status = answer.statusCode ?? 500;
  const problem = String(answer.headers["content-type"] ?? "").includes("problem+json")
    ? (JSON.parse(raw.toString("utf8")) as { type?: string; validation?: Violation[]; detail?: string })
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

function send(res: ServerResponse, status: number, body: unknown, headers: IncomingMessage["headers"] = {}): void {
  const text = JSON.stringify(body);
  const { "content-length": _length, "transfer-encoding": _encoding, ...rest } = headers;
  res.writeHead(status, { ...rest, "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
