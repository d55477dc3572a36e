// What the repository's tests and the benchmark share. Nothing here installs anything: `pnpm setup:test-deps` does.
export { chromiumArgs, chromiumPath, debianChromium } from "./chromium.js";
export { unreadBytes } from "./net.js";
export { createDatabase, type Database, type PostgresServer, postgresBinDir, startPostgres } from "./postgres.js";
export { missingDependency, setupCommand } from "./setup.js";
export { waitFor } from "./wait.js";
