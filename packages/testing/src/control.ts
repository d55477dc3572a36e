// The control surface of both test doubles, from a test: typed calls to their `/__control/` endpoints.
import type { Fault, FaultSpec, JournalEntry } from "@refunds-api/server";

export type { Fault, FaultSpec, FaultStatus, JournalEntry } from "@refunds-api/server";

/** Steering of a running double (`startServer()` or `startMock()`), the same on both. */
export interface DoubleControl {
  /**
   * Back to the start: the server's store holds its seed again (the mock has no state), and the journal and every
   * fault are cleared.
   */
  reset(): Promise<void>;
  /** The requests the double received (the journal), oldest first; only those of one operation when asked. */
  requests(filter?: { operationId?: string }): Promise<JournalEntry[]>;
  /**
   * Makes the next `times` (1) calls of `operationId` answer `status` in the API's error envelope (with
   * `Retry-After` when `retryAfterSeconds` is given), or close the connection without an answer (`drop`), after
   * `delayMs` when given; `delayMs` alone delays the normal answer. Faults of one operation apply in the order
   * they were injected. Resolves with the fault as the double holds it.
   */
  inject(fault: FaultSpec): Promise<Fault>;
  /** Removes every fault not used up yet. */
  clearFaults(): Promise<void>;
}

/** The control calls of the double at `url`. */
export function controlOf(url: string): DoubleControl {
  const call = async (method: string, name: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${url}/__control/${name}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const message = (parsed as { content?: { message?: string } } | undefined)?.content?.message ?? text;
      throw new Error(`${method} /__control/${name} answered ${response.status}: ${message}`);
    }
    return parsed;
  };
  return {
    reset: async () => {
      await call("POST", "reset");
    },
    requests: async (filter = {}) => {
      const entries = (await call("GET", "requests")) as JournalEntry[];
      return filter.operationId === undefined ? entries : entries.filter((e) => e.operationId === filter.operationId);
    },
    inject: async (fault) => (await call("POST", "faults", fault)) as Fault,
    clearFaults: async () => {
      await call("DELETE", "faults");
    },
  };
}
