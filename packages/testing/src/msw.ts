// `@refunds-api/testing/msw`: the reference server's behaviour as MSW request handlers, for tests where a server on
// a port is awkward or impossible (jsdom, Vitest browser mode, Storybook). The service and its memory store run in
// the test's process or page; requests are validated against the spec with the server's words, responses are
// checked against it. Browser-safe: this entry imports @refunds-api/core, the contract's generated document and
// validators, and msw, nothing of Node, Express or the server.
import { document } from "@refunds-api/contract/document";
import * as validators from "@refunds-api/contract/validators";
import {
  canonicalSeed,
  createMemoryStore,
  createServices,
  defaultOrganizationId,
  defaultSeed,
  type Fault,
  type FaultSpec,
  type JournalEntry,
  type OpenApiDocument,
  Pipeline,
  type SeedData,
  SessionAuthority,
  type Store,
  seedDirectory,
  specOperations,
  storeSeedRefunds,
} from "@refunds-api/core";
import { HttpResponse, http, type RequestHandler } from "msw";

export type { Fault, FaultSpec, JournalEntry, SeedData } from "@refunds-api/core";

/** Options of {@link createRefundsHandlers}. */
export interface RefundsHandlersOptions {
  /** Where the code under test sends its requests, such as `https://api.example.com` or `/` (the page's origin). */
  baseUrl: string;
  /** The data the handlers start with (and go back to on `reset()`); the server's default seed by default. */
  seed?: SeedData;
  /** The clock, in milliseconds since the epoch, for `created_at` and token expiry; `Date.now` by default. */
  now?: () => number;
  /** A bearer token accepted as it is; "test-token" by default, as `startServer()`'s. */
  token?: string;
  /** Client credentials the token endpoint accepts; the server's development pair by default. */
  credentials?: { clientId: string; clientSecret: string };
  /** Check every answer against the spec (a mismatch becomes the server's 500); on by default. */
  validateResponses?: boolean;
}

/** The handlers, with the control surface of the other doubles (`startServer()`, `startMock()`). */
export interface RefundsHandlers extends Array<RequestHandler> {
  /** The bearer token the handlers accept. */
  readonly token: string;
  /** The MSW handlers (the array itself holds them too: `setupServer(...refunds)`). */
  readonly handlers: RequestHandler[];
  /** Back to the start: the seed again, and the journal, faults and issued tokens cleared. */
  reset(): Promise<void>;
  /** The requests the handlers answered (the journal), oldest first; only those of one operation when asked. */
  requests(filter?: { operationId?: string }): Promise<JournalEntry[]>;
  /** Makes the next calls of an operation fail, drop or wait (see `DoubleControl.inject`). */
  inject(fault: FaultSpec): Promise<Fault>;
  /** Removes every fault not used up yet. */
  clearFaults(): Promise<void>;
}

/** The server's development credentials (`pnpm start`), which the token endpoint accepts by default. */
export const defaultHandlerCredentials = { clientId: "dev-client", clientSecret: "dev-secret" } as const;

/** The token the handlers accept by default, as `startServer()`'s. */
export const defaultHandlerToken = "test-token";

const spec = document as unknown as OpenApiDocument;

/**
 * MSW handlers for all eleven operations at `baseUrl`, and one more that answers any other URL under
 * `baseUrl/api/` as the server does (404, 405 with `Allow`). Use them with `setupServer(...refunds)` (msw/node) or
 * `setupWorker(...refunds)` (msw/browser).
 */
export function createRefundsHandlers(options: RefundsHandlersOptions): RefundsHandlers {
  const base = options.baseUrl.replace(/\/+$/, "");
  // The path under `baseUrl` is the API's: `https://host/prefix` serves `/api/...` at `/prefix/api/...`.
  const prefix = /^[a-z][a-z0-9+.-]*:/i.test(base) ? new URL(base).pathname.replace(/\/+$/, "") : base;
  const token = options.token ?? defaultHandlerToken;
  const seed = canonicalSeed(spec, options.seed ?? defaultSeed);
  const now = options.now ?? Date.now;
  const credentials = options.credentials ?? defaultHandlerCredentials;
  let state = fresh();

  function fresh() {
    const store: Store = createMemoryStore();
    const directory = seedDirectory(seed);
    const auth = new SessionAuthority({ ...credentials, staticTokens: [token], now });
    const services = createServices({
      store,
      directory,
      runtime: { now, newId: () => crypto.randomUUID() },
      organizationId: defaultOrganizationId,
    });
    const pipeline = new Pipeline({
      document: spec,
      validators,
      services,
      auth,
      validateResponses: options.validateResponses ?? true,
    });
    const loaded = storeSeedRefunds(store, directory, seed, { batchSize: Number.MAX_SAFE_INTEGER });
    return { pipeline, loaded };
  }

  const answer = async ({ request }: { request: Request }) => {
    const { pipeline, loaded } = state;
    await loaded;
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    const hasBody = request.body !== null && !["GET", "HEAD"].includes(request.method.toUpperCase());
    const body = hasBody ? await request.text() : undefined;
    const path = url.pathname.slice(prefix.length) || "/";
    const result = await pipeline.handle({
      method: request.method,
      url: `${path}${url.search}`,
      headers,
      body,
      address: "127.0.0.1",
    });
    if (result.drop) return HttpResponse.error();
    return new HttpResponse(result.body === "" ? null : result.body, {
      status: result.status,
      headers: result.headers,
    });
  };

  const handlers: RequestHandler[] = [
    ...specOperations(spec).map((op) => http[op.method](`${base}${op.path.replace(/\{([^}]+)\}/g, ":$1")}`, answer)),
    // Any other URL of the API's namespace gets the server's 404 or 405; the rest of the origin (the page, its
    // assets, a dev server's own requests) is left alone.
    http.all(`${base}/api/*`, answer),
  ];

  const control = {
    token,
    handlers,
    async reset() {
      state = fresh();
      await state.loaded;
    },
    async requests(filter: { operationId?: string } = {}) {
      const entries = state.pipeline.requests();
      return filter.operationId === undefined ? entries : entries.filter((e) => e.operationId === filter.operationId);
    },
    async inject(fault: FaultSpec) {
      return state.pipeline.inject(fault);
    },
    async clearFaults() {
      state.pipeline.clearFaults();
    },
  };
  return Object.assign([...handlers], control) as RefundsHandlers;
}
