/** The versions of `mlcycle.yaml` that later results were computed under, by content hash. */
import type { ChangeContext } from './audit-log.js';

export interface SpecVersion {
  hash: string;
  text: string;
  recordedAt: string;
  recordedBy: string;
}

export interface SpecHistory {
  /** The most recently recorded version, if any. */
  latest(): Promise<SpecVersion | undefined>;
  /** Records a version and audits it as `spec.changed` with the given summary of what changed. */
  record(version: { hash: string; text: string }, changes: string[], context: ChangeContext): Promise<SpecVersion>;
}
