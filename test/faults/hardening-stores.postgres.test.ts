// The store hardening suite (hardening-stores.ts) on PostgreSQL: a database of its own on the run's cluster.
import { createStore } from "@refunds-api/server";
import type { Database } from "@refunds-api/test-support";
import { testDatabase } from "@refunds-api/test-support/vitest";
import { afterAll } from "vitest";
import { describeStoreHardening } from "./hardening-stores.js";

let database: Database | undefined;
afterAll(() => database?.drop());

describeStoreHardening("postgres", async () => {
  database = await testDatabase("refunds_hardening");
  return createStore({ kind: "postgres", databaseUrl: database.url });
});
