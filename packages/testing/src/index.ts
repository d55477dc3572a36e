export { defaultMockSeed, type MockOptions, type RunningMock, startMock } from "./mock.js";
