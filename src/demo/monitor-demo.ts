/**
 * Stage 10 in the demo: two checks of what the service logged in June.
 *
 * Data drift: the requests against the January-April training data, column by column with Evidently's
 * default tests. Over the whole of June there is little to find: on the full data, June against
 * January-April gives Jensen-Shannon distances of 0.010 for the hour, 0.035 for origin and destination
 * and a delay rate of 0.213 against 0.207, all under Evidently's 0.1. (An earlier version of this stage
 * reported the hour as drifted; that came from the service's first 3,000 requests, the earliest departures
 * of June 1st, not from the season.)
 *
 * Performance, once labels arrive: the champion the rollout installed (the trees, at the threshold the
 * rollout chose) on its labelled June predictions since the rollout began, its ROC AUC and its
 * false-alarm rate against the spec's 20% overall and per census region. The Northeast's on-time flights
 * are alerted on more often than elsewhere (24% of them in the demo's run, against 15-21% in the other
 * regions); on the demo's traffic that is not yet shown to exceed the limit, so no incident is opened.
 * A breach would open one routed to the model's owner and tag the version (a registry event the
 * webhooks deliver).
 */
import { checkPerformance } from '../monitor/check-performance.js';
import { checkDrift } from '../monitor/check-drift.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { Workspace } from '../store/workspace.js';
import { DEMO_ROLLOUT } from './rollout-demo.js';
import { DEMO_MODEL } from './track-demo-models.js';

export const DEMO_MONITOR = 'flight-alerts-drift';
export const DEMO_PERFORMANCE_MONITOR = 'flight-alerts-performance';

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

  const rollout = await workspace.rollouts.find(DEMO_ROLLOUT);
  const champion = (await workspace.registry.findModel(DEMO_MODEL))?.aliases.champion;
  if (rollout === undefined || champion === undefined) return;
  const checked = await checkPerformance(workspace, engine, spec, DEMO_PERFORMANCE_MONITOR, { model: DEMO_MODEL, version: champion, since: rollout.createdAt, segment: 'origin_region' }, context);
  log(`stage 10: monitor ${DEMO_PERFORMANCE_MONITOR}: models:/${DEMO_MODEL}/${champion} on its ${checked.labelled.toLocaleString('en-US')} labelled predictions since rollout ${DEMO_ROLLOUT} began: ROC AUC ${checked.rocAuc?.toFixed(4) ?? 'n/a'}`);
  if (checked.scoreDrift !== null) log(`stage 10:   prediction drift: PSI ${checked.scoreDrift.psi.toFixed(4)} of ${checked.scoreDrift.predictions.toLocaleString('en-US')} scores against evaluation ${checked.scoreDrift.evaluation} on ${checked.scoreDrift.dataset} (under 0.1: no shift)`);
  for (const gate of checked.gates) log(`stage 10:   ${gate.status.padEnd(4)} ${gate.gate}: ${gate.detail}`);
  const rates = checked.segments.map((each) => `${each.segment} ${((each.falseAlarms / each.negatives) * 100).toFixed(1)}% of ${each.negatives.toLocaleString('en-US')}`);
  if (rates.length > 0) log(`stage 10:   false-alarm rate by origin_region: ${rates.join(', ')}`);
  if (checked.incident !== null) {
    const { incident } = checked.incident;
    log(`stage 10: incident ${incident.id} (${incident.severity}) ${checked.incident.opened ? 'opened' : 'updated'} for ${incident.owner ?? 'nobody'} (${incident.onCall ?? 'no on-call contact'})`);
  }
}
