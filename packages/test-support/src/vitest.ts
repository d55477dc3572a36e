// For test files of a vitest project whose globalSetup is "@refunds-api/test-support/global-setup".
import { inject } from "vitest";
import { createDatabase, type Database } from "./postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's PostgreSQL cluster, as a superuser connection string. */
    postgresUrl?: string;
    /** Why the cluster could not start. */
    postgresError?: string;
  }
}

/** The URL of the run's PostgreSQL cluster (superuser, `postgres` database); throws when there is none. */
export function postgresUrl(): string {
  const url = inject("postgresUrl");
  if (url) return url;
  throw new Error(
    inject("postgresError") ??
      "No PostgreSQL cluster in this run: the test file must belong to a vitest project whose globalSetup is " +
        '"@refunds-api/test-support/global-setup" (the `postgres` project in vitest.config.ts).',
  );
}

/** A new, empty database on the run's cluster, for one test file; drop it in `afterAll`. */
export function testDatabase(prefix = "refunds_test"): Promise<Database> {
  return createDatabase(postgresUrl(), prefix);
}
