import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Many files wait on child processes (Prism, PostgreSQL, npm, Chromium): two workers keep both cores busy.
    maxWorkers: 2,
  },
});
