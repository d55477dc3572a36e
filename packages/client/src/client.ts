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
import createClient from "openapi-fetch";
import { type AuthOption, createTokenSource } from "./auth.js";
import { errorFromResponse, RefundsError, UnauthorizedError, UnexpectedResponseError } from "./errors.js";
import {
  type AttemptRecord,
  type BackoffOptions,
  type FetchLike,
  OutgoingRequest,
  type Sender,
  send,
  type TransportSettings,
} from "./transport.js";

/** HTTP methods the API uses. */
export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

/** Options of {@link createRefundsClient}. */
export interface RefundsClientOptions {
  /** Origin of the API, such as `https://api.example.com`; the operations' paths are appended to it. */
  baseUrl: string;
  /** A bearer token, a function returning one, or client credentials. Without it no `Authorization` is sent. */
  auth?: AuthOption;
  /** The `fetch` to call, given a `Request`. By default `globalThis.fetch`, called with a URL and an init. */
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

/** A client of the Refunds API. */
export interface RefundsClient {
  readonly patientRefunds: PatientRefundsResource;
  readonly nonInsurancePayerRefunds: NonInsurancePayerRefundsResource;
  /** Exchanges client credentials for an access token; `auth: {clientId, clientSecret}` does this for you. */
  getToken(credentials: TokenRequest, options?: RequestOptions): Promise<TokenResponse>;
}

const defaults = {
  timeoutMs: 60_000,
  maxRetries: 2,
  retryMethods: ["GET", "DELETE"] as readonly HttpMethod[],
  backoff: { initialDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 },
};

/** The shape of every openapi-fetch answer, whatever the operation. */
type Answer<Data> = { data?: Data; error?: unknown; response: Response };

/**
 * Creates a typed client of the Refunds API on openapi-fetch, with authentication, retries, timeouts and typed
 * errors.
 */
export function createRefundsClient(options: RefundsClientOptions): RefundsClient {
  const api = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: options.headers,
    // openapi-fetch hands its request to `send` below, which builds what goes on the wire once per attempt.
    Request: OutgoingRequest as unknown as typeof Request,
  });
  const retryMethods = options.retryMethods ?? defaults.retryMethods;
  const backoff = { ...defaults.backoff, ...options.backoff };
  // The global fetch is resolved per call, so one installed after the client was created is still used, and given
  // the URL and init as they are: a `Request` made first would be copied again inside it, its body stream teed.
  const custom = options.fetch;
  const sender: Sender = custom ? (url, init) => custom(new Request(url, init)) : (url, init) => fetch(url, init);

  // The token endpoint is safe to repeat, so it is retried like a read.
  const tokens = createTokenSource(options.auth, (credentials) => getToken(credentials, { retry: true }));
  const token = () => tokens.token();

  async function call<Data>(
    method: HttpMethod,
    requestOptions: RequestOptions | undefined,
    authenticated: boolean,
    run: (init: {
      fetch: (request: Request) => Promise<Response>;
      headers?: Record<string, string>;
    }) => Promise<Answer<Data>>,
  ): Promise<Answer<Data>> {
    const settings: TransportSettings = {
      send: sender,
      backoff,
      timeoutMs: requestOptions?.timeoutMs ?? options.timeoutMs ?? defaults.timeoutMs,
      maxRetries: requestOptions?.maxRetries ?? options.maxRetries ?? defaults.maxRetries,
      retry: requestOptions?.retry ?? retryMethods.includes(method),
      signal: requestOptions?.signal,
      token: authenticated ? token : undefined,
    };
    const record: AttemptRecord = {};
    let answer: Answer<Data>;
    try {
      answer = await run({
        fetch: (request) => send(request as unknown as OutgoingRequest, settings, record),
        headers: requestOptions?.headers,
      });
    } catch (error) {
      // openapi-fetch throws only on a success body that is not JSON; everything else is already ours.
      if (error instanceof RefundsError || !(error instanceof SyntaxError) || !record.response) throw error;
      throw new UnexpectedResponseError(
        record.response.status,
        record.body,
        record.response.headers,
        "body is not JSON",
      );
    }
    const { response } = answer;
    if (!response.ok) {
      const error = errorFromResponse(response.status, answer.error, response.headers);
      if (error instanceof UnauthorizedError) tokens.invalidate(record.token);
      throw error;
    }
    return answer;
  }

  async function withBody<Data>(answer: Promise<Answer<Data>>): Promise<Data> {
    const { data, response } = await answer;
    if (data === undefined) throw new UnexpectedResponseError(response.status, undefined, response.headers);
    return data;
  }

  async function getToken(credentials: TokenRequest, requestOptions?: RequestOptions): Promise<TokenResponse> {
    return withBody(
      call("POST", requestOptions, false, (init) => api.POST("/api/auth/v2/token", { body: credentials, ...init })),
    );
  }

  const patientRefunds: PatientRefundsResource = {
    list: (query, o) =>
      withBody(call("GET", o, true, (init) => api.GET("/api/patient-refunds/v1", { params: { query }, ...init }))),
    listAll: (query, o) => paginate((q) => patientRefunds.list(q, o), query),
    get: (id, o) =>
      withBody(
        call("GET", o, true, (init) =>
          api.GET("/api/patient-refunds/v1/{patient_refund_id}", {
            params: { path: { patient_refund_id: id } },
            ...init,
          }),
        ),
      ),
    create: (body, o) =>
      withBody(call("POST", o, true, (init) => api.POST("/api/patient-refunds/v1", { body, ...init }))),
    update: (id, body, o) =>
      withBody(
        call("PATCH", o, true, (init) =>
          api.PATCH("/api/patient-refunds/v1/{patient_refund_id}", {
            params: { path: { patient_refund_id: id } },
            body,
            ...init,
          }),
        ),
      ),
    delete: async (id, o) => {
      await call("DELETE", o, true, (init) =>
        api.DELETE("/api/patient-refunds/v1/{patient_refund_id}", {
          params: { path: { patient_refund_id: id } },
          ...init,
        }),
      );
    },
  };

  const nonInsurancePayerRefunds: NonInsurancePayerRefundsResource = {
    list: (query, o) =>
      withBody(
        call("GET", o, true, (init) => api.GET("/api/non-insurance-payer-refunds/v1", { params: { query }, ...init })),
      ),
    listAll: (query, o) => paginate((q) => nonInsurancePayerRefunds.list(q, o), query),
    get: (id, o) =>
      withBody(
        call("GET", o, true, (init) =>
          api.GET("/api/non-insurance-payer-refunds/v1/{non_insurance_payer_refund_id}", {
            params: { path: { non_insurance_payer_refund_id: id } },
            ...init,
          }),
        ),
      ),
    create: (body, o) =>
      withBody(call("POST", o, true, (init) => api.POST("/api/non-insurance-payer-refunds/v1", { body, ...init }))),
    update: (id, body, o) =>
      withBody(
        call("PATCH", o, true, (init) =>
          api.PATCH("/api/non-insurance-payer-refunds/v1/{non_insurance_payer_refund_id}", {
            params: { path: { non_insurance_payer_refund_id: id } },
            body,
            ...init,
          }),
        ),
      ),
    delete: async (id, o) => {
      await call("DELETE", o, true, (init) =>
        api.DELETE("/api/non-insurance-payer-refunds/v1/{non_insurance_payer_refund_id}", {
          params: { path: { non_insurance_payer_refund_id: id } },
          ...init,
        }),
      );
    },
  };

  return { patientRefunds, nonInsurancePayerRefunds, getToken };
}

/**
 * Yields every item of every page, following `next_page_token` until a page has none. A token that was already
 * followed would loop forever, so it ends the iteration with an {@link UnexpectedResponseError}.
 */
async function* paginate<Item, Query extends { page_token?: string }>(
  list: (query: Query) => Promise<{ items: Item[]; next_page_token?: string }>,
  query: Query | undefined,
): AsyncGenerator<Item, void, undefined> {
  const base = (query ?? {}) as Query;
  const followed = new Set(base.page_token === undefined ? [] : [base.page_token]);
  let page = await list(base);
  for (;;) {
    yield* page.items;
    const token = page.next_page_token;
    if (token === undefined || token === "") return;
    if (followed.has(token)) {
      throw new UnexpectedResponseError(200, page, new Headers(), `next_page_token ${token} repeats; stopping`);
    }
    followed.add(token);
    page = await list({ ...base, page_token: token });
  }
}
