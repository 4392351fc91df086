/** Dataset profiles: computed once per version and options, kept as JSON artifacts, indexed here. */
import type { ChangeContext } from './audit-log.js';

export interface ProfileRecord {
  ref: string;
  /** A hash of what the profile depends on besides the data: target, task, declarations, thresholds. */
  optionsKey: string;
  target?: string;
  hasStrawman: boolean;
  artifactKey: string;
  createdAt: string;
  createdBy: string;
}

export interface ProfileStore {
  find(ref: string, optionsKey: string): Promise<ProfileRecord | undefined>;
  /** Every profile, newest first. */
  list(): Promise<ProfileRecord[]>;
  /** Records a profile (replacing one of the same version and options) and audits it. */
  record(profile: Omit<ProfileRecord, 'createdAt' | 'createdBy'>, context: ChangeContext): Promise<ProfileRecord>;
}
