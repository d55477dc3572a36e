// The store suite (suite.ts) on the postgres store: a database of its own on the run's PostgreSQL cluster.
import { afterAll } from "vitest";
import { TestStores } from "./stores.js";
import { describeStoreSuite } from "./suite.js";

const stores = new TestStores();
afterAll(() => stores.close());

describeStoreSuite("postgres", () => stores.empty("postgres"));
