// The operation fuzz (operations.ts) on the memory store: valid requests and requests broken one way;
// operations.embedded.test.ts sends the valid ones to PGlite too.
import { describeOperationFuzz } from "./operations.js";

describeOperationFuzz("memory");
