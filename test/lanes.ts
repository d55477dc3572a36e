// Which test file runs in which vitest project (vitest.config.ts). `pnpm test` runs all three; `pnpm test:fast` runs
// only `fast`, which must stay under a minute on a quiet two-core machine.
//
// - fast: unit tests and in-process HTTP on the memory store. No child process (no Prism, no npm, pnpm or tsc, no
//   `main.ts`), no database (neither PGlite nor PostgreSQL), no browser, no TypeScript compiler. test/lanes.test.ts
//   checks the files' imports, and test/support/fast-lane.ts makes every child_process call throw in this project.
// - postgres: files that need a PostgreSQL server. The project's globalSetup starts one cluster for the whole run;
//   each file makes its own database on it (`testDatabase()` from "@refunds-api/test-support/vitest").
// - slow: everything else (child processes, PGlite, Prism, Chromium, packing, type-checking). A new test file lands
//   here until it is listed under `fast` or `postgres`.

/** Files (globs, from the repository root) of the fast project. */
export const fastTests = [
  "packages/bench/test/cpu-profile.test.ts",
  "packages/client/test/auth.test.ts",
  "packages/client/test/client.test.ts",
  "packages/client/test/errors.test.ts",
  "packages/client/test/transport.test.ts",
  "packages/contract/test/models.test.ts",
  "packages/contract/test/validators.test.ts",
  "packages/core/test/**/*.test.ts",
  "packages/server/test/app.test.ts",
  "packages/server/test/auth.test.ts",
  "packages/server/test/errors.test.ts",
  "packages/server/test/responses.test.ts",
  "packages/server/test/seed.test.ts",
  "packages/server/test/validation.test.ts",
  "packages/server/test/routes/*.test.ts",
  "packages/server/test/service/*.test.ts",
  "packages/server/test/store/config.test.ts",
  "packages/server/test/store/contract.test.ts",
  "packages/server/test/store/memory.test.ts",
  "packages/spec/test/release-check.test.ts",
  "packages/spec/test/review-corpus.test.ts",
  "packages/testing/test/msw-parity.test.ts",
  "packages/testing/test/server.test.ts",
  "test/contract/recorder.test.ts",
  "test/faults/auth.test.ts",
  "test/faults/concurrency.test.ts",
  "test/faults/hostile.test.ts",
  "test/fuzz/model.test.ts",
  "test/fuzz/mutations.test.ts",
  "test/fuzz/operations.test.ts",
  "test/fuzz/schema-arbitrary.test.ts",
  "test/fuzz/stateful.test.ts",
  "test/spec/examples.test.ts",
  "test/spec/generate.test.ts",
  "test/spec/operations.test.ts",
  "test/lanes.test.ts",
];

/** Files (globs) of the postgres project: they need the run's PostgreSQL cluster. */
export const postgresTests = [
  "packages/bench/test/cli.test.ts",
  "packages/server/test/store/contract.postgres.test.ts",
  "packages/server/test/store/server.test.ts",
  "packages/server/test/store/sql.test.ts",
  "test/contract/client.contract.test.ts",
  "test/faults/hardening-stores.postgres.test.ts",
  "test/faults/kill.test.ts",
];

/** Every test file (globs); the slow project is these minus the two lists above. */
export const allTests = ["test/**/*.test.ts", "packages/*/test/**/*.test.ts"];
