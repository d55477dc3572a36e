// Injected faults: what the next calls of an operation answer instead of the operation, in the injection order.
// Framework-free: the server's app and the mock's wire front both apply them.

/** The statuses a fault can answer with: those a client retries. */
export const faultStatuses = [429, 500, 502, 503, 504] as const;

/** A status a fault can answer with. */
export type FaultStatus = (typeof faultStatuses)[number];

/**
 * The `errorName` of each fault status, in the API's `{"errorName", "content"}` envelope. The spec declares none of
 * these statuses; the names follow the HTTP reason phrases, and 500 is the server's own `InternalServerError`.
 */
export const faultErrorNames: Readonly<Record<FaultStatus, string>> = {
  429: "TooManyRequestsError",
  500: "InternalServerError",
  502: "BadGatewayError",
  503: "ServiceUnavailableError",
  504: "GatewayTimeoutError",
};

/**
 * A fault to inject (`POST /__control/faults`): the next `times` calls of `operationId` answer `status` in the
 * error envelope (with `Retry-After` when `retryAfterSeconds` is given), or close the connection without an
 * answer (`drop`), after waiting `delayMs` when given; `delayMs` alone delays the normal answer.
 */
export interface FaultSpec {
  /** The operation, by its operationId in the spec, such as `listPatientRefunds`. */
  operationId: string;
  /** Answer this status in the error envelope. */
  status?: FaultStatus;
  /** How many calls the fault answers; 1 by default. */
  times?: number;
  /** Wait this long before answering (or dropping); alone, the normal answer comes this much later. */
  delayMs?: number;
  /** With `status`: the `Retry-After` header, in seconds. */
  retryAfterSeconds?: number;
  /** Close the connection without an answer (the client sees a network error). */
  drop?: boolean;
}

/** A fault as the table holds it: `times` is what is left of it. */
export interface Fault extends FaultSpec {
  times: number;
}

/** Thrown by {@link parseFault} with every problem of the fault, named by field. */
export class FaultSpecError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
    this.name = "FaultSpecError";
  }
}

const known = new Set(["operationId", "status", "times", "delayMs", "retryAfterSeconds", "drop"]);
const maxDelayMs = 600_000;

const isInteger = (value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;

/** Checks a fault from a request body against the operations there are; throws a {@link FaultSpecError}. */
export function parseFault(body: unknown, operationIds: readonly string[]): Fault {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new FaultSpecError(['body: must be an object such as {"operationId": "listPatientRefunds", "status": 503}']);
  }
  const given = body as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(given)) if (!known.has(key)) problems.push(`body.${key}: is not a known field`);
  const { operationId, status, times = 1, delayMs, retryAfterSeconds, drop } = given;
  if (operationId === undefined) problems.push("body.operationId: is required");
  else if (typeof operationId !== "string" || !operationIds.includes(operationId)) {
    problems.push(`body.operationId: must be one of ${operationIds.join(", ")}`);
  }
  if (status !== undefined && !faultStatuses.includes(status as FaultStatus)) {
    problems.push(`body.status: must be one of ${faultStatuses.join(", ")}`);
  }
  if (!isInteger(times, 1)) problems.push("body.times: must be an integer of at least 1");
  if (delayMs !== undefined && !isInteger(delayMs, 0, maxDelayMs)) {
    problems.push(`body.delayMs: must be an integer from 0 to ${maxDelayMs}`);
  }
  if (retryAfterSeconds !== undefined) {
    if (!isInteger(retryAfterSeconds, 0)) problems.push("body.retryAfterSeconds: must be an integer of at least 0");
    else if (status === undefined) problems.push("body.retryAfterSeconds: needs a status to send it with");
  }
  if (drop !== undefined && typeof drop !== "boolean") problems.push("body.drop: must be true or false");
  if (drop === true && status !== undefined)
    problems.push("body.drop: a dropped call has no status; send one or the other");
  if (status === undefined && drop !== true && delayMs === undefined) {
    problems.push("body: give a status, drop: true or a delayMs");
  }
  if (problems.length > 0) throw new FaultSpecError(problems);
  const fault: Fault = { operationId: operationId as string, times: times as number };
  if (status !== undefined) fault.status = status as FaultStatus;
  if (delayMs !== undefined) fault.delayMs = delayMs as number;
  if (retryAfterSeconds !== undefined) fault.retryAfterSeconds = retryAfterSeconds as number;
  if (drop === true) fault.drop = true;
  return fault;
}

/** The faults waiting to answer, in the order they were injected. */
export class FaultTable {
  private faults: Fault[] = [];

  add(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  /** The first fault waiting for `operationId`, counted as used; undefined when there is none. */
  take(operationId: string): Fault | undefined {
    const index = this.faults.findIndex((f) => f.operationId === operationId);
    if (index < 0) return undefined;
    const fault = this.faults[index] as Fault;
    fault.times -= 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return { ...fault, times: 1 };
  }

  /** The faults still waiting, with the calls left to each. */
  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }
}

/** The response of a fault with a status: its envelope and headers. */
export function faultResponse(
  fault: Fault & { status: FaultStatus },
  requestId: string,
): { status: number; errorName: string; body: string; headers: Record<string, string> } {
  const errorName = faultErrorNames[fault.status];
  const message = `${fault.status} ${errorName.replace(/Error$/, "").replace(/(?<=[a-z])(?=[A-Z])/g, " ")}: a fault injected on ${fault.operationId} (quote request id ${requestId}).`;
  const body = JSON.stringify({ errorName, content: { message, request_id: requestId } });
  const headers: Record<string, string> = {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(new TextEncoder().encode(body).length),
  };
  if (fault.retryAfterSeconds !== undefined) headers["Retry-After"] = String(fault.retryAfterSeconds);
  return { status: fault.status, errorName, body, headers };
}
