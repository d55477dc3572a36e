import { configDefaults, defineConfig } from "vitest/config";
import { allTests, fastTests, postgresTests } from "./test/lanes.js";

// Three projects (test/lanes.ts says which file runs where): `pnpm test` runs them all, `pnpm test:fast` only `fast`.
export default defineConfig({
  test: {
    // Each project names its own files: `extends: true` would add a root `include` to theirs, not replace it.
    reporters: ["default", "./test/support/summary-reporter.ts"],
    // Generous: a loaded two-core machine runs everything several times slower than a quiet one.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    // Many files wait on child processes (Prism, PostgreSQL, npm, Chromium): two workers keep both cores busy.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "fast",
          include: fastTests,
          setupFiles: ["./test/support/fast-lane.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          include: postgresTests,
          // One PostgreSQL cluster for the run, started only when a file of this project runs.
          globalSetup: ["./packages/test-support/src/global-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "slow",
          include: allTests,
          exclude: [...configDefaults.exclude, ...fastTests, ...postgresTests],
        },
      },
    ],
  },
});
