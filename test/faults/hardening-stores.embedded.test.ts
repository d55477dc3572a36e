// The store hardening suite (hardening-stores.ts) on the embedded store (PGlite, in this process).
import { createStore } from "@refunds-api/server";
import { describeStoreHardening } from "./hardening-stores.js";

describeStoreHardening("embedded", () => createStore({ kind: "embedded" }));
