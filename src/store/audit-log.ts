/**
 * The audit log: who changed what in stored state, when, and why. Stores write an entry in the same
 * transaction as the change it describes, so the log and the state never disagree.
 */
import os from 'node:os';

/** Who is acting, on what clock, and why: passed to every call that changes stored state. */
export interface ChangeContext {
  actor: string;
  now: () => Date;
  reason?: string;
}

export interface AuditEntry {
  id: number;
  /** ISO 8601 time, UTC. */
  at: string;
  actor: string;
  /** A dotted verb such as `workspace.created` or `spec.changed`. */
  action: string;
  /** What was changed: `workspace`, `spec@<hash>`, a dataset version... */
  subject: string;
  details: Record<string, unknown>;
  reason?: string;
}

export interface NewAuditEntry {
  action: string;
  subject: string;
  details?: Record<string, unknown>;
}

export interface AuditQuery {
  /** Newest entries first; at most this many. */
  limit?: number;
  /** Only actions that start with this prefix, e.g. `spec.`. */
  actionPrefix?: string;
}

/**
 * The audit log. Stores append inside the transaction of the change they describe; `append` is for
 * changes outside any store (a file written beside the workspace, such as `mlcycle.yaml`).
 */
export interface AuditLog {
  list(query?: AuditQuery): Promise<AuditEntry[]>;
  /** Appends one entry, stamped with the context's actor, clock and reason. */
  append(entry: NewAuditEntry, context: ChangeContext): Promise<AuditEntry>;
}

/** The acting user: `MLCYCLE_USER`, else the operating system's user name. */
export function currentActor(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.MLCYCLE_USER?.trim();
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** A change context for the current user and the system clock. */
export function defaultChangeContext(reason?: string): ChangeContext {
  return { actor: currentActor(), now: () => new Date(), ...(reason === undefined ? {} : { reason }) };
}

/** The context with its clock stopped at one instant, so that a change and its audit entry share a time. */
export function atOneInstant(context: ChangeContext): ChangeContext {
  const instant = context.now();
  return { ...context, now: () => instant };
}
