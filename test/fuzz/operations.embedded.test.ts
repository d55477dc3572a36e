// The operation fuzz (operations.ts) on the embedded store (PGlite, in this process): the valid requests, the
// ones that reach the store.
import { describeOperationFuzz } from "./operations.js";

describeOperationFuzz("embedded");
