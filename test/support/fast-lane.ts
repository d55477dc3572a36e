// Setup file of the fast project (vitest.config.ts): a test there may start no child process. Every function of
// node:child_process that starts one throws instead, naming the way out, so a slow file cannot slip into the lane.
import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import { vi } from "vitest";

const starters = ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"] as const;

for (const name of starters) {
  Object.defineProperty(childProcess, name, {
    configurable: true,
    writable: true,
    value: () => {
      throw new Error(
        `child_process.${name}: the fast lane starts no child process. Move this test file out of \`fastTests\` ` +
          "in test/lanes.ts (to the slow project), or split off the cases that need one.",
      );
    },
  });
}
// `import { spawn } from "node:child_process"` reads the ESM view of the module: bring it in line.
syncBuiltinESMExports();

// Nor may it open a database: PGlite (the embedded store) takes seconds to start. The server imports it only when
// an embedded store is opened, and that import fails here. (PostgreSQL needs the postgres project's cluster.) The
// module is named by its file, as the server resolves it: the repository root does not depend on PGlite.
vi.mock("../../packages/server/node_modules/@electric-sql/pglite/dist/index.js", () => {
  const refuse = (): never => {
    throw new Error(
      "PGlite: the fast lane opens no database. Move this test file out of `fastTests` in test/lanes.ts (to the " +
        "slow project), or split off the cases on the embedded store.",
    );
  };
  return {
    PGlite: class {
      constructor() {
        refuse();
      }
      static create = refuse;
    },
  };
});
