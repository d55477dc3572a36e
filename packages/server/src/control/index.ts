// The control surface of the test doubles: `/__control/` endpoints (reset, the request journal, injected faults),
// outside the public spec and off unless a host turns them on. One implementation for the reference server and the
// mock's wire front: both build their app with `createApp({ control })`, which mounts the two hooks below.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type Fault,
  FaultSpecError,
  type FaultStatus,
  FaultTable,
  faultResponse,
  headersOf,
  Journal,
  type JournalEntry,
  type OperationMatcher,
  operationMatcher,
  parseFault,
  queryOf,
} from "@refunds-api/core";
import type { RequestHandler } from "express";
import { readSpec, type SpecOperation, specOperations } from "../spec.js";

export {
  type Fault,
  type FaultSpec,
  FaultSpecError,
  type FaultStatus,
  faultErrorNames,
  faultResponse,
  faultStatuses,
  type JournalEntry,
  journalLimit,
  type OperationMatcher,
  operationMatcher,
} from "@refunds-api/core";

/** The path prefix of the control endpoints. */
export const controlPrefix = "/__control/";

/** Options of {@link createControl}. */
export interface ControlOptions {
  /** The operations faults and the journal name; the bundled spec's by default. */
  operations?: readonly Pick<SpecOperation, "operationId" | "method" | "path">[];
  /** Brings the host's state back to its seed (`POST /__control/reset`); the journal and faults are cleared too. */
  reset?: () => Promise<void>;
}

/** What a control request answers. */
export interface ControlAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The state behind the control endpoints, and the hooks a host mounts. */
export interface ControlSurface {
  readonly operationIds: readonly string[];
  /** Which operation a method and path name. */
  readonly match: OperationMatcher;
  /** Back to the seed; clears the faults and the journal. */
  reset(): Promise<void>;
  /** The journal, oldest first. */
  requests(): JournalEntry[];
  /** Checks and adds a fault; throws a {@link FaultSpecError} naming each problem. */
  inject(fault: unknown): Fault;
  /** The faults still waiting. */
  faults(): Fault[];
  clearFaults(): void;
  clearRequests(): void;
  /** Answers a request to a control endpoint (`path` starts with {@link controlPrefix}). */
  handle(method: string, path: string, body: unknown): Promise<ControlAnswer>;
  /** Mounted before the body parser: records every request that reaches it in the journal. */
  journalHook: RequestHandler;
  /** Mounted after the body parser: answers the control endpoints, and applies faults to operations. */
  controlHook: RequestHandler;
}

/** Per-response state the hooks share with the host (`res.locals`). */
interface ControlLocals {
  /** Set by the host's error handler (or the wire front) on an error answer. */
  errorName?: string;
  journalEntry?: JournalEntry;
  /** A fault answers (or delays) this request: the host logs it as a warning, not as its failure. */
  injectedFault?: boolean;
}

/** Builds a control surface; a host mounts its hooks (`createApp({ control })` does). */
export function createControl(options: ControlOptions = {}): ControlSurface {
  const operations = options.operations ?? specOperations(readSpec());
  const operationIds = operations.map((op) => op.operationId as string);
  const match = operationMatcher(operations);
  const journal = new Journal();
  const table = new FaultTable();

  const surface: ControlSurface = {
    operationIds,
    match,
    async reset() {
      await options.reset?.();
      journal.clear();
      table.clear();
    },
    requests: () => journal.list(),
    inject(spec) {
      const fault = parseFault(spec, operationIds);
      table.add(fault);
      return fault;
    },
    faults: () => table.list(),
    clearFaults: () => table.clear(),
    clearRequests: () => journal.clear(),
    handle: (method, path, body) => handle(surface, method, path, body),

    journalHook(req, res, next) {
      if (req.path.startsWith(controlPrefix)) {
        next();
        return;
      }
      const url = new URL(req.originalUrl, "http://host");
      const started = performance.now();
      const entry = journal.add({
        operationId: match(req.method, url.pathname) ?? null,
        method: req.method,
        path: url.pathname,
        query: queryOf(url.searchParams),
        headers: headersOf(req.headers),
        body: null,
        status: null,
        requestId: String(req.id ?? res.getHeader("x-request-id") ?? ""),
        time: new Date().toISOString(),
        durationMs: null,
      });
      (res.locals as ControlLocals).journalEntry = entry;
      res.once("finish", () => {
        entry.status = res.statusCode;
        entry.durationMs = Math.round((performance.now() - started) * 100) / 100;
        if (entry.body === null) entry.body = req.body ?? null;
        const errorName = (res.locals as ControlLocals).errorName;
        if (errorName !== undefined) entry.errorName = errorName;
      });
      next();
    },

    controlHook(req, res, next) {
      if (req.path.startsWith(controlPrefix)) {
        handle(surface, req.method, req.path, req.body).then((answer) => {
          res.statusCode = answer.status;
          for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
          if (answer.body === undefined) {
            res.end();
            return;
          }
          const text = JSON.stringify(answer.body);
          res.setHeader("Content-Type", "application/json; charset=utf-8");
          res.setHeader("Content-Length", Buffer.byteLength(text));
          res.end(text);
        }, next);
        return;
      }
      // What the client sent, before the validator fills in defaults.
      const entry = (res.locals as ControlLocals).journalEntry;
      if (entry && req.body !== undefined) entry.body = structuredClone(req.body);
      const operationId = match(req.method, req.path);
      const fault = operationId === undefined ? undefined : table.take(operationId);
      if (!fault) {
        next();
        return;
      }
      const locals = res.locals as ControlLocals;
      const { times: _times, ...kind } = fault;
      if (locals.journalEntry) locals.journalEntry.fault = kind;
      applyFault(fault, req, res, locals, next);
    },
  };
  return surface;
}

function applyFault(
  fault: Fault,
  req: IncomingMessage & { id?: unknown; body?: unknown },
  res: ServerResponse,
  locals: ControlLocals,
  next: () => void,
): void {
  locals.injectedFault = true;
  const act = () => {
    if (res.writableEnded || req.socket.destroyed) return;
    if (fault.drop) {
      req.socket.destroy();
      return;
    }
    if (fault.status === undefined) {
      next();
      return;
    }
    const requestId = String(req.id ?? res.getHeader("x-request-id") ?? "");
    const answer = faultResponse(fault as Fault & { status: FaultStatus }, requestId);
    locals.errorName = answer.errorName;
    // The log says what answered, without a stack: nothing failed.
    const cause = new Error(`a fault injected through ${controlPrefix}faults`);
    cause.stack = cause.message;
    (res as ServerResponse & { err?: Error }).err = cause;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  };
  if (fault.delayMs) setTimeout(act, fault.delayMs);
  else act();
}

const endpoints: Record<string, string[]> = {
  reset: ["POST"],
  requests: ["GET", "DELETE"],
  faults: ["GET", "POST", "DELETE"],
};

async function handle(surface: ControlSurface, method: string, path: string, body: unknown): Promise<ControlAnswer> {
  const name = path.slice(controlPrefix.length).replace(/\/$/, "");
  const allowed = endpoints[name];
  if (!allowed) {
    return envelope(404, "NotFoundError", {
      message: `No control endpoint ${method} ${path}; there are ${Object.keys(endpoints)
        .map((e) => `${controlPrefix}${e}`)
        .join(", ")}.`,
    });
  }
  if (!allowed.includes(method)) {
    return {
      ...envelope(405, "MethodNotAllowedError", {
        message: `${method} is not allowed on ${path}; use ${allowed.join(", ")}.`,
      }),
      headers: { Allow: allowed.join(", ") },
    };
  }
  switch (`${method} ${name}`) {
    case "POST reset":
      await surface.reset();
      return { status: 204 };
    case "GET requests":
      return { status: 200, body: surface.requests() };
    case "DELETE requests":
      surface.clearRequests();
      return { status: 204 };
    case "GET faults":
      return { status: 200, body: surface.faults() };
    case "DELETE faults":
      surface.clearFaults();
      return { status: 204 };
    default:
      try {
        return { status: 200, body: surface.inject(body) };
      } catch (error) {
        if (!(error instanceof FaultSpecError)) throw error;
        return envelope(422, "UnprocessableEntityError", { message: error.message });
      }
  }
}

function envelope(status: number, errorName: string, content: object): ControlAnswer {
  return { status, body: { errorName, content } };
}
