/**
 * Rollout scenarios driven by the traffic simulator through a real prediction service (seeded):
 *   - a good candidate advances through every step and becomes the champion;
 *   - a candidate worse in one region passes the step without it, fails the step that reaches it, and is
 *     rolled back with the region named; traffic returns to the baseline and the owner's webhook tag is set;
 *   - a slow candidate is rolled back on health (p99 latency over the plan's limit);
 *   - a decision rate over the limit stops the rollout;
 *   - an inconclusive step waits, then pauses past its deadline instead of advancing;
 *   - a candidate that fails on live requests (it expects an input clients do not send) is rolled back on
 *     its error rate, each failure logged as an error event beside its exposure;
 *   - a false-alarm rate over the spec's limit, on labels that arrive as outcome events, stops the rollout;
 *     a plan that re-chooses the threshold on recent outcomes says so and the next step passes that gate;
 *   - a shadow step reports both models' ROC AUC once labels arrive;
 *   - a restarted process resumes the same state, and a stale transition is refused; a rollback cut short
 *     after its state change is finished (routing stopped, owner alerted) by the next tick.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { validateResponseModel } from '../src/experiment/response-model.js';
import { replayTraffic } from '../src/experiment/simulate-traffic.js';
import { loadSpec, requireValidSpec } from '../src/problem/load-spec.js';
import { validateRolloutPlan, type RolloutPlan } from '../src/rollout/rollout-plan.js';
import { moveRollout, ROLLOUT_TAG, startRollout, tickRollout } from '../src/rollout/rollout.js';
import { buildPredictionService } from '../src/serve/prediction-service.js';
import { DECISION_THRESHOLD_TAG } from '../src/serve/served-models.js';
import { setModelTag } from '../src/tracking/registry/register-model.js';
import { openDuckDb } from '../src/store/duckdb/engine.js';
import { openWorkspace, type Workspace } from '../src/store/workspace.js';
import { serializeModel } from '../src/models/model-format.js';
import { registerModel } from '../src/tracking/registry/register-model.js';
import { startRun } from '../src/tracking/start-run.js';
import { rocAucScore } from '../src/metrics/roc-auc.js';
import { flightModel, flightRows, servedWorkspace } from './support/served-workspace.js';

const SPEC = `name: rollout-test
customerProblem: late passengers
businessProblem: rebookings cost money
task: binary
target: { column: delayed, positive: 1 }
randomizationUnit: passenger_id
segments:
  - { name: origin, column: origin, description: departure airport }
stakeholders:
  - { name: Sam Lee, email: sam@example.com, roles: [data-scientist] }
owners:
  model: { owner: Sam Lee, onCall: sam@example.com }
successMetrics:
  - { id: rebooked, description: r, kind: proportion, source: { event: rebooked_before_gate }, direction: increase, minimumDetectableEffect: { relative: 0.05 }, role: primary }
  - { id: muted, description: m, kind: proportion, source: { event: alerts_muted }, direction: decrease, minimumDetectableEffect: { absolute: 0.01 }, role: guardrail, nonInferiorityMargin: 1 }
`;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  workspace: Workspace;
  url: string;
  app: FastifyInstance;
  context: { actor: string; now: () => Date };
  root: string;
}

async function setup(): Promise<Setup> {
  const served = await servedWorkspace();
  cleanups.push(() => served.remove());
  writeFileSync(path.join(served.root, 'mlcycle.yaml'), SPEC);
  const context = { actor: 'tester', now: () => new Date() };
  const workspace = await openWorkspace(served.root, context);
  // The candidate decides too (at the threshold a version is loaded with), so its decision rate is gated.
  await setModelTag(workspace, { model: 'delays', version: 2 }, DECISION_THRESHOLD_TAG, '0.3', context);
  const app = await buildPredictionService(workspace, { followMs: 20 }, 'test');
  app.log.level = 'silent';
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(async () => {
    await app.close();
    await workspace.close();
  });
  return { workspace, url, app, context, root: served.root };
}

function plan(overrides: Record<string, unknown> = {}): RolloutPlan {
  const result = validateRolloutPlan({
    endpoint: 'delays',
    candidate: 'delays@challenger',
    baseline: 'delays@champion',
    steps: [
      { name: 'east-half', share: 0.5, segments: { origin: ['ATL', 'BOS'] }, minUnits: 500 },
      { name: 'everywhere-half', share: 0.5, minUnits: 500 },
      { name: 'everywhere', share: 1 },
    ],
    ...overrides,
  });
  if (result.value === undefined) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

/** Simulated passengers: `rebooked` depends on the side and, for a bad candidate, on the region. */
function passengers(rebookedByCandidate: string) {
  const model = validateResponseModel({
    label: 'delayed',
    segment: 'origin',
    unit: 'passenger_id',
    seed: 4,
    events: [
      { name: 'rebooked_before_gate', probability: `if(arm == "candidate", ${rebookedByCandidate}, 0.2)` },
      { name: 'alerts_muted', probability: 0.2 },
      // The true label arrives later as an outcome named after the spec's target column.
      { name: 'delayed', value: 'label', delayMinutes: 60 },
    ],
  });
  if (model.value === undefined) throw new Error(JSON.stringify(model.issues));
  return model.value;
}

let batch = 0;
async function traffic(url: string, rebookedByCandidate: string, rows = 3000, onFailure: 'throw' | 'count' = 'throw'): Promise<Record<string, number>> {
  batch += 1;
  const { rows: generated, labels } = flightRows(rows, 100 + batch);
  const replayRows = generated.map((row, index) => ({ ...row, delayed: labels[index], passenger_id: `b${batch}-p${index}` }));
  await new Promise((resolve) => setTimeout(resolve, 100)); // a service poll: the step's routing is live
  const result = await replayTraffic({ url, endpoint: 'delays', rows: replayRows, features: ['distance', 'hour', 'origin'], model: passengers(rebookedByCandidate), concurrency: 16, onFailure });
  return { ...result.arms, ...Object.fromEntries(Object.entries(result.failed).map(([status, count]) => [`failed ${status}`, count])) };
}

/** Registers `delays/3`: trees like the others that expect a `load_factor` input no client sends. */
async function registerFailingCandidate(s: Setup): Promise<void> {
  const model = flightModel(10);
  model.features = model.features.map((feature) => (feature.name === 'distance' ? { ...feature, name: 'load_factor' } : feature));
  const file = path.join(s.root, 'model-3.json');
  writeFileSync(file, serializeModel(model));
  const run = await startRun({ experiment: 'delays', name: 'gbdt-3', workspace: s.workspace, context: s.context, gitCommit: false, command: false });
  await run.logArtifact(file, 'model');
  await run.end();
  await registerModel(s.workspace, { name: 'delays', run: run.id, path: 'model/model-3.json' }, s.context);
}

async function tick(s: Setup, name: string) {
  const spec = requireValidSpec(await loadSpec(s.workspace.specFile));
  const engine = await openDuckDb();
  try {
    return await tickRollout(s.workspace, engine, spec, name, s.context);
  } finally {
    await engine.close();
  }
}

async function startWithEngine(s: Setup, spec: Awaited<ReturnType<typeof requireValidSpec>>, name: string, rolloutPlan: RolloutPlan) {
  const engine = await openDuckDb();
  try {
    return await startRollout(s.workspace, spec, name, rolloutPlan, s.context, engine);
  } finally {
    await engine.close();
  }
}

describe('rollouts', () => {
  it('a good candidate advances through every step and becomes the champion', async () => {
    const s = await setup();
    const spec = requireValidSpec(await loadSpec(s.workspace.specFile));
    await startRollout(s.workspace, spec, 'good', plan(), s.context);
    const first = await traffic(s.url, '0.45');
    expect(first.candidate).toBeGreaterThan(200);
    expect((await tick(s, 'good')).action).toBe('advanced');
    await traffic(s.url, '0.45');
    expect((await tick(s, 'good')).action).toBe('advanced');
    const last = await tick(s, 'good');
    expect(last.action).toBe('completed');
    expect((await s.workspace.registry.findModel('delays'))?.aliases.champion).toBe(2);
    const record = await s.workspace.rollouts.find('good');
    expect(record?.history.map((entry) => entry.action)).toEqual(['started', 'advanced', 'advanced', 'completed']);
    expect((await s.workspace.audit.list({ actionPrefix: 'rollout.' })).map((entry) => entry.action).reverse()).toEqual(['rollout.started', 'rollout.advanced', 'rollout.advanced', 'rollout.completed']);
  }, 120_000);

  it('a candidate worse in one region is rolled back at the step that reaches it, naming the region', async () => {
    const s = await setup();
    const spec = requireValidSpec(await loadSpec(s.workspace.specFile));
    await startRollout(s.workspace, spec, 'regional', plan(), s.context);
    const worseInOrd = 'if(segment == "ORD", 0.02, 0.3)';
    await traffic(s.url, worseInOrd);
    expect((await tick(s, 'regional')).action).toBe('advanced');
    await traffic(s.url, worseInOrd, 4000);
    const result = await tick(s, 'regional');
    expect(result.action).toBe('rolled-back');
    expect(result.reason).toMatch(/segment ORD/);
    expect((await s.workspace.rollouts.find('regional'))?.state).toBe('rolled-back');
    expect((await s.workspace.registry.findVersion('delays', 2))?.tags[ROLLOUT_TAG]).toMatch(/^rolled back: .*ORD.* \(owner: Sam Lee, on call sam@example\.com\)$/);
    // Traffic is back on the baseline: no unit is routed to an arm any more.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answer = await fetch(`${s.url}/api/v1/predict/delays`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ unit: 'someone', row: { distance: 500, hour: 9, origin: 'ORD' } }) }).then((response) => response.json() as Promise<{ arm?: string; version: number }>);
    expect(answer.arm).toBeUndefined();
    expect(answer.version).toBe(1);
    expect((await s.workspace.registry.findModel('delays'))?.aliases.champion).toBe(1);
  }, 120_000);

  it('rolls back on health and on the decision rate, and pauses an inconclusive step past its deadline', async () => {
    const s = await setup();
    const spec = requireValidSpec(await loadSpec(s.workspace.specFile));
    await startRollout(s.workspace, spec, 'slow', plan({ gates: { alpha: 0.05, maxP99Ms: 0.000001 } }), s.context);
    await traffic(s.url, '0.45', 1500);
    const slow = await tick(s, 'slow');
    expect(slow.action).toBe('rolled-back');
    expect(slow.reason).toMatch(/p99 latency/);

    await startRollout(s.workspace, spec, 'alerts', plan({ gates: { alpha: 0.05, maxDecisionRate: 0.0001 } }), s.context);
    await traffic(s.url, '0.45', 1500);
    const alerting = await tick(s, 'alerts');
    expect(alerting.action, alerting.reason).toBe('rolled-back');
    expect(alerting.reason).toMatch(/decision rate/);

    // Score drift needs the candidate's offline evaluation: without one the step waits and says so.
    await startRollout(s.workspace, spec, 'drifty', plan({ gates: { alpha: 0.05, maxScoreDrift: 0.25 } }), s.context);
    await traffic(s.url, '0.45', 600);
    const drifty = await tick(s, 'drifty');
    expect(drifty.gates.find((gate) => gate.gate === 'score drift')).toEqual({ gate: 'score drift', status: 'wait', detail: 'models:/delays/2 has no offline evaluation to compare its live scores with (mlcycle evaluate)' });
    await moveRollout(s.workspace, spec, 'drifty', 'rollback', s.context);

    await startRollout(s.workspace, spec, 'unsure', plan({ inconclusiveDeadlineMinutes: 30, steps: [{ name: 'canary', share: 0.5, minMinutes: 0, minUnits: 100_000 }, { name: 'all', share: 1, minMinutes: 0, minUnits: 0 }] }), s.context);
    await traffic(s.url, '0.2', 600);
    const waiting = await tick(s, 'unsure');
    expect(waiting.action).toBe('waiting');
    expect(waiting.reason).toMatch(/sample: .* of at least 100000 units/);
    const later = { ...s, context: { actor: 'tester', now: () => new Date(Date.now() + 31 * 60_000) } };
    expect((await tick(later, 'unsure')).action).toBe('paused');
    expect((await s.workspace.rollouts.find('unsure'))?.step).toBe(0);
    await moveRollout(s.workspace, spec, 'unsure', 'resume', s.context);
    expect((await s.workspace.rollouts.find('unsure'))?.state).toBe('running');
  }, 120_000);

  it('a shadow step scores traffic without acting, compares the two models and gates on agreement', async () => {
    const s = await setup();
    const spec = requireValidSpec(await loadSpec(s.workspace.specFile));
    const shadowPlan = plan({
      steps: [
        { name: 'shadow', share: 0, shadow: true, minUnits: 500 },
        { name: 'half', share: 0.5 },
      ],
      gates: { alpha: 0.05, minShadowAgreement: 0.5, maxShadowScoreShift: 0.99 },
    });
    await startRollout(s.workspace, spec, 'shadowed', shadowPlan, s.context);
    const arms = await traffic(s.url, '0.45', 1000);
    // Nobody is served by the candidate: every request in scope is answered by the baseline.
    expect(arms).toEqual({ baseline: 1000 });
    const engine = await openDuckDb();
    try {
      const { compareShadow, experimentOf } = await import('../src/rollout/rollout.js');
      const comparison = await compareShadow(engine, s.workspace, experimentOf('shadowed'), 1);
      expect(comparison.requests).toBe(1000);
      expect(comparison.agreement).toBeGreaterThan(0.5);
      expect(comparison.agreement).toBeLessThan(1);
      expect(comparison.scoreShift).toBeGreaterThan(0);
      expect(comparison.actingMeanScore).not.toBe(comparison.shadowMeanScore);
      // Once labels arrive, both models' ROC AUC on the shadowed requests, checked against the log's rows.
      const labelled = await compareShadow(engine, s.workspace, experimentOf('shadowed'), 1, 'delayed');
      expect(labelled.labelled).toBe(1000);
      const { labelledPredictions } = await import('../src/rollout/live-outcomes.js');
      const acting = await labelledPredictions(engine, s.workspace, { experiment: experimentOf('shadowed'), phase: 1 }, 'delayed');
      const shadowed = await labelledPredictions(engine, s.workspace, { experiment: experimentOf('shadowed'), phase: 1, shadow: true }, 'delayed');
      expect(labelled.actingAuc).toBe(rocAucScore(acting.labels, acting.scores));
      expect(labelled.shadowAuc).toBe(rocAucScore(shadowed.labels, shadowed.scores));
      expect(labelled.actingAuc).toBeGreaterThan(0.55);
      expect(labelled.shadowAuc).toBeGreaterThan(0.55);
    } finally {
      await engine.close();
    }
    const result = await tick(s, 'shadowed');
    expect(result.action, result.reason).toBe('advanced');
    expect(result.gates.find((gate) => gate.gate === 'shadow agreement')?.detail).toMatch(/1000 requests; decisions agree on \d+\.\d%/);
    const strict = plan({ steps: [{ name: 'shadow', share: 0, shadow: true }, { name: 'all', share: 1 }], gates: { alpha: 0.05, minShadowAgreement: 1 } });
    await s.workspace.experiments.stop('rollout-shadowed', s.context);
    await startRollout(s.workspace, spec, 'strict', strict, s.context);
    await traffic(s.url, '0.45', 500);
    const refused = await tick(s, 'strict');
    expect(refused.action).toBe('rolled-back');
    expect(refused.reason).toMatch(/shadow agreement/);
  }, 120_000);

  it('a candidate that fails on live requests is rolled back on its error rate', async () => {
    const s = await setup();
    await registerFailingCandidate(s);
    const spec = requireValidSpec(await loadSpec(s.workspace.specFile));
    await startRollout(s.workspace, spec, 'failing', plan({ candidate: 'delays/3' }), s.context);
    const arms = await traffic(s.url, '0.45', 1500, 'count');
    // Every request routed to the candidate failed (400: its input is missing); the baseline answered the rest.
    expect(arms['failed 400']).toBeGreaterThan(100);
    expect(arms.candidate).toBeUndefined();
    const result = await tick(s, 'failing');
    expect(result.action, result.reason).toBe('rolled-back');
    expect(result.reason).toMatch(/error rate: above its limit: 100\.00% \(\d+ of \d+ candidate requests failed; limit 1\.00%/);
    const engine = await openDuckDb();
    try {
      const relation = await s.workspace.events.relation();
      const [row] = await engine.query(`SELECT count(*)::INTEGER AS errors, count(DISTINCT name)::INTEGER AS codes, min(name) AS code FROM (${relation.sql}) WHERE type = 'error'`);
      relation.release();
      expect(row).toEqual({ errors: arms['failed 400'], codes: 1, code: 'invalid_input' });
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('a false-alarm rate over the spec\'s limit stops the rollout; re-choosing the threshold on recent outcomes says so', async () => {
    const s = await setup();
    // The spec limits false alarms to 10% of on-time flights; the candidate alerts at 0.3, far more often.
    const valueModel = `valueModel:\n  currency: USD\n  truePositive: 14\n  falsePositive: -4\n  falseNegative: -6\n  trueNegative: 0\n  maxFalsePositiveRate: 0.1\n`;
    writeFileSync(path.join(s.root, 'mlcycle.yaml'), `${readFileSync(path.join(s.root, 'mlcycle.yaml'), 'utf8')}${valueModel}`);
    const spec = requireValidSpec(await loadSpec(s.workspace.specFile));
    const steps = [
      { name: 'half', share: 0.5, minUnits: 500 },
      { name: 'everywhere', share: 1 },
    ];
    await startRollout(s.workspace, spec, 'noisy', plan({ steps }), s.context);
    await traffic(s.url, '0.45', 2000);
    const noisy = await tick(s, 'noisy');
    expect(noisy.action, noisy.reason).toBe('rolled-back');
    const gate = noisy.gates.find((each) => each.gate === 'false-alarm rate');
    expect(gate?.status).toBe('fail');
    expect(gate?.detail).toMatch(/above its limit: \d+\.\d+% \(\d+ of \d+ labelled negatives alerted \("delayed" outcomes\); limit 10\.00%/);

    // The live false-alarm rate, checked by hand from the log: the candidate's labelled negatives it alerted.
    const engine = await openDuckDb();
    try {
      const { labelledPredictions } = await import('../src/rollout/live-outcomes.js');
      const rows = await labelledPredictions(engine, s.workspace, { experiment: 'rollout-noisy', phase: 1, arm: 'candidate' }, 'delayed');
      const negatives = [...rows.labels.keys()].filter((index) => rows.labels[index] === 0);
      const alerted = negatives.filter((index) => (rows.scores[index] as number) >= 0.3).length;
      expect(gate?.detail).toContain(`(${alerted} of ${negatives.length} labelled negatives`);
    } finally {
      await engine.close();
    }

    // The same predictions seen by a performance monitor: the breach opens an incident for the model's owner.
    const monitorEngine = await openDuckDb();
    try {
      const { checkPerformance } = await import('../src/monitor/check-performance.js');
      const checked = await checkPerformance(s.workspace, monitorEngine, spec, 'delays-performance', { model: 'delays', version: 2, since: '2000-01-01T00:00:00Z', segment: 'origin' }, s.context);
      expect(checked.gates[0]).toMatchObject({ gate: 'false-alarm rate', status: 'fail' });
      expect(checked.gates[0]?.detail).toContain(gate?.detail.replace(/^above its limit: /, '').split(' (')[0] ?? 'missing');
      expect(checked.segments.reduce((sum, each) => sum + each.negatives, 0)).toBeGreaterThan(200);
      expect(checked.incident).toMatchObject({ opened: true, incident: { owner: 'Sam Lee', onCall: 'sam@example.com', severity: 'warning', state: 'open' } });
      expect((await s.workspace.registry.findVersion('delays', 2))?.tags['mlcycle.incident']).toMatch(/^incident \d+: delays-performance: models:\/delays\/2 false-alarm rate: above its limit/);
    } finally {
      await monitorEngine.close();
    }

    // Too few outcomes: the threshold is kept, and the start says why.
    const strict = await startWithEngine(s, spec, 'patient', plan({ steps, rechooseThreshold: { windowDays: 1, minOutcomes: 100_000 } }));
    expect(strict.threshold?.action).toBe('kept');
    expect(strict.history[0]?.reason).toMatch(/kept models:\/delays\/2's decision threshold 0\.3: \d+ of its predictions in the last 1 day have a "delayed" outcome, fewer than the 100000 needed/);
    await moveRollout(s.workspace, spec, 'patient', 'rollback', s.context);

    // Enough outcomes (the first rollout's): the threshold is chosen again under the limit, and the next
    // step's false alarms stay within it.
    const started = await startWithEngine(s, spec, 'retuned', plan({ steps, rechooseThreshold: { windowDays: 1, minOutcomes: 300 } }));
    expect(started.threshold?.action).toBe('rechosen');
    const chosen = started.threshold?.threshold as number;
    expect(chosen).toBeGreaterThan(0.3);
    expect(started.threshold?.falseAlarmRate).toBeLessThanOrEqual(0.1);
    expect(started.history[0]?.reason).toMatch(/re-chose models:\/delays\/2's decision threshold on its [\d,]+ labelled predictions of the last 1 day: 0\.\d{4} \(was 0\.3000\); there its false-alarm rate is 0\.\d{3} \(limit 0\.1\)/);
    expect((await s.workspace.registry.findVersion('delays', 2))?.tags[DECISION_THRESHOLD_TAG]).toBe(String(chosen));
    await new Promise((resolve) => setTimeout(resolve, 100)); // the service's registry poll picks the new threshold
    await traffic(s.url, '0.45', 2000);
    const retuned = await tick(s, 'retuned');
    expect(retuned.gates.find((each) => each.gate === 'false-alarm rate')?.status).not.toBe('fail');
  }, 120_000);

  it('a restarted process resumes the same state, and a stale transition is refused', async () => {
    const s = await setup();
    const spec = requireValidSpec(await loadSpec(s.workspace.specFile));
    await startRollout(s.workspace, spec, 'resume', plan(), s.context);
    await traffic(s.url, '0.45');
    expect((await tick(s, 'resume')).action).toBe('advanced');
    const reopened = await openWorkspace(s.root, s.context);
    try {
      const record = await reopened.rollouts.find('resume');
      expect(record).toMatchObject({ state: 'running', step: 1 });
      await expect(reopened.rollouts.transition('resume', { state: 'running', step: 0 }, { state: 'paused', step: 0 }, { action: 'paused', reason: 'stale', evidence: null }, s.context)).rejects.toThrow(/another actor moved it/);
      // A controller that died right after recording a rollback left the routing on and the owner unalerted:
      // the next tick finishes both.
      await reopened.rollouts.transition('resume', { state: 'running', step: 1 }, { state: 'rolled-back', step: 1 }, { action: 'rolled-back', reason: 'the process stopped here', evidence: null }, s.context);
      expect((await reopened.experiments.find('rollout-resume'))?.state).toBe('running');
      const settled = await tick(s, 'resume');
      expect(settled).toMatchObject({ action: 'idle', reason: "the rollout is rolled-back; finished what the rollback left undone: stopped its routing, alerted the candidate's owner" });
      expect((await s.workspace.experiments.find('rollout-resume'))?.state).toBe('stopped');
      expect((await s.workspace.registry.findVersion('delays', 2))?.tags[ROLLOUT_TAG]).toBe('rolled back: the process stopped here (owner: Sam Lee, on call sam@example.com)');
      expect((await tick(s, 'resume')).reason).toBe('the rollout is rolled-back');
    } finally {
      await reopened.close();
    }
  }, 120_000);
});
