// Reference data the refunds point at (payers, claims, what patients paid) and the rules that resolve a
// caller's allocation target into the target the service records.
import { sha1 } from "@noble/hashes/legacy.js";
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import type { AllocationTarget, AllocationTargetCreate, NonInsurancePayer } from "../types.js";
import { NotFoundError } from "./errors.js";

/** A claim the server knows, with its encounter and service lines. */
export interface ClaimRecord {
  claim_id: string;
  encounter_id: string;
  /** The encounter's id in the caller's own system, for `claim_by_encounter_external_id`. */
  encounter_external_id?: string;
  service_line_ids?: string[];
}

/** What a patient has paid toward one allocation target: the balance refunds draw on. */
export interface PaidBalance {
  target: AllocationTarget;
  /** Whose balance it is; needed for `unattributed` targets, which are per patient. */
  patient_external_id?: string;
  patient_paid_amount_cents: number;
}

/** Reference data, as loaded from seed data. */
export interface DirectoryData {
  non_insurance_payers?: NonInsurancePayer[];
  claims?: ClaimRecord[];
  balances?: PaidBalance[];
  /**
   * What a claim, service line or encounter external id the directory does not know resolves to: `derive` (the
   * default) derives its claim and encounter ids; `reject` fails with a `NotFoundError` naming the id.
   */
  unknown_targets?: "derive" | "reject";
}

// Ids the server derives for claims and encounters it does not know are UUID v5 in this namespace, so the same
// input always resolves to the same ids.
const NAMESPACE = hexToBytes("6f1d3c2a9b8e4d47a0c12e3f4a5b6c7d");

/** A name-based (version 5) UUID of `name` in the server's namespace. */
export function derivedId(name: string): string {
  // SHA-1 as RFC 4122 prescribes for version 5 (names, not secrets), from a library that runs in a browser too.
  const hash = sha1(concatBytes(NAMESPACE, utf8ToBytes(name)));
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = bytesToHex(hash.subarray(0, 16));
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The balance an allocation target draws on; unattributed money is a balance of the patient. */
export function balanceKey(target: AllocationTarget, patientExternalId: string): string {
  switch (target.type) {
    case "service_line":
      return `service_line:${target.service_line_id}`;
    case "claim":
      return `claim:${target.claim_id}`;
    case "billing_provider_id":
      return `billing_provider:${target.billing_provider_id}`;
    case "appointment":
      return `appointment:${target.appointment_id}`;
    case "unattributed":
      return `unattributed:${patientExternalId}`;
  }
}

/** The target in plain words, for error messages. */
export function describeTarget(target: AllocationTarget, patientExternalId: string): string {
  switch (target.type) {
    case "service_line":
      return `service line ${target.service_line_id}`;
    case "claim":
      return `claim ${target.claim_id}`;
    case "billing_provider_id":
      return `billing provider ${target.billing_provider_id}`;
    case "appointment":
      return `appointment ${target.appointment_id}`;
    case "unattributed":
      return `the unattributed balance of patient ${patientExternalId}`;
  }
}

/** Payers, claims and paid amounts, indexed once at start-up. */
export class Directory {
  private readonly payers = new Map<string, NonInsurancePayer>();
  private readonly claims = new Map<string, ClaimRecord>();
  private readonly serviceLines = new Map<string, ClaimRecord>();
  private readonly encounters = new Map<string, ClaimRecord>();
  private readonly paid = new Map<string, number>();
  private readonly rejectUnknown: boolean;

  constructor(data: DirectoryData = {}) {
    this.rejectUnknown = data.unknown_targets === "reject";
    for (const payer of data.non_insurance_payers ?? []) this.addPayer(payer);
    for (const claim of data.claims ?? []) {
      this.claims.set(claim.claim_id, claim);
      for (const id of claim.service_line_ids ?? []) this.serviceLines.set(id, claim);
      if (claim.encounter_external_id !== undefined) this.encounters.set(claim.encounter_external_id, claim);
    }
    for (const b of data.balances ?? []) {
      const key = balanceKey(b.target, b.patient_external_id ?? "");
      this.paid.set(key, (this.paid.get(key) ?? 0) + b.patient_paid_amount_cents);
    }
  }

  /** Adds a payer, or replaces the one with its id. */
  addPayer(payer: NonInsurancePayer): void {
    this.payers.set(payer.non_insurance_payer_id, payer);
  }

  payer(id: string): NonInsurancePayer | undefined {
    return this.payers.get(id);
  }

  /** What the patient paid toward the balance under `key` (0 when the seed data says nothing). */
  paidCents(key: string): number {
    return this.paid.get(key) ?? 0;
  }

  /**
   * Resolves a target as the caller names it into the target the service records. Known claims and service
   * lines resolve to their seeded claim and encounter; unknown ones get ids derived from the given id (or are
   * refused, see `unknown_targets`).
   */
  resolve(target: AllocationTargetCreate): AllocationTarget {
    switch (target.type) {
      case "service_line_by_id": {
        const claim = this.known(this.serviceLines, target.value, "service line");
        const claimId = claim?.claim_id ?? derivedId(`claim-of-service-line:${target.value}`);
        return {
          type: "service_line",
          claim_id: claimId,
          encounter_id: claim?.encounter_id ?? derivedId(`encounter-of-claim:${claimId}`),
          service_line_id: target.value,
        };
      }
      case "claim_by_id":
        return {
          type: "claim",
          claim_id: target.value,
          encounter_id:
            this.known(this.claims, target.value, "claim")?.encounter_id ??
            derivedId(`encounter-of-claim:${target.value}`),
        };
      case "claim_by_encounter_external_id": {
        const claim = this.known(this.encounters, target.value, "claim");
        const claimId = claim?.claim_id ?? derivedId(`claim-of-encounter:${target.value}`);
        return {
          type: "claim",
          claim_id: claimId,
          encounter_id: claim?.encounter_id ?? derivedId(`encounter-of-claim:${claimId}`),
        };
      }
      case "billing_provider_by_id":
        return { type: "billing_provider_id", billing_provider_id: target.value };
      case "appointment_by_id_and_patient_external_id":
        return {
          type: "appointment",
          appointment_id: target.appointment_id,
          patient_external_id: target.patient_external_id,
        };
      case "unattributed":
        return { type: "unattributed" };
    }
  }

  private known(records: Map<string, ClaimRecord>, id: string, entity: NotFoundError["entity"]) {
    const record = records.get(id);
    if (!record && this.rejectUnknown) throw new NotFoundError(entity, id);
    return record;
  }
}
