// P7's measurements of the reference server, in a process of their own: `node --import tsx p7-child.ts <rounds>`
// prints one JSON line of seconds (see ChildTimes in p7-start.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const rounds = Number(process.argv[2] ?? 5);
const seconds = (from: number) => (performance.now() - from) / 1000;

let t = performance.now();
const { startServer } = await import("@refunds-api/testing");
const importSeconds = seconds(t);

async function timed(start: () => ReturnType<typeof startServer>) {
  const t0 = performance.now();
  const server = await start();
  const startSeconds = seconds(t0);
  const t1 = performance.now();
  await server.reset();
  const resetSeconds = seconds(t1);
  await server.stop();
  return { startSeconds, resetSeconds };
}

const memory = [];
for (let i = 0; i <= rounds; i++) memory.push(await timed(() => startServer()));

const embedded = [];
for (let i = 0; i <= rounds; i++) {
  const dir = mkdtempSync(join(tmpdir(), "refunds-bench-embedded-"));
  try {
    embedded.push(await timed(() => startServer({ storage: { kind: "embedded", dataDir: dir } })));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

t = performance.now();
process.stdout.write(
  `${JSON.stringify({
    importSeconds,
    memoryFirst: memory[0]?.startSeconds,
    memoryNext: memory.slice(1).map((m) => m.startSeconds),
    memoryReset: memory.slice(1).map((m) => m.resetSeconds),
    embeddedFirst: embedded[0]?.startSeconds,
    embeddedNext: embedded.slice(1).map((m) => m.startSeconds),
    embeddedReset: embedded.slice(1).map((m) => m.resetSeconds),
  })}\n`,
);
