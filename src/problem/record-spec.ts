/** Keeps the spec's history: a valid spec whose content changed since the last record is recorded and audited. */
import type { ChangeContext } from '../store/audit-log.js';
import type { SpecHistory } from '../store/spec-history.js';
import type { SpecCheck } from './load-spec.js';
import { describeSpecChanges } from './spec-changes.js';

/** Records the spec if it is valid and differs from the latest recorded version; returns what changed. */
export async function recordSpecIfChanged(history: SpecHistory, check: SpecCheck, context: ChangeContext): Promise<string[] | undefined> {
  if (!check.exists || check.spec === undefined) return undefined;
  const latest = await history.latest();
  if (latest?.hash === check.hash) return undefined;
  const changes = describeSpecChanges(latest?.text, check.text);
  await history.record({ hash: check.hash, text: check.text }, changes, context);
  return changes;
}
