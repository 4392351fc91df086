/**
 * Rollout scenarios driven by the traffic simulator through a real prediction service (seeded):
 *   - a good candidate advances through every step and becomes the champion;
 *   - a candidate worse in one region passes the step without it, fails the step that reaches it, and is
 *     rolled back with the region named; traffic returns to the baseline and the owner's webhook tag is set;
 *   - a slow candidate is rolled back on health (p99 latency over the plan's limit);
 *   - a decision rate over the limit stops the rollout;
 *   - an inconclusive step waits, then pauses past its deadline instead of advancing;
 *   - a restarted process resumes the same state, and a stale transition is refused.
 */
import { writeFileSync } from 'node:fs';
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
import { flightRows, servedWorkspace } from './support/served-workspace.js';

const SPEC = `name: rollout-test
customerProblem: late passengers
businessProblem: rebookings cost money
task: binary
target: { column: delayed, positive: 1 }
randomizationUnit: passenger_id
segments:
  - { name: origin, column: origin, description: departure airport }
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
    ],
  });
  if (model.value === undefined) throw new Error(JSON.stringify(model.issues));
  return model.value;
}

let batch = 0;
async function traffic(url: string, rebookedByCandidate: string, rows = 3000): Promise<Record<string, number>> {
  batch += 1;
  const { rows: generated, labels } = flightRows(rows, 100 + batch);
  const replayRows = generated.map((row, index) => ({ ...row, delayed: labels[index], passenger_id: `b${batch}-p${index}` }));
  await new Promise((resolve) => setTimeout(resolve, 100)); // a service poll: the step's routing is live
  const result = await replayTraffic({ url, endpoint: 'delays', rows: replayRows, features: ['distance', 'hour', 'origin'], model: passengers(rebookedByCandidate), concurrency: 16 });
  return result.arms;
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
    expect((await s.workspace.registry.findVersion('delays', 2))?.tags[ROLLOUT_TAG]).toMatch(/rolled back: .*ORD/);
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
    } finally {
      await reopened.close();
    }
  }, 120_000);
});
