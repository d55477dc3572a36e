// The stateful fuzz property (stateful.ts) on the embedded store (PGlite, in this process).
import { describeStateful } from "./stateful.js";

describeStateful("embedded");
