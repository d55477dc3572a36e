// What the scenario suite runs against: the Prism mock, or the reference server behind Prism's validation proxy
// (on any store). Each target hands scenarios clients whose every exchange is recorded and checked.
import {
  type AuthOption,
  createRefundsClient,
  type FetchLike,
  type RefundsClient,
  type RequestOptions,
} from "@refunds-api/client";
import { devCredentials } from "@refunds-api/server";
import { testDatabase } from "@refunds-api/test-support/vitest";
import {
  type RunningProxy,
  type RunningServer,
  type ServerOptions,
  startMock,
  startProxy,
  startServer,
} from "@refunds-api/testing";
import { createRefundsHandlers } from "@refunds-api/testing/msw";
import { setupServer } from "msw/node";
import { Recorder, type SpecIndex } from "./recorder.js";
import { contractSeed } from "./seed.js";

/** How a scenario's requests reach a server target. */
export type Route =
  /** Through the validation proxy (`prism proxy --errors`): the default, for requests that follow the spec. */
  | "proxy"
  /**
   * Straight to the server, past the proxy, for two kinds of requests:
   * - those that break the spec on purpose (a body, query or token the spec forbids), which the proxy in errors mode
   *   would answer itself (401 or 422 problem+json) and never forward;
   * - those a non-insurance payer operation refuses with 403: the spec declares no 403 there, as the real service's
   *   does not, so the proxy would flag the faithful answer.
   * Their answers are still checked against the spec by the recorder (the 403 against `UnauthorizedError`).
   */
  | "direct";

/** Options of one client a scenario builds. */
export interface ClientOptions {
  /** `null` sends no `Authorization`; the target's token by default. */
  auth?: AuthOption | null;
  /** Query parameters added to every request, such as one the operation does not know. */
  query?: Record<string, string>;
}

/** What a scenario gets to act with. */
export interface Context {
  /** A client with the target's token on the scenario's route. */
  api: RefundsClient;
  /** Another client on the same route. */
  client(options?: ClientOptions): RefundsClient;
  /** Options for each call: on the mock, the scenario's `Prefer` header. */
  o: RequestOptions;
  /** Client credentials the target's token endpoint accepts. */
  credentials: { client_id: string; client_secret: string };
  /** What earlier scenarios of the run left for later ones (created refunds). */
  state: Record<string, unknown>;
}

/** A started target. */
export interface Target {
  name: string;
  /** Refunds persist and the API's rules apply, so behaviour is checked and not only shapes. */
  stateful: boolean;
  recorder: Recorder;
  context(route: Route, prefer: string | undefined): Context;
  stop(): Promise<void>;
}

/** A target not started yet. */
export interface TargetSpec {
  name: string;
  stateful: boolean;
  start(spec: SpecIndex): Promise<Target>;
}

function contextFor(
  recorder: Recorder,
  via: string,
  baseUrl: string,
  token: string,
  credentials: Context["credentials"],
  state: Context["state"],
  prefer: string | undefined,
): Context {
  const client = ({ auth, query }: ClientOptions = {}) => {
    const recorded = recorder.fetch(via);
    const fetch: FetchLike = query ? (request) => recorded(withQuery(request, query)) : recorded;
    // No retries: a retried 5xx would hide the first answer, and every answer here is meant to be final.
    return createRefundsClient({
      baseUrl,
      auth: auth === null ? undefined : (auth ?? token),
      fetch,
      maxRetries: 0,
    });
  };
  return { api: client(), client, o: prefer ? { headers: { Prefer: prefer } } : {}, credentials, state };
}

function withQuery(request: Request, query: Record<string, string>): Request {
  const url = new URL(request.url);
  for (const [name, value] of Object.entries(query)) url.searchParams.append(name, value);
  // Only bodiless requests take extra parameters here, so the request's init carries over as it is.
  if (request.body !== null) throw new Error("extra query parameters are for requests without a body");
  return new Request(url, { method: request.method, headers: request.headers });
}

/** The Prism mock (startMock, static examples): shapes and status codes, answers picked with `Prefer`. */
export const mockTarget: TargetSpec = {
  name: "mock",
  stateful: false,
  async start(spec) {
    const mock = await startMock();
    const recorder = new Recorder(spec);
    const state = {};
    const credentials = { client_id: "contract-client", client_secret: "contract-secret" };
    return {
      name: "mock",
      stateful: false,
      recorder,
      context: (_route, prefer) => contextFor(recorder, "mock", mock.url, "mock-token", credentials, state, prefer),
      stop: () => mock.stop(),
    };
  },
};

/**
 * The MSW handlers (createRefundsHandlers, seeded with the contract seed) in this process, through msw/node: the
 * server's rules with no server. Both routes reach the handlers: there is no proxy in front of them, and the recorder
 * checks every exchange against the spec either way.
 */
export const mswTarget: TargetSpec = {
  name: "MSW handlers",
  stateful: true,
  async start(spec) {
    const baseUrl = "http://refunds.msw.test";
    const refunds = createRefundsHandlers({ baseUrl, seed: contractSeed });
    const server = setupServer(...refunds);
    // Only the handlers' origin is theirs: the other targets' requests in this file go to the network as they are.
    server.listen({ onUnhandledRequest: "bypass" });
    const recorder = new Recorder(spec);
    const state = {};
    const credentials = { client_id: devCredentials.clientId, client_secret: devCredentials.clientSecret };
    return {
      name: "MSW handlers",
      stateful: true,
      recorder,
      context: (route) => contextFor(recorder, route, baseUrl, refunds.token, credentials, state, undefined),
      stop: async () => {
        server.close();
      },
    };
  },
};

/** Where a server run keeps its refunds, and how to dispose of what that needed (a database) after the server. */
export interface Backing {
  storage?: ServerOptions["storage"];
  dispose(): Promise<void>;
}

/**
 * The reference server (startServer, seeded with the contract seed, responses validated) on the storage `backing`
 * gives (a fresh memory store when none), behind `prism proxy --errors` (startProxy): behaviour, with every request
 * and answer on the proxy route validated by Prism as well.
 */
export function serverTarget(name: string, backing?: () => Promise<Backing>): TargetSpec {
  return {
    name,
    stateful: true,
    async start(spec) {
      const store = await backing?.();
      let server: RunningServer | undefined;
      let proxy: RunningProxy | undefined;
      const stop = async () => {
        await proxy?.stop();
        await server?.stop();
        await store?.dispose();
      };
      try {
        server = await startServer({ seed: contractSeed, storage: store?.storage });
        proxy = await startProxy(server.url);
      } catch (error) {
        await stop();
        throw error;
      }
      const recorder = new Recorder(spec);
      const state = {};
      const credentials = { client_id: devCredentials.clientId, client_secret: devCredentials.clientSecret };
      const urls = { proxy: proxy.url, direct: server.url };
      const token = server.token;
      return {
        name,
        stateful: true,
        recorder,
        context: (route) => contextFor(recorder, route, urls[route], token, credentials, state, undefined),
        stop,
      };
    },
  };
}

/** A new database on the run's PostgreSQL cluster (vitest globalSetup) for a server run; dropped after the server. */
export async function postgresBacking(): Promise<Backing> {
  const database = await testDatabase("contract");
  return { storage: { kind: "postgres", databaseUrl: database.url }, dispose: () => database.drop() };
}
