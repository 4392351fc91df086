/**
 * The demo's stage 9: the A/B test's challenger rolled out region by region. The A/B test ends; the plan
 * (written beside the spec as rollout.yaml) first chooses the trees' alert threshold again on their
 * labelled June predictions from the A/B test (at May's threshold they raise too many false alarms in June:
 * the spec allows 20% of on-time flights), then widens them from half the South, to half the South and
 * Midwest, to half of everyone, to everyone, each step gated on the spec's success metrics per region, the
 * live false-alarm rate overall and per region, the drift of its scores from its offline evaluation, the
 * error rate and p99 latency. On June's flights the
 * trees alert on a quarter of the Northeast's on-time flights (against 14-19% elsewhere): the step that
 * reaches the Northeast stops the rollout and names it. Traffic comes in rounds of June passengers through the
 * real prediction service, each followed by one controller tick, as the server's controller would tick
 * while traffic flows; the gates of each decision are printed. On completion `@champion` moves to the
 * trees. A rerun finds the rollout and shows where it stands.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stopExperiment } from '../experiment/online-experiments.js';
import { validateResponseModel } from '../experiment/response-model.js';
import { readReplayRows } from '../experiment/simulate-source.js';
import { replayTraffic } from '../experiment/simulate-traffic.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import { parseRolloutPlan } from '../rollout/rollout-plan.js';
import { startRollout, tickRollout, type TickResult } from '../rollout/rollout.js';
import { buildPredictionService } from '../serve/prediction-service.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { Workspace } from '../store/workspace.js';
import { DEMO_EXPERIMENT, DEMO_PASSENGERS } from './ab-test-demo.js';
import { DEMO_MODEL } from './track-demo-models.js';

export const DEMO_ROLLOUT = 'trees-by-region';
/** June flights sampled per round of traffic, and how many of them are sent from inside and outside the step's scope. */
const SAMPLED_PER_ROUND = 30_000;
const IN_SCOPE_PER_ROUND = 5000;
const OUTSIDE_PER_ROUND = 500;
/** Rounds of traffic, each followed by one controller tick; a waiting step gets another round. */
const MAX_ROUNDS = 8;

export const DEMO_ROLLOUT_PLAN = `# The A/B test's winner, widened region by region (mlcycle rollout start ${DEMO_ROLLOUT} --file rollout.yaml).
description: the tuned trees replace the logistic regression, first in the South, then the South and Midwest, then everywhere
endpoint: ${DEMO_MODEL}
candidate: ${DEMO_MODEL}@challenger
baseline: ${DEMO_MODEL}@champion
# May's threshold raises too many false alarms on June's flights: choose it again on the A/B test's outcomes.
rechooseThreshold:
  windowDays: 60
  minOutcomes: 2000
  headroom: 0.02
steps:
  - name: south-half
    share: 0.5
    segments: { origin_region: [South] }
    minUnits: 2000
  - name: south-midwest-half
    share: 0.5
    segments: { origin_region: [South, Midwest] }
    minUnits: 2000
  - name: everywhere-half
    share: 0.5
    minUnits: 4000
  - name: everywhere
    share: 1
gates:
  maxP99Ms: 250
  # The trees' June scores against their May evaluation's (population stability index).
  maxScoreDrift: 0.25
  maxErrorRate: 0.01
  falseAlarmRate: spec
  minOutcomes: 200
  # Muted alerts are rare (under 1% of passengers): a step cannot show them within a 2% margin, so the
  # guardrail stops the rollout only when significantly worse.
  guardrails: no-harm
  alpha: 0.05
onFailure: rollback
inconclusiveDeadlineMinutes: 1440
`;

/** Up to `count` rows taken evenly through date-ordered rows, so that a round spans the whole month. */
function spread<T>(rows: readonly T[], count: number): T[] {
  if (rows.length <= count) return [...rows];
  return Array.from({ length: count }, (_, index) => rows[Math.floor((index * rows.length) / count)] as T);
}

function gateLines(result: TickResult): string[] {
  return result.gates.map((gate) => `stage 9:     ${gate.status.padEnd(4)} ${gate.gate}: ${gate.detail}`);
}

/** Runs (or, on a rerun, reports) the demo's rollout; logs each step's gates and the outcome. */
export async function runDemoRollout(workspace: Workspace, engine: AnalyticsEngine, spec: ProblemSpec, liveRef: string, context: ChangeContext, log: (line: string) => void): Promise<void> {
  const existing = await workspace.rollouts.find(DEMO_ROLLOUT);
  if (existing !== undefined) {
    log(`stage 9: rollout ${DEMO_ROLLOUT} is ${existing.state} at step ${existing.step + 1}; ${existing.history.at(-1)?.reason ?? ''}`);
    return;
  }
  const file = path.join(workspace.root, 'rollout.yaml');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, DEMO_ROLLOUT_PLAN);
  const plan = parseRolloutPlan(DEMO_ROLLOUT_PLAN, 'rollout.yaml', spec);
  const abTest = await workspace.experiments.find(DEMO_EXPERIMENT);
  if (abTest?.state === 'running') {
    await stopExperiment(workspace, DEMO_EXPERIMENT, context);
    log(`stage 9: the A/B test ${DEMO_EXPERIMENT} ends; its treatment (${DEMO_MODEL}@challenger) is rolled out step by step`);
  }
  const started = await startRollout(workspace, spec, DEMO_ROLLOUT, plan, context, engine);
  log(`stage 9: rollout ${DEMO_ROLLOUT} (plan ${file}): ${started.threshold?.message ?? 'threshold unchanged'}`);

  const passengers = validateResponseModel({ ...DEMO_PASSENGERS, unit: 'passenger_id' });
  if (passengers.value === undefined) throw new Error(`the demo's passenger model is invalid: ${JSON.stringify(passengers.issues)}`);
  const app = await buildPredictionService(workspace, { followMs: 100 }, '0.1.0');
  app.log.level = 'warn';
  try {
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    let round = 0;
    while (round < MAX_ROUNDS) {
      const record = await workspace.rollouts.find(DEMO_ROLLOUT);
      const step = record?.state === 'running' ? plan.steps[record.step] : undefined;
      if (record === undefined || step === undefined) break;
      round += 1;
      // A sample of June passengers, most of them inside the step's scope (the rest show that they stay
      // on the baseline), each with a passenger id of its own.
      const source = await readReplayRows(workspace, engine, spec, { dataset: liveRef, models: [`${DEMO_MODEL}@champion`, `${DEMO_MODEL}@challenger`], sample: { rows: SAMPLED_PER_ROUND, seed: 90 + round }, orderBy: 'date' });
      const regions = step.segments?.origin_region?.map(String);
      const inScope = source.rows.filter((row) => regions === undefined || regions.includes(String(row.origin_region)));
      const outside = source.rows.filter((row) => regions !== undefined && !regions.includes(String(row.origin_region)));
      const rows = [...spread(inScope, IN_SCOPE_PER_ROUND), ...spread(outside, OUTSIDE_PER_ROUND)].map((row, index) => ({ ...row, passenger_id: `rollout-${round}-${index}` }));
      // Services follow the rollout's routing within a poll: wait for one before sending the traffic.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const replay = await replayTraffic({ url, endpoint: DEMO_MODEL, rows, features: source.features, model: passengers.value, concurrency: 16 });
      const scope = regions === undefined ? 'all passengers' : regions.join(' and ');
      log(`stage 9: step ${record.step + 1} ${step.name} (${(step.share * 100).toFixed(0)}% of ${scope}): ${replay.requests.toLocaleString('en-US')} June passengers, ${(replay.arms.candidate ?? 0).toLocaleString('en-US')} on the trees, ${(replay.arms.baseline ?? 0).toLocaleString('en-US')} on the baseline, ${replay.unassigned.toLocaleString('en-US')} outside the step's scope`);
      const result = await tickRollout(workspace, engine, spec, DEMO_ROLLOUT, context);
      log(`stage 9:   ${result.action}: ${result.reason}`);
      if (result.action !== 'waiting') for (const line of gateLines(result)) log(line);
      if (result.action !== 'advanced' && result.action !== 'waiting') break;
    }
  } finally {
    await app.close();
  }
  const finished = await workspace.rollouts.find(DEMO_ROLLOUT);
  const champion = (await workspace.registry.findModel(DEMO_MODEL))?.aliases.champion;
  log(`stage 9: rollout ${DEMO_ROLLOUT} ${finished?.state ?? 'missing'}; models:/${DEMO_MODEL}/${champion ?? '?'} is @champion`);
}
