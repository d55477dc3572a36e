export { defaultMockSeed, type MockOptions, type RunningMock, startMock } from "./mock.js";
export { type ProxyOptions, type RunningProxy, startProxy } from "./proxy.js";
export { defaultServerToken, type RunningServer, type ServerOptions, startServer } from "./server.js";
