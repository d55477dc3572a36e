// Control endpoints a double was not asked for answer as any unknown URL. A file of its own: the doubles started here
// must not share a process with the MSW interceptors of control.test.ts (msw/node patches the process's fetch and
// http, and a start-up that polls a port not listening yet would go through them).
import { startServer as startPlainServer } from "@refunds-api/server";
import { describe, expect, it } from "vitest";
import { startMock } from "../src/index.js";

describe("control endpoints that are not enabled", () => {
  it.each([
    { name: "the server by default", start: () => startPlainServer({ port: 0 }) },
    { name: "the mock with control: false", start: () => startMock({ control: false }) },
  ])(
    "answer 404 on $name, like any unknown URL",
    async ({ start }) => {
      const double = await start();
      try {
        for (const [method, path] of [
          ["POST", "/__control/reset"],
          ["GET", "/__control/requests"],
          ["POST", "/__control/faults"],
        ] as const) {
          const response = await fetch(`${double.url}${path}`, {
            method,
            headers: { authorization: "Bearer dev-token" },
          });
          expect(response.status, `${method} ${path}`).toBe(404);
          expect(((await response.json()) as { errorName: string }).errorName).toBe("NotFoundError");
        }
      } finally {
        await double.stop();
      }
    },
    60_000,
  );
});
