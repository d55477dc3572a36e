import { describe, expect, it } from "vitest";
import { type CpuProfile, codeOwner, cpuByPackage, cpuTable } from "../src/cpu-profile.js";

describe("codeOwner", () => {
  it.each([
    ["file:///r/node_modules/.pnpm/express@5.1.0/node_modules/express/lib/response.js", "f", "express"],
    [
      "file:///r/node_modules/.pnpm/@stoplight+prism-http@5.16.0/node_modules/@stoplight/prism-http/dist/x.js",
      "f",
      "@stoplight/prism-http",
    ],
    ["file:///r/node_modules/ajv/dist/core.js", "f", "ajv"],
    ["file:///r/packages/server/src/app.ts", "front", "@refunds-api/server"],
    ["node:internal/http", "writeHead", "Node.js"],
    ["", "(garbage collector)", "(garbage collector)"],
    ["", "writev", "V8 builtins"],
    ["file:///elsewhere/x.js", "f", "other"],
  ])("%s %s → %s", (url, functionName, owner) => {
    expect(codeOwner(url, functionName)).toBe(owner);
  });
});

describe("cpuByPackage and cpuTable", () => {
  const frame = (url: string, functionName = "f") => ({ functionName, url });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame("", "(idle)") },
      { id: 2, callFrame: frame("file:///r/node_modules/express/index.js") },
      { id: 3, callFrame: frame("file:///r/packages/core/src/ids.ts") },
      { id: 4, callFrame: frame("node:net") },
    ],
    samples: [1, 2, 3, 2, 4, 1],
    timeDeltas: [500, 100, 40, 60, 10, 900],
  };

  it("adds the sampled time up by package, per request, idle left out, the largest first", () => {
    expect(cpuByPackage(profile, 10)).toEqual([
      ["express", 16],
      ["@refunds-api/core", 4],
      ["Node.js", 1],
    ]);
  });

  it("puts the servers side by side, folds the small packages into one row and totals each column", () => {
    const table = cpuTable(
      [
        { target: "validated", byPackage: cpuByPackage(profile, 10) },
        { target: "bare", byPackage: [["express", 12]] },
      ],
      2,
    );
    expect(table.split("\n")).toEqual([
      "| µs of CPU per request | validated | bare |",
      "| --- | ---: | ---: |",
      "| express | 16.0 | 12.0 |",
      "| @refunds-api/core | 4.0 | 0.0 |",
      "| 1 others, each under 2 µs | 1.0 | 0.0 |",
      "| **total** | **21.0** | **12.0** |",
    ]);
  });
});
