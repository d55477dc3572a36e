// P5: what the typed client costs over bare `fetch`, on the same calls to the same server. One call in flight at
// a time, so the client's own work adds to every call's time instead of hiding behind the server's.
import { createRefundsClient } from "@refunds-api/client";
import { createBody, knownRefundId, benchToken as token, updateBody } from "./data.js";
import { median } from "./load.js";
import { round3, throughputRows } from "./p1-validation.js";
import type { BenchSettings, Section } from "./section.js";
import { startServe, type Target } from "./servers.js";

type Call = () => Promise<unknown>;

interface CallPair {
  name: string;
  client: Call;
  fetch: Call;
}

function calls(url: string): CallPair[] {
  const client = createRefundsClient({ baseUrl: url, auth: token });
  const collection = `${url}/api/patient-refunds/v1`;
  const headers = { authorization: `Bearer ${token}` };
  const jsonHeaders = { ...headers, "content-type": "application/json" };
  const read = async (response: Response) => {
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    return response.json();
  };
  return [
    {
      name: "list 10",
      client: () => client.patientRefunds.list({ limit: 10 }),
      fetch: () => fetch(`${collection}?limit=10`, { headers }).then(read),
    },
    {
      name: "get",
      client: () => client.patientRefunds.get(knownRefundId),
      fetch: () => fetch(`${collection}/${knownRefundId}`, { headers }).then(read),
    },
    {
      name: "update",
      client: () => client.patientRefunds.update(knownRefundId, updateBody),
      fetch: () =>
        fetch(`${collection}/${knownRefundId}`, {
          method: "PATCH",
          headers: jsonHeaders,
          body: JSON.stringify(updateBody),
        }).then(read),
    },
    {
      name: "create",
      client: () => client.patientRefunds.create(createBody),
      fetch: () =>
        fetch(collection, { method: "POST", headers: jsonHeaders, body: JSON.stringify(createBody) }).then(read),
    },
  ];
}

/** Calls `call` back to back for `seconds`; the mean time of one call in milliseconds. */
async function meanCallMs(call: Call, seconds: number): Promise<number> {
  const started = performance.now();
  const until = started + seconds * 1000;
  let count = 0;
  let now = started;
  while (now < until) {
    await call();
    count++;
    now = performance.now();
  }
  return (now - started) / count;
}

/** Runs P5. */
export async function clientOverhead(settings: BenchSettings): Promise<Section> {
  const pace = settings.clientPace;
  let server: Target | undefined;
  try {
    server = await startServe("server", { app: "validated", store: { kind: "memory" }, rows: throughputRows });
    const pairs = calls(server.url);
    const ratios: Record<string, number> = {};
    const measured: Record<string, string> = {};
    const details: Record<string, unknown> = {};
    for (const pair of pairs) {
      if (pace.warmupSec > 0) {
        await meanCallMs(pair.fetch, pace.warmupSec);
        await meanCallMs(pair.client, pace.warmupSec);
      }
      const times = { client: [] as number[], fetch: [] as number[] };
      for (let round = 0; round < pace.rounds; round++) {
        for (const side of round % 2 === 0 ? (["client", "fetch"] as const) : (["fetch", "client"] as const)) {
          times[side].push(await meanCallMs(pair[side], pace.durationSec));
        }
        const c = times.client[round] as number;
        const f = times.fetch[round] as number;
        settings.log(
          `P5 round ${round + 1}/${pace.rounds} ${pair.name}: client ${c.toFixed(3)} ms, fetch ${f.toFixed(3)} ms, ratio ${(c / f).toFixed(2)}`,
        );
      }
      const roundRatios = times.client.map((c, i) => c / (times.fetch[i] as number));
      ratios[pair.name] = median(roundRatios);
      const client = median(times.client);
      const bare = median(times.fetch);
      measured[pair.name] = `${client.toFixed(3)} vs ${bare.toFixed(3)} ms per call`;
      details[pair.name] = { clientMs: round3(client), fetchMs: round3(bare), roundRatios: roundRatios.map(round3) };
    }
    return {
      title: "P5 typed client vs bare fetch (same calls, same server)",
      ratioOf: "time per call with the client ÷ time per call with bare fetch",
      better: "lower",
      ratios,
      targets: Object.fromEntries(pairs.map((p) => [p.name, 1.1])),
      measured,
      details,
      notes: [
        "One call in flight at a time against the validated server (memory store) in its own process; both sides parse the JSON answer.",
      ],
    };
  } finally {
    await server?.stop();
  }
}
