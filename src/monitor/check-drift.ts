/**
 * One drift check of a monitor: measure (measure-drift.ts), store the result, and when a column drifted
 * open (or add an occurrence to) an incident (critical when the data as a whole drifted, else a warning) routed to the owner the spec names for monitors (else for the
 * model). When the current sample is a model's served predictions, the alert is also a registry event: a
 * tag `mlcycle.incident` on the model's latest version, which the registry's webhooks deliver (the way
 * rollouts alert owners).
 */
import { MlcycleError } from '../error.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { Incident, MonitorResult } from '../store/monitor-store.js';
import type { Workspace } from '../store/workspace.js';
import { resolveModelUri } from '../tracking/registry/model-uri.js';
import { setModelTag } from '../tracking/registry/register-model.js';
import { measureDrift, type DriftReport, type DriftRequest } from './measure-drift.js';

export const INCIDENT_TAG = 'mlcycle.incident';

export interface DriftCheck {
  result: MonitorResult;
  report: DriftReport;
  /** The incident the check opened or added to, when the dataset drifted. */
  incident: { incident: Incident; opened: boolean } | null;
}

/** Runs one drift check under a monitor's name and records what it found. */
export async function checkDrift(workspace: Workspace, engine: AnalyticsEngine, spec: ProblemSpec | null, monitor: string, request: DriftRequest, context: ChangeContext): Promise<DriftCheck> {
  const report = await measureDrift(workspace, engine, request);
  const drifted = report.columns.filter((column) => column.drifted).map((column) => column.column);
  const result = await workspace.monitors.recordResult(monitor, drifted.length > 0, report, context);
  if (drifted.length === 0) return { result, report, incident: null };
  const owner = spec?.owners.monitor ?? spec?.owners.model;
  const what = report.dataset.drifted ? 'data drift' : 'column drift';
  const title = `${monitor}: ${what} in ${drifted.length} of ${report.columns.length} columns (${drifted.join(', ')}) of ${report.current.description} against ${report.reference.ref}`;
  // A drifted column is a warning; drift of the data as a whole (Evidently's share rule) is critical.
  const incident = await workspace.monitors.raiseIncident(
    { source: `monitor:${monitor}`, dedupeKey: `monitor:${monitor}:drift`, title, severity: report.dataset.drifted ? 'critical' : 'warning', owner: owner?.owner ?? null, onCall: owner?.onCall ?? null },
    context,
  );
  if (incident.opened && request.current.kind === 'predictions') {
    // Predictions logged under a name the registry does not hold (a model served from a file) have no version to tag.
    const version = await resolveModelUri(workspace.registry, `models:/${request.current.model}/latest`).catch((error: unknown) => {
      if (error instanceof MlcycleError && error.code === 'not_found') return null;
      throw error;
    });
    if (version !== null) await setModelTag(workspace, { model: version.model, version: version.version }, INCIDENT_TAG, `incident ${incident.incident.id}: ${title}`.slice(0, 5000), context);
  }
  return { result, report, incident };
}
