import { describe, expect, it } from "vitest";
import { type RefundsClient, UnexpectedResponseError } from "../src/index.js";
import { examples } from "./support/examples.js";
import { clientWith, json } from "./support/fake-fetch.js";

const patientRefundId = examples.patientRefund.patient_refund_id;
const payerRefundId = examples.nonInsurancePayerRefund.non_insurance_payer_refund_id;
const emptyOk = () => new Response(null, { status: 200, headers: { "Content-Length": "0" } });

interface OperationCase {
  name: string;
  call: (client: RefundsClient) => Promise<unknown>;
  answer: Response;
  want: { method: string; path: string; search?: string; body?: unknown; result: unknown };
}

describe("operations", () => {
  it.each<OperationCase>([
    {
      name: "patientRefunds.list sends filters, arrays as repeated keys",
      call: (c) =>
        c.patientRefunds.list({
          sources: ["STRIPE", "SQUARE"],
          limit: 10,
          unattributed: false,
          sort: "amount_cents",
          sort_direction: "asc",
        }),
      answer: json(200, examples.patientRefundsPage),
      want: {
        method: "GET",
        path: "/api/patient-refunds/v1",
        search: "?sources=STRIPE&sources=SQUARE&limit=10&unattributed=false&sort=amount_cents&sort_direction=asc",
        result: examples.patientRefundsPage,
      },
    },
    {
      name: "patientRefunds.list with a one-element array sends one key",
      call: (c) => c.patientRefunds.list({ sources: ["LOCKBOX"], page_token: "abc=" }),
      answer: json(200, examples.patientRefundsPage),
      want: {
        method: "GET",
        path: "/api/patient-refunds/v1",
        search: "?sources=LOCKBOX&page_token=abc%3D",
        result: examples.patientRefundsPage,
      },
    },
    {
      name: "patientRefunds.list without a query sends none",
      call: (c) => c.patientRefunds.list(),
      answer: json(200, examples.patientRefundsPage),
      want: { method: "GET", path: "/api/patient-refunds/v1", search: "", result: examples.patientRefundsPage },
    },
    {
      name: "patientRefunds.get",
      call: (c) => c.patientRefunds.get(patientRefundId),
      answer: json(200, examples.patientRefund),
      want: { method: "GET", path: `/api/patient-refunds/v1/${patientRefundId}`, result: examples.patientRefund },
    },
    {
      name: "patientRefunds.get escapes the id",
      call: (c) => c.patientRefunds.get("a/b?c"),
      answer: json(200, examples.patientRefund),
      want: { method: "GET", path: "/api/patient-refunds/v1/a%2Fb%3Fc", result: examples.patientRefund },
    },
    {
      name: "patientRefunds.create posts the body and reads the 200",
      call: (c) => c.patientRefunds.create(examples.patientRefundCreate),
      answer: json(200, examples.patientRefund),
      want: {
        method: "POST",
        path: "/api/patient-refunds/v1",
        body: examples.patientRefundCreate,
        result: examples.patientRefund,
      },
    },
    {
      name: "patientRefunds.update patches the body",
      call: (c) => c.patientRefunds.update(patientRefundId, examples.patientRefundUpdate),
      answer: json(200, examples.patientRefund),
      want: {
        method: "PATCH",
        path: `/api/patient-refunds/v1/${patientRefundId}`,
        body: examples.patientRefundUpdate,
        result: examples.patientRefund,
      },
    },
    {
      name: "patientRefunds.delete reads an empty 200 as nothing",
      call: (c) => c.patientRefunds.delete(patientRefundId),
      answer: emptyOk(),
      want: { method: "DELETE", path: `/api/patient-refunds/v1/${patientRefundId}`, result: undefined },
    },
    {
      name: "patientRefunds.delete reads an empty 200 without Content-Length as nothing",
      call: (c) => c.patientRefunds.delete(patientRefundId),
      answer: new Response("", { status: 200 }),
      want: { method: "DELETE", path: `/api/patient-refunds/v1/${patientRefundId}`, result: undefined },
    },
    {
      name: "nonInsurancePayerRefunds.list sends check numbers as repeated keys",
      call: (c) =>
        c.nonInsurancePayerRefunds.list({
          check_number: ["1001", "1002"],
          non_insurance_payer_id: "p-1",
          sort: "amount_cents",
        }),
      answer: json(200, examples.nonInsurancePayerRefundsPage),
      want: {
        method: "GET",
        path: "/api/non-insurance-payer-refunds/v1",
        search: "?check_number=1001&check_number=1002&non_insurance_payer_id=p-1&sort=amount_cents",
        result: examples.nonInsurancePayerRefundsPage,
      },
    },
    {
      name: "nonInsurancePayerRefunds.get",
      call: (c) => c.nonInsurancePayerRefunds.get(payerRefundId),
      answer: json(200, examples.nonInsurancePayerRefund),
      want: {
        method: "GET",
        path: `/api/non-insurance-payer-refunds/v1/${payerRefundId}`,
        result: examples.nonInsurancePayerRefund,
      },
    },
    {
      name: "nonInsurancePayerRefunds.create",
      call: (c) => c.nonInsurancePayerRefunds.create(examples.nonInsurancePayerRefundCreate),
      answer: json(200, examples.nonInsurancePayerRefund),
      want: {
        method: "POST",
        path: "/api/non-insurance-payer-refunds/v1",
        body: examples.nonInsurancePayerRefundCreate,
        result: examples.nonInsurancePayerRefund,
      },
    },
    {
      name: "nonInsurancePayerRefunds.update",
      call: (c) => c.nonInsurancePayerRefunds.update(payerRefundId, examples.nonInsurancePayerRefundUpdate),
      answer: json(200, examples.nonInsurancePayerRefund),
      want: {
        method: "PATCH",
        path: `/api/non-insurance-payer-refunds/v1/${payerRefundId}`,
        body: examples.nonInsurancePayerRefundUpdate,
        result: examples.nonInsurancePayerRefund,
      },
    },
    {
      name: "nonInsurancePayerRefunds.delete",
      call: (c) => c.nonInsurancePayerRefunds.delete(payerRefundId),
      answer: emptyOk(),
      want: { method: "DELETE", path: `/api/non-insurance-payer-refunds/v1/${payerRefundId}`, result: undefined },
    },
    {
      name: "getToken posts the credentials",
      call: (c) => c.getToken(examples.tokenRequest),
      answer: json(200, examples.tokenResponse),
      want: { method: "POST", path: "/api/auth/v2/token", body: examples.tokenRequest, result: examples.tokenResponse },
    },
  ])("$name", async ({ call, answer, want }) => {
    const { client, requests } = clientWith([answer]);
    expect(await call(client)).toEqual(want.result);
    expect(requests).toHaveLength(1);
    const [sent] = requests;
    expect(sent?.method).toBe(want.method);
    expect(sent?.url.origin).toBe("https://api.test");
    expect(sent?.url.pathname).toBe(want.path);
    expect(sent?.url.search).toBe(want.search ?? "");
    if (want.body === undefined) {
      expect(sent?.body).toBeUndefined();
      expect(sent?.headers.get("Content-Type")).toBeNull();
    } else {
      expect(JSON.parse(sent?.body ?? "")).toEqual(want.body);
      expect(sent?.headers.get("Content-Type")).toBe("application/json");
    }
  });

  it("sends the client's and the call's headers", async () => {
    const { client, requests } = clientWith([json(200, examples.patientRefund)], {
      headers: { "User-Agent": "billing-sync/1.0" },
    });
    await client.patientRefunds.get(patientRefundId, { headers: { "X-Request-Id": "r-1" } });
    expect(requests[0]?.headers.get("User-Agent")).toBe("billing-sync/1.0");
    expect(requests[0]?.headers.get("X-Request-Id")).toBe("r-1");
  });

  it("resolves paths against a base URL that has a path and a trailing slash", async () => {
    const { client, requests } = clientWith([json(200, examples.patientRefund)], { baseUrl: "https://api.test/v/" });
    await client.patientRefunds.get("x");
    expect(requests[0]?.url.href).toBe("https://api.test/v/api/patient-refunds/v1/x");
  });
});

describe("listAll", () => {
  const refund = (n: number) => ({ ...examples.patientRefund, patient_refund_id: `refund-${n}` });
  const page = (items: number[], next?: string) => json(200, { items: items.map(refund), next_page_token: next });

  it("follows next_page_token to the last page, keeping the query", async () => {
    const { client, requests } = clientWith([page([1, 2], "t1"), page([3], "t2"), page([4])]);
    const seen: string[] = [];
    for await (const r of client.patientRefunds.listAll({ sources: ["STRIPE", "SQUARE"], limit: 2 })) {
      seen.push(r.patient_refund_id);
    }
    expect(seen).toEqual(["refund-1", "refund-2", "refund-3", "refund-4"]);
    expect(requests.map((r) => r.url.search)).toEqual([
      "?sources=STRIPE&sources=SQUARE&limit=2",
      "?sources=STRIPE&sources=SQUARE&limit=2&page_token=t1",
      "?sources=STRIPE&sources=SQUARE&limit=2&page_token=t2",
    ]);
  });

  it("fetches the next page only when the caller asks for more", async () => {
    const { client, requests } = clientWith([page([1, 2], "t1"), page([3])]);
    for await (const r of client.nonInsurancePayerRefunds.listAll()) {
      expect(r).toBeDefined();
      break;
    }
    expect(requests).toHaveLength(1);
  });

  it("stops with an error instead of following a token twice", async () => {
    const { client, requests } = clientWith([page([1], "t1"), page([2], "t2"), page([3], "t1")]);
    const seen: string[] = [];
    const done = (async () => {
      for await (const r of client.patientRefunds.listAll()) seen.push(r.patient_refund_id);
    })();
    await expect(done).rejects.toBeInstanceOf(UnexpectedResponseError);
    expect(seen).toEqual(["refund-1", "refund-2", "refund-3"]);
    expect(requests).toHaveLength(3);
  });

  it("ends on an empty last page", async () => {
    const { client } = clientWith([page([], undefined)]);
    const seen: unknown[] = [];
    for await (const r of client.patientRefunds.listAll()) seen.push(r);
    expect(seen).toEqual([]);
  });
});

describe("withResponse", () => {
  const withId = (response: Response) => {
    response.headers.set("X-Request-Id", "req-7");
    return response;
  };

  it.each<{ name: string; call: (c: RefundsClient) => Promise<unknown>; answer: Response; data: unknown }>([
    {
      name: "patientRefunds.get",
      call: (c) => c.withResponse.patientRefunds.get(patientRefundId),
      answer: json(200, examples.patientRefund),
      data: examples.patientRefund,
    },
    {
      name: "patientRefunds.list",
      call: (c) => c.withResponse.patientRefunds.list({ limit: 1 }),
      answer: json(200, examples.patientRefundsPage),
      data: examples.patientRefundsPage,
    },
    {
      name: "nonInsurancePayerRefunds.update",
      call: (c) => c.withResponse.nonInsurancePayerRefunds.update(payerRefundId, {}),
      answer: json(200, examples.nonInsurancePayerRefund),
      data: examples.nonInsurancePayerRefund,
    },
    {
      name: "nonInsurancePayerRefunds.delete",
      call: (c) => c.withResponse.nonInsurancePayerRefunds.delete(payerRefundId),
      answer: emptyOk(),
      data: undefined,
    },
    {
      name: "getToken",
      call: (c) => c.withResponse.getToken(examples.tokenRequest),
      answer: json(200, examples.tokenResponse),
      data: examples.tokenResponse,
    },
  ])("$name resolves with the data, the answer and its request id", async ({ call, answer, data }) => {
    const { client } = clientWith([withId(answer)]);
    const result = await call(client);
    expect(result).toEqual({ data, response: expect.any(Response), requestId: "req-7" });
    expect((result as { response: Response }).response.status).toBe(200);
  });

  it("requestId is undefined when the answer has none", async () => {
    const { client } = clientWith([json(200, examples.patientRefund)]);
    const { data, requestId } = await client.withResponse.patientRefunds.get(patientRefundId);
    expect(data).toEqual(examples.patientRefund);
    expect(requestId).toBeUndefined();
  });

  it("fails like the plain method", async () => {
    const { client } = clientWith([json(404, examples.entityNotFoundError)]);
    await expect(client.withResponse.patientRefunds.get(patientRefundId)).rejects.toMatchObject({
      errorName: "EntityNotFoundError",
    });
  });
});
