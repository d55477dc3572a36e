// The store suite (suite.ts) on the memory store; contract.embedded.test.ts and contract.postgres.test.ts run it on
// the SQL stores, in their own lanes (test/lanes.ts).
import { createMemoryStore } from "../../src/index.js";
import { describeStoreSuite } from "./suite.js";

describeStoreSuite("memory", async () => createMemoryStore());
