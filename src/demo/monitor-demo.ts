/**
 * Stage 10 in the demo: the served June traffic watched the way a team would watch it.
 *
 * A monitor declared in the spec (as `mlcycle monitor add` declares it): the champion's logged requests
 * in windows of 5,000, each against the January-April training data, with every check (feature drift with
 * thresholds from 30 random chunks of the training data, prediction drift against each version's offline
 * evaluation, label drift once the delays are known, data quality, performance with its estimate before
 * labels, service health). What it finds is real: June's flights are a little longer (mean distance 741
 * miles against 729 on the full data) and a little more often late (21.3% against 20.6%), which windows
 * of 5,000 requests show beyond the training data's own sampling spread; the first window is the earliest
 * departures of June 1st (the serving stage's first 3,000 requests, an hour mix the reference never has);
 * and the rollout's first two steps sent mostly Southern and Midwestern passengers, so the origins of
 * those windows drift. Each failing check opens one incident (later windows add occurrences) routed to its
 * owner: drift to the monitor's, performance to the model's, health to the endpoint's.
 *
 * Performance, once labels arrive: the champion the rollout installed (the trees, at the threshold the
 * rollout chose) on its labelled June predictions since the rollout began, its ROC AUC and its
 * false-alarm rate against the spec's 20% overall and per census region. The Northeast's on-time flights
 * are alerted on more often than elsewhere (24% of them in the demo's run, against 15-21% in the other
 * regions); on the demo's traffic that is not yet shown to exceed the limit, so no incident is opened.
 */
import { addMonitorToSpec } from '../monitor/add-monitor.js';
import { checkPerformance } from '../monitor/check-performance.js';
import { runMonitor } from '../monitor/run-monitor.js';
import { loadSpec, requireValidSpec } from '../problem/load-spec.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { Workspace } from '../store/workspace.js';
import { DEMO_ROLLOUT } from './rollout-demo.js';
import { DEMO_MODEL } from './track-demo-models.js';

export const DEMO_MONITOR = 'flight-alerts';
export const DEMO_PERFORMANCE_MONITOR = 'flight-alerts-performance';
const WINDOW_ROWS = 5000;

/** Declares the demo's monitor (once), runs its new windows and reports what they found. */
export async function runDemoMonitor(workspace: Workspace, engine: AnalyticsEngine, initialSpec: ProblemSpec, trainRef: string, context: ChangeContext, log: (line: string) => void): Promise<void> {
  let spec = initialSpec;
  if (!spec.monitors.some((monitor) => monitor.name === DEMO_MONITOR)) {
    await addMonitorToSpec(workspace.specFile, { name: DEMO_MONITOR, model: DEMO_MODEL, reference: trainRef, window: { rows: WINDOW_ROWS } });
    spec = requireValidSpec(await loadSpec(workspace.specFile));
    log(`stage 10: declared monitor ${DEMO_MONITOR} in mlcycle.yaml (mlcycle monitor add ${DEMO_MONITOR} --model ${DEMO_MODEL} --reference ${trainRef} --window rows:${WINDOW_ROWS})`);
  }
  const monitor = spec.monitors.find((each) => each.name === DEMO_MONITOR);
  if (monitor === undefined) return;
  const started = performance.now();
  const run = await runMonitor(workspace, engine, spec, monitor, context);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (run.windows.length === 0) log(`stage 10: monitor ${DEMO_MONITOR}: no new window (${run.waiting ?? 'nothing to do'})`);
  else log(`stage 10: monitor ${DEMO_MONITOR}: ${run.windows.length} windows of ${WINDOW_ROWS.toLocaleString('en-US')} requests against ${run.windows[0]?.report.reference.description} (${run.windows[0]?.report.reference.rows.toLocaleString('en-US')} rows) in ${seconds} s`);
  for (const { report } of run.windows) {
    const versions = Object.entries(report.window.versions).map(([version, rows]) => `v${version} ${rows.toLocaleString('en-US')}`).join(', ');
    const alerts = report.checks.filter((check) => check.status === 'alert');
    const drifted = report.columns.filter((column) => column.drifted).map((column) => `${column.column} ${column.score.toFixed(3)} > ${column.threshold.toFixed(3)}`);
    const labels = report.checks.find((check) => check.check === 'labels');
    const performanceCheck = report.checks.find((check) => check.check === 'performance');
    log(`stage 10:   window ${report.window.index} (${versions}): ${alerts.length === 0 ? 'ok' : `ALERT ${alerts.map((check) => check.check).join(', ')}`}${drifted.length === 0 ? '' : `; drifted: ${drifted.join(', ')}`}`);
    if (labels?.status !== 'skipped') log(`stage 10:     ${labels?.summary ?? ''}; ${performanceCheck?.summary ?? ''}`);
  }
  for (const raised of run.incidents.filter((each) => each.opened)) {
    const { incident } = raised;
    log(`stage 10: incident ${incident.id} (${incident.severity}) opened for ${incident.owner ?? 'nobody'} (${incident.onCall ?? 'no on-call contact'}): ${incident.title}`);
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
