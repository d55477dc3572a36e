// The throwaway PostgreSQL cluster lives with the server's tests, which need it most; re-exported for the
// repository's own tests.
export {
  ensurePostgresInstalled,
  type PostgresServer,
  startPostgres,
} from "../../packages/server/test/support/postgres.js";
