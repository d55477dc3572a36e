// The stores a benchmarked server runs on, and bulk seeding of generated refunds into them.
import { createMemoryStore, type Store } from "@refunds-api/server";
import { patientRefundRow } from "./data.js";

/** The kinds of store the benchmark knows. */
export type StoreKind = "memory";

/** Where a store keeps its data. */
export interface StoreSpec {
  kind: StoreKind;
}

/** Opens an empty store of the given kind. */
export async function openStore(spec: StoreSpec): Promise<Store> {
  switch (spec.kind) {
    case "memory":
      return createMemoryStore();
  }
}

/** Reports seeding progress: rows stored so far of the total. */
export type Progress = (done: number, total: number) => void;

const progressEvery = 50_000;

/**
 * Stores `count` generated patient refunds. The memory store takes them through its own insert (the one the seed
 * uses), which is already the fast path: no HTTP, no validation, no serialization. They charge no balance: the
 * benchmark never asks for the overdraft check.
 */
export async function seedRows(store: Store, count: number, progress: Progress): Promise<void> {
  for (let i = 0; i < count; i++) {
    await store.patientRefunds.insert(patientRefundRow(i));
    if ((i + 1) % progressEvery === 0) progress(i + 1, count);
  }
  progress(count, count);
}

/** The stores this machine can run. */
export function availableStores(): StoreKind[] {
  return ["memory"];
}
