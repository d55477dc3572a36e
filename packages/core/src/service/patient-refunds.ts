// Patient refund rules: create with resolved allocations and the overdraft check, get, list, update, delete.

import { type PatientRefundFilter, patientRefundSortFields, type Store } from "../store/types.js";
import type {
  PatientRefund,
  PatientRefundCreate,
  PatientRefundSortField,
  PatientRefundsPage,
  PatientRefundUpdate,
} from "../types.js";
import { chargesOf, overdraftGuard, type Runtime, recordAllocations } from "./allocations.js";
import type { Directory } from "./directory.js";
import { NotFoundError } from "./errors.js";
import { type ListParams, type PageShape, readPage } from "./paging.js";
import { applyFieldUpdate, compact } from "./updates.js";

/** What the services need. */
export interface ServiceDeps {
  store: Store;
  directory: Directory;
  runtime: Runtime;
  /** The organization every refund created through this server belongs to. */
  organizationId: string;
}

const pageShape: PageShape<PatientRefund, PatientRefundFilter, PatientRefundSortField> = {
  resource: "patient-refunds",
  sorts: patientRefundSortFields,
  filters: {
    patient_external_id: "string",
    claim_id: "string",
    service_line_id: "string",
    billing_provider_id: "string",
    unattributed: "boolean",
    invoice_id: "string",
    sources: "strings",
  },
  id: (r) => r.patient_refund_id,
};

/** A patient refund with its fields in the service's wire order, absent ones left out. */
function patientRefund(r: PatientRefund): PatientRefund {
  return compact({
    patient_refund_id: r.patient_refund_id,
    organization_id: r.organization_id,
    refund_source: r.refund_source,
    amount_cents: r.amount_cents,
    patient_external_id: r.patient_external_id,
    allocations: r.allocations,
    source_internal_id: r.source_internal_id,
    refund_timestamp: r.refund_timestamp,
    refund_note: r.refund_note,
    invoice: r.invoice,
    refund_reason: r.refund_reason,
  });
}

/** Money returned to patients. */
export class PatientRefundService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Records a refund made through the API (`MANUAL_ENTRY`). */
  async create(input: PatientRefundCreate): Promise<PatientRefund> {
    const { store, directory, runtime, organizationId } = this.deps;
    const allocations = recordAllocations(input.allocations, directory, runtime);
    const refund = patientRefund({
      patient_refund_id: runtime.newId(),
      organization_id: organizationId,
      refund_source: "MANUAL_ENTRY",
      amount_cents: input.amount_cents,
      patient_external_id: input.patient_external_id,
      allocations,
      refund_timestamp: input.refund_timestamp,
      refund_note: input.refund_note,
      invoice: input.invoice,
      refund_reason: input.refund_reason,
    });
    await store.patientRefunds.insert(refund, {
      charges: chargesOf(allocations, refund.patient_external_id),
      guard: input.raise_on_overdraft ? overdraftGuard(allocations, refund.patient_external_id, directory) : undefined,
    });
    return refund;
  }

  /** Stores a refund given whole in the wire format (seed data), ids and all. */
  async restore(refund: PatientRefund): Promise<void> {
    await this.deps.store.patientRefunds.insert(patientRefund(refund), {
      charges: chargesOf(refund.allocations, refund.patient_external_id),
    });
  }

  /** Stores refunds given whole (seed data) in one bulk insert, each charging its balances as `restore` does. */
  async restoreMany(refunds: readonly PatientRefund[]): Promise<void> {
    const rows = refunds.map(patientRefund);
    await this.deps.store.patientRefunds.insertMany(
      rows,
      rows.map((r) => chargesOf(r.allocations, r.patient_external_id)),
    );
  }

  async get(id: string): Promise<PatientRefund> {
    const refund = await this.deps.store.patientRefunds.get(id);
    if (!refund) throw new NotFoundError("patient refund", id);
    return refund;
  }

  async list(params: ListParams<PatientRefundFilter, PatientRefundSortField>): Promise<PatientRefundsPage> {
    return readPage(this.deps.store.patientRefunds, pageShape, params);
  }

  /** Changes the fields the update names; the others keep their values. */
  async update(id: string, update: PatientRefundUpdate): Promise<PatientRefund> {
    const refund = await this.deps.store.patientRefunds.update(id, (current) =>
      patientRefund({
        ...current,
        refund_timestamp: update.refund_timestamp ?? current.refund_timestamp,
        refund_note: applyFieldUpdate(current.refund_note, update.refund_note),
        invoice: applyFieldUpdate(current.invoice, update.invoice),
        refund_reason: applyFieldUpdate(current.refund_reason, update.refund_reason),
      }),
    );
    if (!refund) throw new NotFoundError("patient refund", id);
    return refund;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.deps.store.patientRefunds.delete(id))) throw new NotFoundError("patient refund", id);
  }
}
