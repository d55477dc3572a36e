import { describe, expect, it } from "vitest";
import { describeStore, readStoreConfig } from "../../src/index.js";

describe("readStoreConfig", () => {
  const cwd = process.cwd();
  const url = "postgres://refunds:pw@db.internal:5432/refunds";

  it.each([
    { name: "nothing set: embedded under .data", env: {}, want: { kind: "embedded", dataDir: `${cwd}/.data` } },
    {
      name: "pnpm started in another folder",
      env: { INIT_CWD: "/srv/app" },
      want: { kind: "embedded", dataDir: "/srv/app/.data" },
    },
    {
      name: "a relative DATA_DIR",
      env: { INIT_CWD: "/srv/app", DATA_DIR: "state/db" },
      want: { kind: "embedded", dataDir: "/srv/app/state/db" },
    },
    {
      name: "an absolute DATA_DIR",
      env: { DATA_DIR: "/var/lib/refunds" },
      want: { kind: "embedded", dataDir: "/var/lib/refunds" },
    },
    { name: "DATABASE_URL alone: postgres", env: { DATABASE_URL: url }, want: { kind: "postgres", databaseUrl: url } },
    {
      name: "postgresql: URLs",
      env: { STORE: "postgres", DATABASE_URL: "postgresql://localhost/refunds" },
      want: { kind: "postgres", databaseUrl: "postgresql://localhost/refunds" },
    },
    {
      name: "STORE=memory wins over DATABASE_URL",
      env: { STORE: "memory", DATABASE_URL: url },
      want: { kind: "memory" },
    },
    {
      name: "STORE=embedded wins over DATABASE_URL",
      env: { STORE: "embedded", DATABASE_URL: url, DATA_DIR: "/d" },
      want: { kind: "embedded", dataDir: "/d" },
    },
    {
      name: "empty values count as unset",
      env: { STORE: "", DATABASE_URL: "" },
      want: { kind: "embedded", dataDir: `${cwd}/.data` },
    },
  ])("$name", ({ env, want }) => {
    expect(readStoreConfig(env)).toEqual(want);
  });

  it.each([
    { env: { STORE: "sqlite" }, want: /STORE must be one of memory, embedded, postgres, not "sqlite"/ },
    { env: { STORE: "postgres" }, want: /STORE=postgres needs DATABASE_URL, such as postgres:\/\// },
    {
      env: { DATABASE_URL: "mysql://root:hunter2@db/refunds" },
      want: /DATABASE_URL must be a PostgreSQL connection URL/,
    },
    { env: { DATABASE_URL: "not a url with hunter2" }, want: /DATABASE_URL must be a PostgreSQL connection URL/ },
  ])("refuses $env", ({ env, want }) => {
    expect(() => readStoreConfig(env)).toThrow(want);
    expect(() => readStoreConfig(env)).not.toThrow(/hunter2/);
  });
});

describe("describeStore", () => {
  it.each([
    { options: { kind: "memory" as const }, want: "in memory (a restart starts over)" },
    { options: { kind: "embedded" as const, dataDir: "/d" }, want: "in embedded PostgreSQL (PGlite) under /d" },
    {
      options: { kind: "embedded" as const },
      want: "in embedded PostgreSQL (PGlite) in memory (a restart starts over)",
    },
    {
      options: { kind: "postgres" as const, databaseUrl: "postgres://u:secret@db:5433/refunds?sslmode=require" },
      want: "in PostgreSQL at db:5433/refunds",
    },
  ])("$want", ({ options, want }) => {
    expect(describeStore(options)).toBe(want);
  });
});
