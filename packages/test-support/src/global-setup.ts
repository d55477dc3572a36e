// Vitest globalSetup for the projects whose tests need a PostgreSQL server: one cluster for the whole run, its URL
// provided to every test file (`inject("postgresUrl")`, or `testDatabase()` from "@refunds-api/test-support/vitest").
import type { TestProject } from "vitest/node";
import { startPostgres } from "./postgres.js";

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const started = Date.now();
  try {
    const cluster = await startPostgres();
    project.provide("postgresUrl", cluster.url);
    process.stderr.write(
      `PostgreSQL test cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s (${cluster.dir})\n`,
    );
    return () => cluster.stop();
  } catch (error) {
    // Every file that needs the cluster fails with this message; the rest of the run goes on and is counted.
    project.provide("postgresError", (error as Error).message);
    return undefined;
  }
}
