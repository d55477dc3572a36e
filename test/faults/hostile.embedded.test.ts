// The hostile-input suite (hostile-input.ts) on the embedded store (PGlite, in this process).
import { describeHostileInput } from "./hostile-input.js";

describeHostileInput("embedded");
