/**
 * The literature survey's references: a published approach, what it reported and on which data, and the
 * runs of ours that reproduce or adapt it.
 */
import type { ChangeContext } from './audit-log.js';

export interface ReportedMetric {
  name: string;
  value: number;
}

export interface NewReference {
  /** The citation key (BibTeX key or CSL id), unique in the workspace. */
  key: string;
  title: string;
  authors: string[];
  year?: number;
  /** Journal, proceedings or publisher. */
  venue?: string;
  url?: string;
  /** The approach, for example "gradient boosting on route and schedule features". */
  approach: string;
  task: string;
  dataset: string;
  reported: ReportedMetric[];
  notes: string;
  tags: string[];
}

export interface ReferenceLink {
  runId: string;
  relation: 'reproduces' | 'adapts';
  linkedAt: string;
  linkedBy: string;
}

export interface ReferenceRecord extends NewReference {
  createdAt: string;
  createdBy: string;
  links: ReferenceLink[];
}

export interface ReferenceStore {
  /** Records references in one transaction and audits each; a key already present is a conflict and stores none. */
  add(references: readonly NewReference[], context: ChangeContext): Promise<ReferenceRecord[]>;
  find(key: string): Promise<ReferenceRecord | undefined>;
  /** Every reference, by key. */
  list(): Promise<ReferenceRecord[]>;
  /** Removes a reference and its links, audited; a missing key is not_found. */
  remove(key: string, context: ChangeContext): Promise<void>;
  /** Links a run to a reference, audited; an unknown reference or run is not_found and stores nothing. */
  link(key: string, runId: string, relation: ReferenceLink['relation'], context: ChangeContext): Promise<ReferenceRecord>;
}
