// `pnpm fuzz [--runs N] [--seed S] [--path P] [-t NAME] [vitest args]`: the fuzz suite with more cases than CI's 200
// per operation, or one failing case again from the seed and path its report printed.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = fileURLToPath(new URL("../../", import.meta.url));
const { values, positionals } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    runs: { type: "string" },
    seed: { type: "string" },
    path: { type: "string" },
    t: { type: "string", short: "t" },
    help: { type: "boolean", short: "h" },
  },
  allowPositionals: true,
  strict: false,
});

if (values.help) {
  process.stdout.write(
    "pnpm fuzz [--runs N] [--seed S --path P -t NAME] [vitest args]\n" +
      "  --runs N   cases per operation and per stateful property (200 by default)\n" +
      "  --seed S   fast-check seed, as a failure report prints it\n" +
      "  --path P   fast-check path of the failing case (with --seed, replays only that case)\n" +
      "  -t NAME    run only the tests whose name matches (the report's property name)\n",
  );
  process.exit(0);
}

const env: Record<string, string | undefined> = { ...process.env };
for (const [flag, name] of [
  ["runs", "FUZZ_RUNS"],
  ["seed", "FUZZ_SEED"],
  ["path", "FUZZ_PATH"],
] as const) {
  const value = values[flag];
  if (typeof value === "string") env[name] = value;
}
if (env.FUZZ_RUNS !== undefined && !/^[1-9]\d*$/.test(env.FUZZ_RUNS)) {
  process.stderr.write(`--runs must be a positive integer, not "${env.FUZZ_RUNS}"\n`);
  process.exit(2);
}
if (env.FUZZ_SEED !== undefined && !/^-?\d+$/.test(env.FUZZ_SEED)) {
  process.stderr.write(`--seed must be an integer, not "${env.FUZZ_SEED}"\n`);
  process.exit(2);
}

const args = ["run", "test/fuzz", ...(typeof values.t === "string" ? ["-t", values.t] : []), ...positionals];
const result = spawnSync(join(root, "node_modules", ".bin", "vitest"), args, { cwd: root, env, stdio: "inherit" });
process.exit(result.status ?? 1);
