/** A short account of what changed between two versions of the spec, for the audit log. */
import { parse } from 'yaml';

type Plain = Record<string, unknown>;

function byKey(items: unknown, key: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(items)) return out;
  for (const item of items) {
    const id = (item as Plain | null)?.[key];
    if (typeof id === 'string') out.set(id, JSON.stringify(item));
  }
  return out;
}

function compareLists(field: string, key: string, before: unknown, after: unknown): string[] {
  const old = byKey(before, key);
  const now = byKey(after, key);
  const changes: string[] = [];
  for (const [id, value] of now) {
    if (!old.has(id)) changes.push(`${field}: added ${id}`);
    else if (old.get(id) !== value) changes.push(`${field}: changed ${id}`);
  }
  for (const id of old.keys()) if (!now.has(id)) changes.push(`${field}: removed ${id}`);
  return changes;
}

const LISTS_BY_KEY: Record<string, string> = { successMetrics: 'id', segments: 'name', stakeholders: 'name', mlMetrics: 'metric' };

/** Lists changed top-level fields; for lists of named items, which items were added, removed or changed. */
export function describeSpecChanges(previousText: string | undefined, currentText: string): string[] {
  if (previousText === undefined) return ['first recorded version'];
  const before = (parse(previousText) ?? {}) as Plain;
  const after = (parse(currentText) ?? {}) as Plain;
  const changes: string[] = [];
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[field]) === JSON.stringify(after[field])) continue;
    const key = LISTS_BY_KEY[field];
    if (key !== undefined) changes.push(...compareLists(field, key, before[field], after[field]));
    else if (!(field in before)) changes.push(`${field}: added`);
    else if (!(field in after)) changes.push(`${field}: removed`);
    else changes.push(`${field}: changed`);
  }
  return changes.length > 0 ? changes : ['comments or formatting only'];
}
