// The store suite (suite.ts) on the embedded store: PGlite, in this process.
import { afterAll } from "vitest";
import { TestStores } from "./stores.js";
import { describeStoreSuite } from "./suite.js";

const stores = new TestStores();
afterAll(() => stores.close());

describeStoreSuite("embedded", () => stores.empty("embedded"));
