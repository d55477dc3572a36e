// Waiting for something to become true by asking again, instead of sleeping for a fixed time and hoping.
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Resolves with the first truthy value `probe` returns (awaited), asking again every `intervalMs` (20 ms);
 * rejects when `timeoutMs` (30 s, generous for a busy machine) passes first, saying what was awaited.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(options.intervalMs ?? 20);
  }
}
