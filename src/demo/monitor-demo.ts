/**
 * Stage 10 in the demo: the monitor compares the June requests the service logged (through the A/B test)
 * with the January-April training data, column by column with Evidently's default tests. Summer flights
 * differ from winter and spring ones (other months, more evening departures, other routes), so the data
 * drifts; the check opens an incident routed to the monitor's owner from the spec and tags the model
 * version, a registry event the webhooks deliver.
 */
import { checkDrift } from '../monitor/check-drift.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { Workspace } from '../store/workspace.js';
import { DEMO_MODEL } from './track-demo-models.js';

export const DEMO_MONITOR = 'flight-alerts-drift';

/** Checks the served June traffic against the training data and reports what drifted. */
export async function runDemoMonitor(workspace: Workspace, engine: AnalyticsEngine, spec: ProblemSpec, trainRef: string, context: ChangeContext, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  const check = await checkDrift(workspace, engine, spec, DEMO_MONITOR, { reference: trainRef, current: { kind: 'predictions', model: DEMO_MODEL }, exclude: [spec.target.column] }, context);
  const { report } = check;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  log(`stage 10: monitor ${DEMO_MONITOR}: ${report.current.description} (${report.current.rows.toLocaleString('en-US')} requests) against ${report.reference.ref} (${report.reference.rows.toLocaleString('en-US')} rows) in ${seconds} s`);
  for (const column of report.columns) {
    const score = column.scoreKind === 'p-value' ? `p = ${column.score.toPrecision(3)}` : column.score.toFixed(3);
    log(`stage 10:   ${column.drifted ? 'drift' : 'ok   '} ${column.column}: ${column.test} ${score}`);
  }
  log(`stage 10: data drift ${report.dataset.drifted ? 'found' : 'not found'}: ${report.dataset.driftedColumns} of ${report.columns.length} columns`);
  if (check.incident !== null) {
    const { incident } = check.incident;
    log(`stage 10: incident ${incident.id} (${incident.severity}) ${check.incident.opened ? 'opened' : 'updated'} for ${incident.owner ?? 'nobody'} (${incident.onCall ?? 'no on-call contact'}); the board points back to data gathering and development`);
  }
}
