/**
 * Monitoring's persisted state: each check's results over time (a drift report per window) and the
 * incidents they open. An incident is deduplicated by its key: while one with the same key is open or
 * acknowledged, a new alert adds an occurrence to it instead of opening another.
 */
import type { ChangeContext } from './audit-log.js';

export interface MonitorResult {
  id: number;
  /** The monitor's name (`flights-drift`). */
  monitor: string;
  /** ISO 8601, UTC: when the check ran. */
  at: string;
  /** Whether the check found what it watches for (dataset drift, say). */
  alerting: boolean;
  /** The check's report as JSON (a DriftReport for drift). */
  report: unknown;
}

export const INCIDENT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];
export type IncidentSeverity = 'warning' | 'critical';

export interface Incident {
  id: number;
  /** What raised it: `monitor:flights-drift`, or `manual`. */
  source: string;
  /** Alerts with the same key while the incident is not resolved add occurrences to it. */
  dedupeKey: string;
  title: string;
  severity: IncidentSeverity;
  state: IncidentState;
  /** Who owns it and who is paged, from the spec's owners, when it names them. */
  owner: string | null;
  onCall: string | null;
  occurrences: number;
  openedAt: string;
  updatedAt: string;
  /** The last state change's note (an acknowledgement, a resolution). */
  note: string | null;
}

export interface NewIncident {
  source: string;
  dedupeKey: string;
  title: string;
  severity: IncidentSeverity;
  owner: string | null;
  onCall: string | null;
}

export interface MonitorStore {
  /** Stores a check's result, audited. */
  recordResult(monitor: string, alerting: boolean, report: unknown, context: ChangeContext): Promise<MonitorResult>;
  /** Results, newest first; of one monitor when named. */
  listResults(options?: { monitor?: string; limit?: number }): Promise<MonitorResult[]>;
  /** Opens an incident, or adds an occurrence to the unresolved one with the same key; says which. */
  raiseIncident(incident: NewIncident, context: ChangeContext): Promise<{ incident: Incident; opened: boolean }>;
  /** Incidents, newest first; only those in the given states when named. */
  listIncidents(states?: readonly IncidentState[]): Promise<Incident[]>;
  /** Acknowledges or resolves an incident; a resolved one cannot change again. */
  transitionIncident(id: number, to: Exclude<IncidentState, 'open'>, note: string | null, context: ChangeContext): Promise<Incident>;
}
