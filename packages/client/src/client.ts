import type {
  ListNonInsurancePayerRefundsQuery,
  ListPatientRefundsQuery,
  NonInsurancePayerRefund,
  NonInsurancePayerRefundCreate,
  NonInsurancePayerRefundsPage,
  NonInsurancePayerRefundUpdate,
  PatientRefund,
  PatientRefundCreate,
  PatientRefundsPage,
  PatientRefundUpdate,
  TokenRequest,
  TokenResponse,
} from "@refunds-api/contract";
import type { paths } from "@refunds-api/contract/schema";
import createClient, { createQuerySerializer, type Middleware } from "openapi-fetch";
import { type AuthOption, authMiddleware, createTokenSource } from "./auth.js";
import { errorFromResponse, NetworkError, TimeoutError, UnexpectedResponseError } from "./errors.js";
import { createPathSerializer } from "./path-serializer.js";
import {
  type AttemptFetch,
  type AttemptLimits,
  type BackoffOptions,
  backoffDelay,
  type FetchLike,
  isRetryableStatus,
  OutgoingRequest,
  retryDelay,
  runAttempt,
  sleep,
} from "./transport.js";

/** HTTP methods the API uses. */
export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

/** Options of {@link createRefundsClient}. */
export interface RefundsClientOptions {
  /** Origin of the API, such as `https://api.example.com`; the operations' paths are appended to it. */
  baseUrl: string;
  /** A bearer token, a function returning one, or client credentials. Without it no `Authorization` is sent. */
  auth?: AuthOption;
  /**
   * The `fetch` to call, given a `Request` per attempt that carries the attempt's signal. By default
   * `globalThis.fetch`, looked up on every attempt and called with a URL and an init.
   */
  fetch?: FetchLike;
  /** Limit on each attempt, body included. Default 60 s; `Infinity` for none. */
  timeoutMs?: number;
  /** Retries after a failed first attempt. Default 2. */
  maxRetries?: number;
  /**
   * Methods retried without being asked. Default `GET` and `DELETE`, which are safe to repeat; a repeated `POST`
   * can record a refund twice, so opt in per request with `retry: true` where a duplicate is acceptable.
   */
  retryMethods?: readonly HttpMethod[];
  /** Backoff between retries. */
  backoff?: BackoffOptions;
  /** Headers sent with every request, such as a `User-Agent`. */
  headers?: Record<string, string>;
  /** openapi-fetch middleware, as if added with {@link RefundsClient.use} right after the client was created. */
  middleware?: readonly Middleware[];
}

/** Options of one call; they override the client's. */
export interface RequestOptions {
  /** Aborts the call, waits and retries included; the call then rejects with an `AbortedError`. */
  signal?: AbortSignal;
  /** Limit on each attempt of this call. */
  timeoutMs?: number;
  /** Retries of this call. */
  maxRetries?: number;
  /** Retry this call or not, whatever its method. */
  retry?: boolean;
  /** Headers for this call. */
  headers?: Record<string, string>;
}

/** A result with the answer it came in: `client.withResponse.…` resolves with this. */
export interface ApiResponse<Data> {
  /** What the plain method resolves with. */
  data: Data;
  /** The answer (of the last attempt). Its body was already read into `data`. */
  response: Response;
  /** The answer's `X-Request-Id`, to quote when reporting a problem; `undefined` when it had none. */
  requestId: string | undefined;
}

/** The operations of one refunds resource. Every method rejects with a `RefundsClientError` on failure. */
export interface RefundsResource<Refund, Page, Query, Create, Update> {
  /** One page of refunds matching `query`; pass `page_token` to read another page. */
  list(query?: Query, options?: RequestOptions): Promise<Page>;
  /** Every refund matching `query`, page after page, following `next_page_token` to the end. */
  listAll(query?: Query, options?: RequestOptions): AsyncGenerator<Refund, void, undefined>;
  /** The refund with this id; `EntityNotFoundError` when there is none. */
  get(id: string, options?: RequestOptions): Promise<Refund>;
  /** Records a refund and returns it as the service stored it. Not retried unless `retry: true`. */
  create(body: Create, options?: RequestOptions): Promise<Refund>;
  /** Changes the fields sent and returns the refund after the change. Not retried unless `retry: true`. */
  update(id: string, body: Update, options?: RequestOptions): Promise<Refund>;
  /** Deletes the refund; resolves with nothing, as the API answers an empty body. */
  delete(id: string, options?: RequestOptions): Promise<void>;
}

/** The operations of {@link RefundsResource} (but `listAll`), resolving with the answer too. */
export interface RefundsResourceWithResponse<Page, Query, Refund, Create, Update> {
  list(query?: Query, options?: RequestOptions): Promise<ApiResponse<Page>>;
  get(id: string, options?: RequestOptions): Promise<ApiResponse<Refund>>;
  create(body: Create, options?: RequestOptions): Promise<ApiResponse<Refund>>;
  update(id: string, body: Update, options?: RequestOptions): Promise<ApiResponse<Refund>>;
  delete(id: string, options?: RequestOptions): Promise<ApiResponse<undefined>>;
}

/** `client.patientRefunds`: refunds paid back to patients. */
export type PatientRefundsResource = RefundsResource<
  PatientRefund,
  PatientRefundsPage,
  ListPatientRefundsQuery,
  PatientRefundCreate,
  PatientRefundUpdate
>;

/** `client.nonInsurancePayerRefunds`: refunds paid back to non-insurance payers. */
export type NonInsurancePayerRefundsResource = RefundsResource<
  NonInsurancePayerRefund,
  NonInsurancePayerRefundsPage,
  ListNonInsurancePayerRefundsQuery,
  NonInsurancePayerRefundCreate,
  NonInsurancePayerRefundUpdate
>;

/** The operations of a {@link RefundsClient}, resolving with `{ data, response, requestId }`. */
export interface RefundsClientWithResponse {
  readonly patientRefunds: RefundsResourceWithResponse<
    PatientRefundsPage,
    ListPatientRefundsQuery,
    PatientRefund,
    PatientRefundCreate,
    PatientRefundUpdate
  >;
  readonly nonInsurancePayerRefunds: RefundsResourceWithResponse<
    NonInsurancePayerRefundsPage,
    ListNonInsurancePayerRefundsQuery,
    NonInsurancePayerRefund,
    NonInsurancePayerRefundCreate,
    NonInsurancePayerRefundUpdate
  >;
  getToken(credentials: TokenRequest, options?: RequestOptions): Promise<ApiResponse<TokenResponse>>;
}

/** A client of the Refunds API. */
export interface RefundsClient {
  readonly patientRefunds: PatientRefundsResource;
  readonly nonInsurancePayerRefunds: NonInsurancePayerRefundsResource;
  /** Exchanges client credentials for an access token; `auth: {clientId, clientSecret}` does this for you. */
  getToken(credentials: TokenRequest, options?: RequestOptions): Promise<TokenResponse>;
  /** The same operations, resolving with the answer and its request id: `{ data, response, requestId }`. */
  readonly withResponse: RefundsClientWithResponse;
  /**
   * Adds openapi-fetch middleware. It runs on every attempt (a retried call passes through it again), after the
   * client's authentication; `onError` sees the client's `NetworkError`, `TimeoutError` and `AbortedError`.
   */
  use(...middleware: Middleware[]): void;
  /** Removes middleware added with {@link RefundsClient.use}. */
  eject(...middleware: Middleware[]): void;
}

const defaults = {
  timeoutMs: 60_000,
  maxRetries: 2,
  retryMethods: ["GET", "DELETE"] as readonly HttpMethod[],
  backoff: { initialDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 },
};

// The only operation the spec exempts from bearer auth (`security: []`).
const tokenPath = "/api/auth/v2/token";

/** The shape of every openapi-fetch answer, whatever the operation. */
type Answer<Data> = { data?: Data; error?: unknown; response: Response };

/** A success as openapi-fetch answered it: the parsed body (`undefined` when there was none) and the answer. */
interface Success<Data> {
  data: Data | undefined;
  response: Response;
}

/** What a public method makes of a success: its data ({@link dataOf}), or the data with the answer. */
type Finish<Data, Out> = (success: Success<Data>) => Out;

/**
 * The operations of one resource; each resolves with what `finish` makes of its success, so the plain methods and
 * the `withResponse` ones share them without another promise in between.
 */
interface ResourceCalls<Page, Query, Refund, Create, Update> {
  list<Out>(query: Query | undefined, o: RequestOptions | undefined, finish: Finish<Page, Out>): Promise<Out>;
  get<Out>(id: string, o: RequestOptions | undefined, finish: Finish<Refund, Out>): Promise<Out>;
  create<Out>(body: Create, o: RequestOptions | undefined, finish: Finish<Refund, Out>): Promise<Out>;
  update<Out>(id: string, body: Update, o: RequestOptions | undefined, finish: Finish<Refund, Out>): Promise<Out>;
  delete<Out>(id: string, o: RequestOptions | undefined, finish: Finish<unknown, Out>): Promise<Out>;
}

/**
 * Creates a typed client of the Refunds API on openapi-fetch, with authentication, retries, timeouts and typed
 * errors.
 */
export function createRefundsClient(options: RefundsClientOptions): RefundsClient {
  const api = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: options.headers,
    // Each attempt's request is an OutgoingRequest: a `Request` that keeps its body's text for the transport.
    Request: OutgoingRequest,
    // The default query serializer, made once rather than on every request; paths split once (path-serializer.ts).
    querySerializer: createQuerySerializer(),
    pathSerializer: createPathSerializer(),
  });
  const retryMethods = options.retryMethods ?? defaults.retryMethods;
  const backoff = { ...defaults.backoff, ...options.backoff };
  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
  const clientMaxRetries = options.maxRetries ?? defaults.maxRetries;
  const clientLimits: AttemptLimits = { timeoutMs, signal: undefined };

  // The token endpoint is safe to repeat, so it is retried like a read.
  const tokens = createTokenSource(options.auth, (credentials) => getToken(credentials, { retry: true }));
  if (options.auth !== undefined) api.use(authMiddleware(tokens, new Set([tokenPath])));
  if (options.middleware) api.use(...options.middleware);

  /**
   * Runs one operation. Each attempt is a call of openapi-fetch, so middleware (auth included) runs on every attempt;
   * `run` makes that call with the `fetch` it is given, the transport's for the attempt. Network errors, timeouts and
   * retryable statuses are retried with backoff, or after the server's `Retry-After`, and the last failure becomes a
   * typed error. A success resolves with what `finish` makes of it.
   */
  async function call<Data, Out>(
    method: HttpMethod,
    o: RequestOptions | undefined,
    run: (fetch: AttemptFetch) => Promise<Answer<Data>>,
    finish: Finish<Data, Out>,
  ): Promise<Out> {
    const limits = o === undefined ? clientLimits : { timeoutMs: o.timeoutMs ?? timeoutMs, signal: o.signal };
    const maxRetries = (o?.retry ?? retryMethods.includes(method)) ? (o?.maxRetries ?? clientMaxRetries) : 0;
    for (let attempt = 0; ; attempt++) {
      let answer: Answer<Data>;
      try {
        answer = await runAttempt(limits, options.fetch, run);
      } catch (error) {
        const retryable = error instanceof NetworkError || error instanceof TimeoutError;
        if (!retryable || attempt >= maxRetries) throw error;
        await sleep(backoffDelay(attempt, backoff), limits.signal);
        continue;
      }
      const response = answer.response;
      if (response.ok) return finish({ data: answer.data, response });
      const delayMs =
        attempt < maxRetries && isRetryableStatus(response.status)
          ? retryDelay(attempt, response.headers, backoff)
          : undefined;
      if (delayMs === undefined) throw errorFromResponse(response.status, answer.error, response.headers);
      await sleep(delayMs, limits.signal);
    }
  }

  function token<Out>(
    credentials: TokenRequest,
    o: RequestOptions | undefined,
    finish: Finish<TokenResponse, Out>,
  ): Promise<Out> {
    return call("POST", o, (fetch) => api.POST(tokenPath, { body: credentials, headers: o?.headers, fetch }), finish);
  }

  function getToken(credentials: TokenRequest, o?: RequestOptions): Promise<ApiResponse<TokenResponse>> {
    return token(credentials, o, withRequestId);
  }

  const patientRefunds: ResourceCalls<
    PatientRefundsPage,
    ListPatientRefundsQuery,
    PatientRefund,
    PatientRefundCreate,
    PatientRefundUpdate
  > = {
    list: (query, o, finish) =>
      call(
        "GET",
        o,
        (fetch) => api.GET("/api/patient-refunds/v1", { params: { query }, headers: o?.headers, fetch }),
        finish,
      ),
    get: (id, o, finish) =>
      call(
        "GET",
        o,
        (fetch) =>
          api.GET("/api/patient-refunds/v1/{patient_refund_id}", {
            params: { path: { patient_refund_id: id } },
            headers: o?.headers,
            fetch,
          }),
        finish,
      ),
    create: (body, o, finish) =>
      call("POST", o, (fetch) => api.POST("/api/patient-refunds/v1", { body, headers: o?.headers, fetch }), finish),
    update: (id, body, o, finish) =>
      call(
        "PATCH",
        o,
        (fetch) =>
          api.PATCH("/api/patient-refunds/v1/{patient_refund_id}", {
            params: { path: { patient_refund_id: id } },
            body,
            headers: o?.headers,
            fetch,
          }),
        finish,
      ),
    delete: (id, o, finish) =>
      call(
        "DELETE",
        o,
        (fetch) =>
          api.DELETE("/api/patient-refunds/v1/{patient_refund_id}", {
            params: { path: { patient_refund_id: id } },
            headers: o?.headers,
            fetch,
          }),
        finish,
      ),
  };

  const nonInsurancePayerRefunds: ResourceCalls<
    NonInsurancePayerRefundsPage,
    ListNonInsurancePayerRefundsQuery,
    NonInsurancePayerRefund,
    NonInsurancePayerRefundCreate,
    NonInsurancePayerRefundUpdate
  > = {
    list: (query, o, finish) =>
      call(
        "GET",
        o,
        (fetch) => api.GET("/api/non-insurance-payer-refunds/v1", { params: { query }, headers: o?.headers, fetch }),
        finish,
      ),
    get: (id, o, finish) =>
      call(
        "GET",
        o,
        (fetch) =>
          api.GET("/api/non-insurance-payer-refunds/v1/{non_insurance_payer_refund_id}", {
            params: { path: { non_insurance_payer_refund_id: id } },
            headers: o?.headers,
            fetch,
          }),
        finish,
      ),
    create: (body, o, finish) =>
      call(
        "POST",
        o,
        (fetch) => api.POST("/api/non-insurance-payer-refunds/v1", { body, headers: o?.headers, fetch }),
        finish,
      ),
    update: (id, body, o, finish) =>
      call(
        "PATCH",
        o,
        (fetch) =>
          api.PATCH("/api/non-insurance-payer-refunds/v1/{non_insurance_payer_refund_id}", {
            params: { path: { non_insurance_payer_refund_id: id } },
            body,
            headers: o?.headers,
            fetch,
          }),
        finish,
      ),
    delete: (id, o, finish) =>
      call(
        "DELETE",
        o,
        (fetch) =>
          api.DELETE("/api/non-insurance-payer-refunds/v1/{non_insurance_payer_refund_id}", {
            params: { path: { non_insurance_payer_refund_id: id } },
            headers: o?.headers,
            fetch,
          }),
        finish,
      ),
  };

  const withResponse: RefundsClientWithResponse = {
    patientRefunds: withResponses(patientRefunds),
    nonInsurancePayerRefunds: withResponses(nonInsurancePayerRefunds),
    getToken,
  };

  return {
    patientRefunds: dataOnly(patientRefunds),
    nonInsurancePayerRefunds: dataOnly(nonInsurancePayerRefunds),
    getToken: (credentials, o) => token(credentials, o, dataOf),
    withResponse,
    use: (...middleware) => api.use(...middleware),
    eject: (...middleware) => api.eject(...middleware),
  };
}

/** The body of an operation that answers one; rejects when the answer has none. */
function dataOf<Data>({ data, response }: Success<Data>): Data {
  if (data === undefined) throw new UnexpectedResponseError(response.status, undefined, response.headers);
  return data;
}

/** The body with the answer and its request id; rejects when the answer has no body. */
function withRequestId<Data>(success: Success<Data>): ApiResponse<Data> {
  const response = success.response;
  return { data: dataOf(success), response, requestId: requestIdOf(response) };
}

/** The answer of an operation that answers no body, and its request id. */
function withoutData({ response }: Success<unknown>): ApiResponse<undefined> {
  return { data: undefined, response, requestId: requestIdOf(response) };
}

function requestIdOf(response: Response): string | undefined {
  return response.headers.get("X-Request-Id") ?? undefined;
}

/** The `withResponse` methods of a resource. */
function withResponses<Page, Query, Refund, Create, Update>(
  r: ResourceCalls<Page, Query, Refund, Create, Update>,
): RefundsResourceWithResponse<Page, Query, Refund, Create, Update> {
  return {
    list: (query, o) => r.list(query, o, withRequestId),
    get: (id, o) => r.get(id, o, withRequestId),
    create: (body, o) => r.create(body, o, withRequestId),
    update: (id, body, o) => r.update(id, body, o, withRequestId),
    delete: (id, o) => r.delete(id, o, withoutData),
  };
}

/** The plain methods of a resource: the data of each answer, and `listAll` over its pages. */
function dataOnly<Refund, Page extends { items: Refund[]; next_page_token?: string }, Query, Create, Update>(
  r: ResourceCalls<Page, Query, Refund, Create, Update>,
): RefundsResource<Refund, Page, Query, Create, Update> {
  return {
    list: (query, o) => r.list(query, o, dataOf),
    listAll: (query, o) => paginate((q: Query) => r.list(q, o, withRequestId), query),
    get: (id, o) => r.get(id, o, dataOf),
    create: (body, o) => r.create(body, o, dataOf),
    update: (id, body, o) => r.update(id, body, o, dataOf),
    delete: (id, o) => r.delete(id, o, nothing),
  };
}

function nothing(): undefined {
  return undefined;
}

/**
 * Yields every item of every page, following `next_page_token` until a page has none. A token that was already
 * followed would loop forever, so it ends the iteration with an {@link UnexpectedResponseError}.
 */
async function* paginate<Item, Query>(
  list: (query: Query) => Promise<ApiResponse<{ items: Item[]; next_page_token?: string }>>,
  query: Query | undefined,
): AsyncGenerator<Item, void, undefined> {
  const base = (query ?? {}) as Query & { page_token?: string };
  const followed = new Set(base.page_token === undefined ? [] : [base.page_token]);
  let answer = await list(base);
  for (;;) {
    const page = answer.data;
    yield* page.items;
    const token = page.next_page_token;
    if (token === undefined || token === "") return;
    if (followed.has(token)) {
      const { status, headers } = answer.response;
      throw new UnexpectedResponseError(status, page, headers, `next_page_token ${token} repeats; stopping`);
    }
    followed.add(token);
    answer = await list({ ...base, page_token: token });
  }
}
