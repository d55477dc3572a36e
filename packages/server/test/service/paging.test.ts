import type { NonInsurancePayerRefund, PatientRefund } from "@refunds-api/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSeed } from "../../src/index.js";
import { type Harness, query, startHarness } from "../support/harness.js";
import { modelSort, nonInsurancePayerRefunds, patientRefunds, pools } from "../support/refunds.js";

const pr = "/api/patient-refunds/v1";
const nip = "/api/non-insurance-payer-refunds/v1";
const payers = (defaultSeed.non_insurance_payers ?? []).filter((p) => pools.payers.includes(p.non_insurance_payer_id));
const patients = patientRefunds(250);
const payerRefunds = nonInsurancePayerRefunds(250, payers);
const prId = (r: PatientRefund) => r.patient_refund_id;
const nipId = (r: NonInsurancePayerRefund) => r.non_insurance_payer_refund_id;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    seed: { non_insurance_payers: payers, patient_refunds: patients, non_insurance_payer_refunds: payerRefunds },
  });
});
afterAll(() => h?.close());

type Params = Record<string, string | number | boolean | readonly string[] | undefined>;

/** Follows next_page_token to the end; returns every page's ids. */
async function readAll(path: string, params: Params) {
  const pages: string[][] = [];
  let token: string | undefined;
  do {
    const reply = await h.request("GET", path + query(token ? { limit: params.limit, page_token: token } : params));
    expect(reply.status).toBe(200);
    pages.push(
      reply.body.items.map((r: PatientRefund | NonInsurancePayerRefund) =>
        "patient_refund_id" in r ? prId(r) : nipId(r),
      ),
    );
    token = reply.body.next_page_token;
    expect(pages.length).toBeLessThan(100);
  } while (token);
  return pages;
}

describe("250 patient refunds paged by 100", () => {
  it("reads 100, 100 and 50 with no duplicates and no misses in the default order", async () => {
    const pages = await readAll(pr, { limit: 100 });
    expect(pages.map((p) => p.length)).toEqual([100, 100, 50]);
    expect(pages.flat()).toEqual(modelSort(patients, "refund_timestamp", "desc", prId).map(prId));
  });

  it("defaults to 100 refunds a page", async () => {
    expect((await h.request("GET", pr)).body.items).toHaveLength(100);
  });

  it("allows up to 999 a page", async () => {
    const reply = await h.request("GET", `${pr}?limit=999`);
    expect(reply.body.items).toHaveLength(250);
    expect(reply.body.next_page_token).toBeUndefined();
  });
});

describe.each(["refund_source", "amount_cents", "refund_timestamp", "refund_reason", "refund_note"])(
  "patient refunds sorted by %s",
  (sort) => {
    it.each(["asc", "desc"] as const)("%s, paged by 37, in the model's order", async (direction) => {
      const pages = await readAll(pr, { limit: 37, sort, sort_direction: direction });
      expect(pages.flat()).toEqual(modelSort(patients, sort, direction, prId).map(prId));
    });
  },
);

describe.each(["amount_cents", "refund_timestamp"])("non-insurance payer refunds sorted by %s", (sort) => {
  it.each(["asc", "desc"] as const)("%s, paged by 100, in the model's order", async (direction) => {
    const pages = await readAll(nip, { limit: 100, sort, sort_direction: direction });
    expect(pages.map((p) => p.length)).toEqual([100, 100, 50]);
    expect(pages.flat()).toEqual(modelSort(payerRefunds, sort, direction, nipId).map(nipId));
  });
});

const targets = (r: PatientRefund) => r.allocations.map((a) => a.target as Record<string, string>);
const [claim, otherClaim] = pools.claims;
const [serviceLine] = pools.serviceLines;
const [provider] = pools.providers;
const [invoice] = pools.invoices;
const [payer] = pools.payers;

describe("patient refund filters", () => {
  it.each<{ name: string; params: Params; match: (r: PatientRefund) => boolean }>([
    {
      name: "patient_external_id",
      params: { patient_external_id: "PAT-2" },
      match: (r) => r.patient_external_id === "PAT-2",
    },
    {
      name: "claim_id (claims and their service lines)",
      params: { claim_id: claim },
      match: (r) => targets(r).some((t) => t.claim_id === claim),
    },
    {
      name: "service_line_id",
      params: { service_line_id: serviceLine },
      match: (r) => targets(r).some((t) => t.service_line_id === serviceLine),
    },
    {
      name: "billing_provider_id",
      params: { billing_provider_id: provider },
      match: (r) => targets(r).some((t) => t.billing_provider_id === provider),
    },
    {
      name: "unattributed=true",
      params: { unattributed: true },
      match: (r) => targets(r).some((t) => t.type === "unattributed"),
    },
    {
      name: "unattributed=false",
      params: { unattributed: false },
      match: (r) => !targets(r).some((t) => t.type === "unattributed"),
    },
    { name: "invoice_id", params: { invoice_id: invoice }, match: (r) => r.invoice === invoice },
    { name: "one source", params: { sources: ["STRIPE"] }, match: (r) => r.refund_source === "STRIPE" },
    {
      name: "several sources",
      params: { sources: ["SQUARE", "LOCKBOX"] },
      match: (r) => r.refund_source === "SQUARE" || r.refund_source === "LOCKBOX",
    },
    { name: "a source nobody used", params: { sources: ["CEDAR"] }, match: () => false },
    {
      name: "every filter together",
      params: {
        patient_external_id: "PAT-1",
        claim_id: otherClaim,
        unattributed: false,
        sources: ["STRIPE", "MANUAL_ENTRY"],
      },
      match: (r) =>
        r.patient_external_id === "PAT-1" &&
        targets(r).some((t) => t.claim_id === otherClaim) &&
        !targets(r).some((t) => t.type === "unattributed") &&
        (r.refund_source === "STRIPE" || r.refund_source === "MANUAL_ENTRY"),
    },
  ])("$name", async ({ params, match }) => {
    const want = modelSort(patients.filter(match), "amount_cents", "asc", prId).map(prId);
    if (params.sources?.toString() !== "CEDAR") expect(want.length).toBeGreaterThan(0);
    const pages = await readAll(pr, { ...params, limit: 10, sort: "amount_cents", sort_direction: "asc" });
    expect(pages.flat()).toEqual(want);
  });
});

describe("non-insurance payer refund filters", () => {
  it.each<{ name: string; params: Params; match: (r: NonInsurancePayerRefund) => boolean }>([
    {
      name: "non_insurance_payer_id",
      params: { non_insurance_payer_id: payer },
      match: (r) => r.non_insurance_payer.non_insurance_payer_id === payer,
    },
    { name: "one check number", params: { check_number: ["1001"] }, match: (r) => r.check_number === "1001" },
    {
      name: "several check numbers",
      params: { check_number: ["1002", "1003"] },
      match: (r) => r.check_number === "1002" || r.check_number === "1003",
    },
    { name: "invoice_id", params: { invoice_id: invoice }, match: (r) => r.invoice_id === invoice },
    {
      name: "every filter together",
      params: { non_insurance_payer_id: payer, check_number: ["1001"], invoice_id: invoice },
      match: (r) =>
        r.non_insurance_payer.non_insurance_payer_id === payer && r.check_number === "1001" && r.invoice_id === invoice,
    },
  ])("$name", async ({ params, match }) => {
    const want = modelSort(payerRefunds.filter(match), "refund_timestamp", "desc", nipId).map(nipId);
    expect(want.length).toBeGreaterThan(0);
    expect((await readAll(nip, { ...params, limit: 10 })).flat()).toEqual(want);
  });
});

describe("page tokens", () => {
  it("carry the query: a token alone continues the same filter and sort", async () => {
    const params = { patient_external_id: "PAT-3", sort: "refund_note", sort_direction: "asc", limit: 5 };
    const first = (await h.request("GET", pr + query(params))).body;
    const second = (await h.request("GET", pr + query({ limit: 5, page_token: first.next_page_token }))).body;
    const want = modelSort(
      patients.filter((r) => r.patient_external_id === "PAT-3"),
      "refund_note",
      "asc",
      prId,
    ).map(prId);
    expect([...first.items, ...second.items].map(prId)).toEqual(want.slice(0, 10));
  });

  it("belong to one list: a patient refund token is refused by the payer list", async () => {
    const token = (await h.request("GET", `${pr}?limit=1`)).body.next_page_token;
    const reply = await h.request("GET", `${nip}?page_token=${token}`);
    expect(reply.status).toBe(422);
  });

  it("go back with prev_page_token to exactly the pages read forwards", async () => {
    const forward = [];
    let page = (await h.request("GET", `${pr}?limit=40&sort=amount_cents`)).body;
    expect(page.prev_page_token).toBeUndefined();
    for (let i = 0; i < 4; i++) {
      forward.push(page.items.map(prId));
      page = (await h.request("GET", `${pr}?limit=40&page_token=${page.next_page_token}`)).body;
    }
    const backward = [];
    for (let i = 0; i < 4; i++) {
      page = (await h.request("GET", `${pr}?limit=40&page_token=${page.prev_page_token}`)).body;
      backward.unshift(page.items.map(prId));
    }
    expect(backward).toEqual(forward);
    expect(page.prev_page_token).toBeUndefined();
    expect(page.next_page_token).toBeDefined();
  });
});

describe("pages while refunds come and go", () => {
  let live: Harness;
  beforeAll(async () => {
    live = await startHarness({ seed: { patient_refunds: patients } });
  });
  afterAll(() => live?.close());

  it("never repeat or skip a refund that lives through the whole read", async () => {
    const create = async (timestamp: string) =>
      (
        await live.request("POST", pr, {
          body: { amount_cents: 1, patient_external_id: "PAT-NEW", allocations: [], refund_timestamp: timestamp },
        })
      ).body as PatientRefund;
    const before = modelSort(patients, "refund_timestamp", "asc", prId).map(prId);
    const seen: string[] = [];
    const inserted: PatientRefund[] = [];
    const deleted = new Set<string>();
    let page = (await live.request("GET", `${pr}?limit=100&sort_direction=asc`)).body;
    seen.push(...page.items.map(prId));
    for (let round = 0; page.next_page_token; round++) {
      // Between pages: add refunds behind and ahead of the cursor; delete one already read and one not yet read.
      inserted.push(await create("2023-01-01T00:00:00Z"), await create("2025-06-01T00:00:00Z"));
      for (const victim of [before[10 + round], before[before.length - 5 - round]] as string[]) {
        expect((await live.request("DELETE", `${pr}/${victim}`)).status).toBe(200);
        deleted.add(victim);
      }
      page = (await live.request("GET", `${pr}?limit=100&page_token=${page.next_page_token}`)).body;
      seen.push(...page.items.map(prId));
    }
    expect(new Set(seen).size).toBe(seen.length);
    const survivors = before.filter((id) => !deleted.has(id));
    expect(seen.filter((id) => survivors.includes(id))).toEqual(survivors);
    // Deleted before their page came: never seen.
    expect(seen.filter((id) => deleted.has(id) && before.indexOf(id) >= 100)).toEqual([]);
    // Added behind the cursor: not on later pages; added ahead of it: on them.
    for (const r of inserted) expect(seen.includes(prId(r))).toBe(r.refund_timestamp?.startsWith("2025"));
  });
});
