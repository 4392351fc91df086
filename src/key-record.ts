/**
 * Records keyed by user-supplied names (params, tags, metric keys, experiment and model tags). They have
 * no prototype, so a key such as `__proto__`, `constructor` or `toString` is an ordinary key: it is
 * stored, read back and serialized like any other instead of reaching Object.prototype (issue 16).
 */

/** An empty record without a prototype, optionally filled from entries (a later entry wins). */
export function keyRecord<V>(entries: Iterable<readonly [string, V]> = []): Record<string, V> {
  const record = Object.create(null) as Record<string, V>;
  for (const [key, value] of entries) record[key] = value;
  return record;
}

/** The record's own value for a key; never one inherited from Object.prototype (`toString`...). */
export function ownValue<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
