/**
 * A performance check of a served model version once labels arrive: its predictions since a time, joined
 * with the label outcomes (named after the spec's target column, rollout/live-outcomes.ts), their ROC AUC,
 * the drift of all its scores since then from its offline evaluation's (population stability index),
 * and the false-alarm rate its logged decisions reached against the spec's `valueModel.maxFalsePositiveRate`,
 * overall and per segment, with the same always-valid test and Holm adjustment a rollout step uses
 * (rollout.ts `rateGate`, `segmentFalseAlarmGates`), so that a monitor may look as often as it likes. A
 * breach opens (or adds to) an incident routed to the spec's model owner, and tags the version (a
 * registry event the webhooks deliver).
 */
import { rocAucScore } from '../metrics/roc-auc.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import { labelledPredictions, versionScores } from '../rollout/live-outcomes.js';
import { offlineScoreBins, scorePsi } from '../rollout/score-drift.js';
import { rateGate, segmentFalseAlarmGates, specFalseAlarmLimit, type GateResult } from '../rollout/rollout.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { Incident } from '../store/monitor-store.js';
import type { Workspace } from '../store/workspace.js';
import { setModelTag } from '../tracking/registry/register-model.js';
import { INCIDENT_TAG } from './check-drift.js';

export interface PerformanceRequest {
  model: string;
  version: number;
  /** Predictions from this time on (ISO 8601). */
  since: string;
  /** The spec segment whose values the false-alarm rate is also checked in. */
  segment?: string;
  alpha?: number;
}

export interface PerformanceCheck {
  labelled: number;
  positives: number;
  rocAuc: number | null;
  /** The false-alarm rate against the spec's limit, overall, then each segment shown over it. */
  gates: GateResult[];
  /** Each segment's false-alarm rate, for the record (the gates name those shown over the limit). */
  segments: { segment: string; negatives: number; falseAlarms: number }[];
  /**
   * Prediction drift: the population stability index of every prediction's score since `since` (labelled
   * or not) against the version's newest offline evaluation (rollout/score-drift.ts); null without one.
   */
  scoreDrift: { psi: number; predictions: number; evaluation: number; dataset: string } | null;
  incident: { incident: Incident; opened: boolean } | null;
}

/** Checks one version's live performance and records a breach as an incident. */
export async function checkPerformance(workspace: Workspace, engine: AnalyticsEngine, spec: ProblemSpec, monitor: string, request: PerformanceRequest, context: ChangeContext): Promise<PerformanceCheck> {
  const alpha = request.alpha ?? 0.05;
  const segmentColumn = spec.segments.find((segment) => segment.name === request.segment)?.column;
  const rows = await labelledPredictions(engine, workspace, { model: request.model, version: request.version, since: request.since }, spec.target.column, segmentColumn);
  const positives = rows.labels.reduce((sum, label) => sum + label, 0);
  const rocAuc = positives === 0 || positives === rows.labels.length ? null : rocAucScore(rows.labels, rows.scores);
  const gates: GateResult[] = [];
  const limit = specFalseAlarmLimit(spec);
  const bySegment = new Map<string, { negatives: number; falseAlarms: number }>();
  if (limit !== undefined) {
    let negatives = 0;
    let falseAlarms = 0;
    rows.labels.forEach((label, index) => {
      if (label !== 0 || Number.isNaN(rows.decisions[index] as number)) return;
      const alarm = rows.decisions[index] === 1 ? 1 : 0;
      negatives += 1;
      falseAlarms += alarm;
      const segment = rows.segments[index];
      if (segment === null || segment === undefined) return;
      const count = bySegment.get(segment) ?? { negatives: 0, falseAlarms: 0 };
      count.negatives += 1;
      count.falseAlarms += alarm;
      bySegment.set(segment, count);
    });
    gates.push(rateGate('false-alarm rate', falseAlarms, negatives, limit, alpha, 1, `labelled negatives alerted ("${spec.target.column}" outcomes)`));
    gates.push(...segmentFalseAlarmGates(bySegment, limit, alpha));
  }
  const offline = await offlineScoreBins(workspace, request.model, request.version);
  const live = offline === undefined ? new Float64Array(0) : await versionScores(engine, workspace, request.model, request.version, request.since);
  const scoreDrift = offline === undefined || live.length === 0 ? null : { psi: scorePsi(offline.bins, live), predictions: live.length, evaluation: offline.evaluation, dataset: offline.dataset };
  const breaches = gates.filter((gate) => gate.status === 'fail');
  const segments = [...bySegment].map(([segment, count]) => ({ segment, ...count })).sort((a, b) => b.falseAlarms / b.negatives - a.falseAlarms / a.negatives);
  const uri = `models:/${request.model}/${request.version}`;
  await workspace.monitors.recordResult(monitor, breaches.length > 0, { kind: 'performance', model: uri, since: request.since, labelled: rows.labels.length, positives, rocAuc, gates, segments, scoreDrift }, context);
  if (breaches.length === 0) return { labelled: rows.labels.length, positives, rocAuc, gates, segments, scoreDrift, incident: null };
  const owner = spec.owners.model ?? spec.owners.monitor;
  const title = `${monitor}: ${uri} ${breaches.map((gate) => `${gate.gate}: ${gate.detail}`).join('; ')}`;
  const incident = await workspace.monitors.raiseIncident({ source: `monitor:${monitor}`, dedupeKey: `monitor:${monitor}:performance:${uri}`, title, severity: 'warning', owner: owner?.owner ?? null, onCall: owner?.onCall ?? null }, context);
  // A version the registry does not hold (a model served from a file) has no tag to set.
  if (incident.opened && (await workspace.registry.findVersion(request.model, request.version)) !== undefined) {
    await setModelTag(workspace, { model: request.model, version: request.version }, INCIDENT_TAG, `incident ${incident.incident.id}: ${title}`.slice(0, 5000), context);
  }
  return { labelled: rows.labels.length, positives, rocAuc, gates, segments, scoreDrift, incident };
}
