#!/usr/bin/env node
// `pnpm mock`: the Prism mock (behind the wire front) on a fixed port until Ctrl-C.
import { parseArgs } from "node:util";
import { startMock } from "./mock.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "4010" },
    dynamic: { type: "boolean", default: false },
    seed: { type: "string" },
    raw: { type: "boolean", default: false },
    control: { type: "boolean", default: process.env.CONTROL === "1" || process.env.CONTROL === "true" },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be a port number, not ${values.port}\n`);
  process.exit(2);
}

const mock = await startMock({
  port,
  dynamic: values.dynamic,
  seed: values.seed,
  wire: !values.raw,
  control: values.control,
});
const mode = values.dynamic ? `dynamic, seed ${values.seed ?? "refunds-api"}` : "static examples";
process.stdout.write(
  `Refunds API mock (Prism, ${mode}) listening on ${mock.url}\n` +
    `  try: curl -H 'Authorization: Bearer any' ${mock.url}/api/patient-refunds/v1\n` +
    (values.control
      ? `  control endpoints on: ${mock.url}/__control/requests, /__control/faults, /__control/reset\n`
      : ""),
);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void mock.stop().then(() => process.exit(0));
  });
}
