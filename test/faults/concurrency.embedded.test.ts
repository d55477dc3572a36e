// The concurrency suite (concurrency.ts) on the embedded store (PGlite, in this process).
import { describeConcurrency } from "./concurrency.js";

describeConcurrency("embedded");
