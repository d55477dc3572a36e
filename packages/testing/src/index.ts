export { faultErrorNames, faultStatuses } from "@refunds-api/server";
export type { DoubleControl, Fault, FaultSpec, FaultStatus, JournalEntry } from "./control.js";
export { defaultMockSeed, type MockOptions, type RunningMock, startMock } from "./mock.js";
export { type ProxyOptions, type RunningProxy, startProxy } from "./proxy.js";
export { checkSeed, readSeedFile, type SeedData, SeedError } from "./seed.js";
export { defaultServerToken, type RunningServer, type ServerOptions, startServer } from "./server.js";
