// The stateful fuzz property (stateful.ts) on the memory store; stateful.embedded.test.ts runs it on PGlite.
import { describeStateful } from "./stateful.js";

describeStateful("memory");
