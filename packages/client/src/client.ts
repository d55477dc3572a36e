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
import createClient, { type Middleware } from "openapi-fetch";
import { type AuthOption, authMiddleware, createTokenSource } from "./auth.js";
import { errorFromResponse, NetworkError, TimeoutError, UnexpectedResponseError } from "./errors.js";
import {
  type BackoffOptions,
  backoffDelay,
  type FetchLike,
  isRetryableStatus,
  retryDelay,
  runAttempt,
  sendAttempt,
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

/** What each openapi-fetch call of one attempt is given besides its parameters. */
interface CallInit {
  fetch: FetchLike;
  headers: Record<string, string> | undefined;
}

/**
 * Creates a typed client of the Refunds API on openapi-fetch, with authentication, retries, timeouts and typed
 * errors.
 */
export function createRefundsClient(options: RefundsClientOptions): RefundsClient {
  const api = createClient<paths>({ baseUrl: options.baseUrl, headers: options.headers });
  const retryMethods = options.retryMethods ?? defaults.retryMethods;
  const backoff = { ...defaults.backoff, ...options.backoff };
  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
  const clientMaxRetries = options.maxRetries ?? defaults.maxRetries;

  // The token endpoint is safe to repeat, so it is retried like a read.
  const tokens = createTokenSource(options.auth, (credentials) => getToken(credentials, { retry: true }));
  if (options.auth !== undefined) api.use(authMiddleware(tokens, new Set([tokenPath])));
  if (options.middleware) api.use(...options.middleware);

  /**
   * Runs one operation. Each attempt is a call of openapi-fetch, so middleware (auth included) runs on every attempt,
   * with the transport's `sendAttempt` as its `fetch`; network errors, timeouts and retryable statuses are retried
   * with backoff, or after the server's `Retry-After`, and the last failure becomes a typed error.
   */
  async function call<Data>(
    method: HttpMethod,
    o: RequestOptions | undefined,
    run: (init: CallInit) => Promise<Answer<Data>>,
  ): Promise<ApiResponse<Data | undefined>> {
    const limits = { timeoutMs: o?.timeoutMs ?? timeoutMs, signal: o?.signal };
    const maxRetries = (o?.retry ?? retryMethods.includes(method)) ? (o?.maxRetries ?? clientMaxRetries) : 0;
    const headers = o?.headers;
    const custom = options.fetch;
    for (let attempt = 0; ; attempt++) {
      let answer: Answer<Data>;
      try {
        answer = await runAttempt(limits, (a) => run({ fetch: (request) => sendAttempt(request, a, custom), headers }));
      } catch (error) {
        const retryable = error instanceof NetworkError || error instanceof TimeoutError;
        if (!retryable || attempt >= maxRetries) throw error;
        await sleep(backoffDelay(attempt, backoff), limits.signal);
        continue;
      }
      const { response } = answer;
      if (response.ok) {
        return { data: answer.data, response, requestId: response.headers.get("X-Request-Id") ?? undefined };
      }
      const delayMs =
        attempt < maxRetries && isRetryableStatus(response.status)
          ? retryDelay(attempt, response.headers, backoff)
          : undefined;
      if (delayMs === undefined) throw errorFromResponse(response.status, answer.error, response.headers);
      await sleep(delayMs, limits.signal);
    }
  }

  /** An operation that answers a body: resolves with it, or rejects when the answer has none. */
  function read<Data>(
    method: HttpMethod,
    o: RequestOptions | undefined,
    run: (init: CallInit) => Promise<Answer<Data>>,
  ): Promise<ApiResponse<Data>> {
    return call(method, o, run).then(present);
  }

  function getToken(credentials: TokenRequest, o?: RequestOptions): Promise<ApiResponse<TokenResponse>> {
    return read("POST", o, (init) => api.POST(tokenPath, { body: credentials, ...init }));
  }

  const withResponse: RefundsClientWithResponse = {
    patientRefunds: {
      list: (query, o) => read("GET", o, (init) => api.GET("/api/patient-refunds/v1", { params: { query }, ...init })),
      get: (id, o) =>
        read("GET", o, (init) =>
          api.GET("/api/patient-refunds/v1/{patient_refund_id}", {
            params: { path: { patient_refund_id: id } },
            ...init,
          }),
        ),
      create: (body, o) => read("POST", o, (init) => api.POST("/api/patient-refunds/v1", { body, ...init })),
      update: (id, body, o) =>
        read("PATCH", o, (init) =>
          api.PATCH("/api/patient-refunds/v1/{patient_refund_id}", {
            params: { path: { patient_refund_id: id } },
            body,
            ...init,
          }),
        ),
      delete: (id, o) =>
        call("DELETE", o, (init) =>
          api.DELETE("/api/patient-refunds/v1/{patient_refund_id}", {
            params: { path: { patient_refund_id: id } },
            ...init,
          }),
        ).then(withoutData),
    },
    nonInsurancePayerRefunds: {
      list: (query, o) =>
        read("GET", o, (init) => api.GET("/api/non-insurance-payer-refunds/v1", { params: { query }, ...init })),
      get: (id, o) =>
        read("GET", o, (init) =>
          api.GET("/api/non-insurance-payer-refunds/v1/{non_insurance_payer_refund_id}", {
            params: { path: { non_insurance_payer_refund_id: id } },
            ...init,
          }),
        ),
      create: (body, o) =>
        read("POST", o, (init) => api.POST("/api/non-insurance-payer-refunds/v1", { body, ...init })),
      update: (id, body, o) =>
        read("PATCH", o, (init) =>
          api.PATCH("/api/non-insurance-payer-refunds/v1/{non_insurance_payer_refund_id}", {
            params: { path: { non_insurance_payer_refund_id: id } },
            body,
            ...init,
          }),
        ),
      delete: (id, o) =>
        call("DELETE", o, (init) =>
          api.DELETE("/api/non-insurance-payer-refunds/v1/{non_insurance_payer_refund_id}", {
            params: { path: { non_insurance_payer_refund_id: id } },
            ...init,
          }),
        ).then(withoutData),
    },
    getToken,
  };

  return {
    patientRefunds: dataOnly(withResponse.patientRefunds),
    nonInsurancePayerRefunds: dataOnly(withResponse.nonInsurancePayerRefunds),
    getToken: (credentials, o) => getToken(credentials, o).then(dataOf),
    withResponse,
    use: (...middleware) => api.use(...middleware),
    eject: (...middleware) => api.eject(...middleware),
  };
}

function present<Data>({ data, response, requestId }: ApiResponse<Data | undefined>): ApiResponse<Data> {
  if (data === undefined) throw new UnexpectedResponseError(response.status, undefined, response.headers);
  return { data, response, requestId };
}

function dataOf<Data>(answer: ApiResponse<Data>): Data {
  return answer.data;
}

function withoutData(answer: ApiResponse<unknown>): ApiResponse<undefined> {
  return { ...answer, data: undefined };
}

/** The plain methods of a resource: its `withResponse` methods' data, and `listAll` over its pages. */
function dataOnly<Refund, Page extends { items: Refund[]; next_page_token?: string }, Query, Create, Update>(
  r: RefundsResourceWithResponse<Page, Query, Refund, Create, Update>,
): RefundsResource<Refund, Page, Query, Create, Update> {
  return {
    list: (query, o) => r.list(query, o).then(dataOf),
    listAll: (query, o) => paginate((q: Query) => r.list(q, o), query),
    get: (id, o) => r.get(id, o).then(dataOf),
    create: (body, o) => r.create(body, o).then(dataOf),
    update: (id, body, o) => r.update(id, body, o).then(dataOf),
    delete: (id, o) => r.delete(id, o).then(() => undefined),
  };
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
