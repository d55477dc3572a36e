// The concurrency suite (concurrency.ts) on the memory store; concurrency.embedded.test.ts runs it on PGlite.
import { describeConcurrency } from "./concurrency.js";

describeConcurrency("memory");
