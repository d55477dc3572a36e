// A plain model of what the server holds and how its lists answer, written from the README's rules without the
// server's code: instants to the millisecond, text by code point (an unpaired surrogate as U+FFFD), missing values
// last, ties by id.

/** A refund as the wire carries it. */
export type WireRefund = Record<string, unknown>;

const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

// Days since 1970-01-01 of a proleptic Gregorian date (any year, 0 included).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Milliseconds since the epoch of an RFC 3339 date-time (offsets of hours alone too; a leap second is 60), with
 * digits past the millisecond dropped, as lists compare them.
 */
export function instantMs(timestamp: string): bigint {
  const m = dateTimePattern.exec(timestamp);
  if (!m) throw new Error(`not a date-time: ${timestamp}`);
  const [, y, mo, d, h, mi, s, fraction = "", , sign, oh = "0", om = "0"] = m;
  const offset = (Number(oh) * 60 + Number(om)) * 60 * (sign === "-" ? -1 : 1);
  const seconds =
    daysFromCivil(Number(y), Number(mo), Number(d)) * 86400 + Number(h) * 3600 + Number(mi) * 60 + Number(s) - offset;
  return BigInt(seconds) * 1000n + BigInt(fraction.padEnd(3, "0").slice(0, 3));
}

// Code points, an unpaired surrogate read as U+FFFD (what UTF-8, and so a SQL store, keeps in its place).
const codePoints = (text: string) =>
  Array.from(text, (c) => {
    const point = c.codePointAt(0) as number;
    return point >= 0xd800 && point <= 0xdfff ? 0xfffd : point;
  });

function compareText(a: string, b: string): number {
  const x = codePoints(a);
  const y = codePoints(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  }
  return x.length - y.length;
}

/** Ascending order of two values of `field`; a missing value after every value. */
export function compareField(field: string, a: unknown, b: unknown): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  if (field === "refund_timestamp") {
    const [x, y] = [instantMs(a as string), instantMs(b as string)];
    return x === y ? 0 : x < y ? -1 : 1;
  }
  if (typeof a === "number" && typeof b === "number") return a - b;
  return compareText(String(a), String(b));
}

/** Rows in list order: by `field`, then by id, both in `direction`. */
export function listOrder<T extends WireRefund>(rows: T[], field: string, direction: "asc" | "desc", idField: string) {
  const sign = direction === "asc" ? 1 : -1;
  return [...rows].sort(
    (a, b) => sign * (compareField(field, a[field], b[field]) || compareText(String(a[idField]), String(b[idField]))),
  );
}

type Target = { type: string; [key: string]: unknown };
const targetsOf = (r: WireRefund) => (r.allocations as { target: Target }[]).map((a) => a.target);

/** Filters of the patient refund list (each given one must match). */
export interface PatientFilter {
  patient_external_id?: string;
  claim_id?: string;
  service_line_id?: string;
  billing_provider_id?: string;
  unattributed?: boolean;
  invoice_id?: string;
  sources?: string[];
}

/** Whether a patient refund matches every given filter. */
export function matchesPatient(r: WireRefund, f: PatientFilter): boolean {
  const targets = targetsOf(r);
  return (
    (f.patient_external_id === undefined || r.patient_external_id === f.patient_external_id) &&
    (f.claim_id === undefined || targets.some((t) => t.claim_id === f.claim_id)) &&
    (f.service_line_id === undefined || targets.some((t) => t.service_line_id === f.service_line_id)) &&
    (f.billing_provider_id === undefined || targets.some((t) => t.billing_provider_id === f.billing_provider_id)) &&
    (f.unattributed === undefined || targets.some((t) => t.type === "unattributed") === f.unattributed) &&
    (f.invoice_id === undefined || r.invoice === f.invoice_id) &&
    (f.sources === undefined || f.sources.includes(r.refund_source as string))
  );
}

/** Filters of the non-insurance payer refund list. */
export interface PayerFilter {
  non_insurance_payer_id?: string;
  check_number?: string[];
  invoice_id?: string;
}

/** Whether a non-insurance payer refund matches every given filter. */
export function matchesPayer(r: WireRefund, f: PayerFilter): boolean {
  const payer = r.non_insurance_payer as { non_insurance_payer_id: string };
  return (
    (f.non_insurance_payer_id === undefined || payer.non_insurance_payer_id === f.non_insurance_payer_id) &&
    (f.check_number === undefined || f.check_number.includes(r.check_number as string)) &&
    (f.invoice_id === undefined || r.invoice_id === f.invoice_id)
  );
}

/** A refund after a PATCH: a given timestamp replaces the old one, `set` and `remove` act, the rest stays. */
export function applyUpdate(current: WireRefund, update: Record<string, unknown>): WireRefund {
  const next = { ...current };
  for (const [field, change] of Object.entries(update)) {
    if (field === "refund_timestamp") next[field] = change;
    else if ((change as { type: string }).type === "set") next[field] = (change as { value: unknown }).value;
    else delete next[field];
  }
  return next;
}
