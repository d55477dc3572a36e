// The store hardening suite (hardening-stores.ts) on the memory store.
import { createMemoryStore } from "@refunds-api/server";
import { describeStoreHardening } from "./hardening-stores.js";

describeStoreHardening("memory", async () => createMemoryStore());
