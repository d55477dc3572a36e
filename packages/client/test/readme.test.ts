import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { type RunningMock, startMock } from "@refunds-api/testing";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { examples } from "./support/examples.js";
import { readmeExample } from "./support/readme.js";

// Inside the package, so the example's `@refunds-api/client` import resolves; test-artifacts/ is ignored by git and lint.
const dir = new URL("../test-artifacts/", import.meta.url);
const file = new URL(`readme-example-${process.pid}.ts`, dir);
const listPath = "/api/patient-refunds/v1";

let mock: RunningMock;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(async () => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
  await mock?.stop();
});

it("the README example runs against the mock and pages to the end", async () => {
  // Prism's static page always points to itself; number the pages so the third one is the last.
  const seen: URL[] = [];
  const realFetch = globalThis.fetch;
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    seen.push(url);
    const response = await realFetch(request);
    if (url.pathname !== listPath || !response.ok) return response;
    const page = Number(url.searchParams.get("page_token")?.replace("page-", "") ?? 1);
    const body = (await response.json()) as { next_page_token?: string };
    body.next_page_token = page < 3 ? `page-${page + 1}` : undefined;
    return Response.json(body, { status: response.status });
  });
  vi.stubEnv("REFUNDS_API_URL", mock.url);
  vi.stubEnv("REFUNDS_CLIENT_ID", examples.tokenRequest.client_id);
  vi.stubEnv("REFUNDS_CLIENT_SECRET", examples.tokenRequest.client_secret);
  const printed = vi.spyOn(console, "log").mockImplementation(() => {});

  mkdirSync(dir, { recursive: true });
  writeFileSync(file, readmeExample());
  await import(file.href);

  const refund = examples.patientRefundsPage.items[0];
  const line = [refund?.patient_refund_id, refund?.refund_source, refund?.amount_cents];
  expect(printed.mock.calls).toEqual([line, line, line]);
  expect(seen.map((u) => `${u.pathname}${u.search}`)).toEqual([
    "/api/auth/v2/token",
    `${listPath}?sources=STRIPE&sources=SQUARE&sort_direction=desc`,
    `${listPath}?sources=STRIPE&sources=SQUARE&sort_direction=desc&page_token=page-2`,
    `${listPath}?sources=STRIPE&sources=SQUARE&sort_direction=desc&page_token=page-3`,
  ]);
});
