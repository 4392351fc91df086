/** Design documents (stage 5): one per iteration, versioned; every save is a new version, audited. */
import type { ChangeContext } from './audit-log.js';

/** The audit action of a save: a new design, its feasibility evidence, its decision. */
export type DesignAction = 'design.created' | 'design.assessed' | 'design.decided';

export interface DesignRecord {
  name: string;
  version: number;
  /** The document as JSON (design/design-document.ts's DesignDocument). */
  document: unknown;
  createdAt: string;
  createdBy: string;
}

export interface DesignStore {
  /** Stores the next version of the named design and audits it with the given action. */
  save(name: string, document: unknown, action: DesignAction, context: ChangeContext): Promise<DesignRecord>;
  /** The given version, or the latest. */
  find(name: string, version?: number): Promise<DesignRecord | undefined>;
  /** The latest version of every design, by name. */
  list(): Promise<DesignRecord[]>;
}
