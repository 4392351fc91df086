/**
 * The demo's stage 8, second half: the A/B test. The tuned trees (`@challenger`, at the alert threshold
 * the offline evaluation chose for them) run against the logistic regression (`@champion`) on the June
 * flights: an experiment on the `flight-delay` endpoint splits passengers 50/50 by GrowthBook's hash, the
 * traffic simulator replays a sample of June through the real prediction service, simulated passengers
 * react to each alert (sent, opened, rebooked before the gate, muted, minutes at the desk) depending on
 * whether the alert was right, and the analysis reads the event log with the spec's success metrics and
 * decides. A rerun finds the experiment's exposures in the log and only analyses again.
 */
import { analyzeStoredExperiment } from '../experiment/online-experiments.js';
import { checkExperimentDefinition } from '../experiment/online-definition.js';
import { validateResponseModel } from '../experiment/response-model.js';
import { readReplayRows } from '../experiment/simulate-source.js';
import { replayTraffic } from '../experiment/simulate-traffic.js';
import { createExperiment, startExperiment } from '../experiment/online-experiments.js';
import type { EvaluateModelsResult } from '../evaluate/evaluate-models.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import { buildPredictionService } from '../serve/prediction-service.js';
import { DECISION_THRESHOLD_TAG } from '../serve/served-models.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { Workspace } from '../store/workspace.js';
import { setModelTag } from '../tracking/registry/register-model.js';
import { formatEffect } from '../experiment/decision.js';
import { DEMO_MODEL } from './track-demo-models.js';

export const DEMO_EXPERIMENT = 'alert-model-ab';
/** June passengers replayed: a sample, so that the demo stays inside its time budget. */
const REPLAYED = 12_000;

const DEFINITION = {
  description: 'tuned trees (@challenger) against the logistic regression (@champion) on June traffic',
  endpoint: DEMO_MODEL,
  arms: [
    { id: 'control', model: `${DEMO_MODEL}@champion`, weight: 0.5 },
    { id: 'treatment', model: `${DEMO_MODEL}@challenger`, weight: 0.5 },
  ],
  attributionHours: 24,
  segment: 'origin_region',
};

/**
 * Simulated passengers. A right alert (the flight is delayed) is opened more and leads to rebooking before
 * the gate; a false alarm is muted now and then; a delayed passenger who did not rebook waits at the desk.
 * Passengers in the Northeast open alerts less (a segment-specific effect).
 */
export const DEMO_PASSENGERS = {
  description: 'passengers of the flight-delay alert product',
  label: 'label',
  segment: 'origin_region',
  seed: 8,
  events: [
    { name: 'alert_sent', when: 'decision == 1' },
    { name: 'alert_opened', when: 'alert_sent == 1', probability: 'if(label == 1, 0.75, 0.45) - if(segment == "Northeast", 0.1, 0)', delayMinutes: 5 },
    { name: 'rebooked_before_gate', when: 'label == 1', probability: 'if(alert_opened == 1, 0.55, 0.08)', delayMinutes: 40 },
    { name: 'alerts_muted', when: 'alert_sent == 1 and label == 0', probability: 0.04, delayMinutes: 10 },
    { name: 'desk_wait_minutes', when: 'label == 1 and rebooked_before_gate == 0', value: { distribution: 'lognormal', mu: 'if(segment == "Northeast", 3.2, 2.9)', sigma: 0.5 }, delayMinutes: 90 },
    // The flight's outcome, the true label, named after the spec's target column: rollouts and monitors read it.
    { name: 'delayed', value: 'label', delayMinutes: 120 },
  ],
};

/** The challenger alerts at the threshold offline evaluation chose for it (as the evaluated candidate). */
async function setChallengerThreshold(workspace: Workspace, evaluated: EvaluateModelsResult, context: ChangeContext): Promise<void> {
  const best = evaluated.evaluation.businessValue?.find((entry) => entry.role === 'candidate')?.best;
  if (best === undefined || 'reason' in best || !Number.isFinite(best.point.threshold)) return;
  const version = (await workspace.registry.findModel(DEMO_MODEL))?.aliases.challenger;
  if (version === undefined) return;
  const threshold = String(best.point.threshold);
  if ((await workspace.registry.findVersion(DEMO_MODEL, version))?.tags[DECISION_THRESHOLD_TAG] !== threshold) await setModelTag(workspace, { model: DEMO_MODEL, version }, DECISION_THRESHOLD_TAG, threshold, context);
}

/** Runs (or, on a rerun, re-analyses) the demo's A/B test; logs the decision. */
export async function runDemoAbTest(workspace: Workspace, engine: AnalyticsEngine, spec: ProblemSpec, evaluated: EvaluateModelsResult, liveRef: string, context: ChangeContext, log: (line: string) => void): Promise<void> {
  const record = (await workspace.experiments.find(DEMO_EXPERIMENT)) ?? (await createExperiment(workspace, DEMO_EXPERIMENT, checkExperimentDefinition(DEFINITION), context));
  // A stopped test (stage 9 ended it) is only analysed again; the threshold its rollout chose stays.
  if (record.state !== 'stopped') await setChallengerThreshold(workspace, evaluated, context);
  if (record.state === 'draft') await startExperiment(workspace, DEMO_EXPERIMENT, context);
  const exposed = (await workspace.events.summary()).some((row) => row.type === 'exposure');
  if (exposed) log(`stage 8: the event log already holds the A/B test's exposures; analysing again`);
  else {
    const model = validateResponseModel(DEMO_PASSENGERS);
    if (model.value === undefined) throw new Error(`the demo's passenger model is invalid: ${JSON.stringify(model.issues)}`);
    const source = await readReplayRows(workspace, engine, spec, { dataset: liveRef, models: [`${DEMO_MODEL}@champion`, `${DEMO_MODEL}@challenger`], sample: { rows: REPLAYED, seed: 8 }, orderBy: 'date' });
    const app = await buildPredictionService(workspace, { followMs: 1000 }, '0.1.0');
    app.log.level = 'warn';
    try {
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      log(`stage 8: A/B test ${DEMO_EXPERIMENT}: @champion (control) against @challenger (treatment), 50/50 by GrowthBook's hash; replaying ${source.rows.length.toLocaleString('en-US')} June flights (a sample of ${source.dataset}) through ${url} with simulated passengers`);
      const replay = await replayTraffic({ url, endpoint: DEMO_MODEL, rows: source.rows, features: source.features, model: model.value, concurrency: 16, clock: { column: 'date', speedup: 30 * 24 * 3600 } });
      const events = Object.entries(replay.events).map(([name, count]) => `${name} ${count.toLocaleString('en-US')}`).join(', ');
      log(`stage 8: ${replay.requests.toLocaleString('en-US')} requests in ${replay.seconds.toFixed(1)} s (${Math.round(replay.requestsPerSecond).toLocaleString('en-US')}/s): control ${replay.arms.control ?? 0}, treatment ${replay.arms.treatment ?? 0}; passengers' events: ${events}`);
    } finally {
      await app.close();
    }
  }
  const result = await analyzeStoredExperiment(workspace, engine, spec, DEMO_EXPERIMENT, context);
  const primary = result.analysis.metrics.find((metric) => metric.role === 'primary');
  const comparison = primary?.comparisons[0];
  if (comparison !== undefined && comparison.degeneracy === null) {
    const [lower, upper] = comparison.interval;
    log(`stage 8: ${primary?.id}: control ${comparison.controlEstimate.toFixed(4)}, treatment ${comparison.treatmentEstimate.toFixed(4)}, effect ${formatEffect(comparison.effect.estimate, comparison.effect.scale, true)} [${formatEffect(lower, comparison.effect.scale, true)}, ${formatEffect(upper, comparison.effect.scale, true)}] (sequential, valid at every look)`);
  }
  for (const decision of result.analysis.decisions) log(`stage 8: decision for ${decision.arm}: ${decision.decision}. ${decision.reasons[0] ?? ''}`);
}
