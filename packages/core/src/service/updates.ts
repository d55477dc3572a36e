// Set/remove update objects and wire-order builders shared by both kinds of refund.

/** `{"type": "set", "value": ...}` replaces a field, `{"type": "remove"}` clears it. */
export type FieldUpdate<V> = { type: "set"; value: V } | { type: "remove" };

/** The field's value after `update`; a field left out of the PATCH (`undefined`) keeps its value. */
export function applyFieldUpdate<V>(current: V | undefined, update: FieldUpdate<V> | undefined): V | undefined {
  if (update === undefined) return current;
  return update.type === "set" ? update.value : undefined;
}

/** A copy without the keys whose value is undefined, in the order given: absent fields are left out on the wire. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v = value[key];
    if (v !== undefined) out[key] = v;
  }
  return out as T;
}
