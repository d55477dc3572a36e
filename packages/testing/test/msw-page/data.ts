// What the page (main.ts) and its test (../msw-browser.test.ts) share: the bodies the page sends and the shape of
// what it reports on `window.mswResults`. No code runs here.
import type { PatientRefundCreate } from "@refunds-api/client";

/** One request the client sent and the answer it got, as the page's `fetch` saw them. */
export interface Exchange {
  method: string;
  url: string;
  requestContentType: string | null;
  /** The body the client sent, as text; null when it sent none. */
  requestBody: string | null;
  status: number;
  contentType: string | null;
  /** The answer's body, byte by byte. */
  bytes: number[];
}

/** How a call that should fail failed. */
export interface Failure {
  /** The client error's `kind` ("api", "server", …), or "resolved" when the call did not fail. */
  error: string;
  errorName?: string | undefined;
  status?: number | undefined;
}

/** What one base URL's run saw, step by step. */
export interface FlowResult {
  baseUrl: string;
  create: { status: number; id: string; amount: number; patient: string };
  list: { status: number; ids: string[] };
  update: { status: number; id: string; note: string | undefined; amount: number };
  delete: { status: number; bodyBytes: number };
  getAfterDelete: Failure;
  invalidCreate: Failure & { exchange: Exchange };
  /** `requests()` of the handlers after the steps above: "operationId status", oldest first. */
  journal: string[];
  /** A list with a 503 injected, then after `clearFaults()`. */
  injected: Failure;
  afterClearFaults: number;
  /** After `reset()`: whether the seed's refund is back, and how many `requests()` remain. */
  afterReset: { seededFound: boolean; journal: number };
}

export type PageResults = { ok: true; flows: FlowResult[] } | { ok: false; error: string };

declare global {
  interface Window {
    mswResults?: PageResults;
  }
}

/** The body of the valid create: the steps find this refund by its patient. */
export const validCreate: PatientRefundCreate = {
  amount_cents: 4200,
  patient_external_id: "PAT-BROWSER-1",
  refund_timestamp: "2024-05-01T10:00:00Z",
  refund_reason: "OVERCHARGED",
  allocations: [{ amount_cents: 4200, target: { type: "unattributed" } }],
};

/** A create the rules refuse: a negative amount, an unknown field and an allocation of an unknown type. */
export const invalidCreate = {
  amount_cents: -5,
  patient_external_id: "PAT-BROWSER-1",
  colour: "blue",
  allocations: [{ amount_cents: 1, target: { type: "planet", value: "x" } }],
} as unknown as PatientRefundCreate;

/** A refund of the default seed. */
export const seededRefund = "5f0c8a3e-1b7d-4c2a-9e6f-3a8b2d4c6e10";
