/**
 * The rollout stage: start, tick (the controller's step), advance, pause, resume, roll back.
 *
 * A running rollout routes through a managed online experiment, `rollout-NAME`, on the plan's endpoint:
 * arms `baseline` and `candidate` with weights 1 - share and share, the step's scope as targeting, and one
 * hash seed for the whole rollout. GrowthBook's bucket ranges put the candidate at [1 - share, 1), so as the
 * share grows every unit already on the candidate stays there, and widening the scope only adds units.
 * Each step is a phase of that experiment, so each step's gates read that step's exposures only.
 *
 * The gates of a step, from the analysis of its phase (baseline as control; sequential tests, valid at any
 * look): enough time and units; no sample ratio mismatch; the primary metric not significantly worse;
 * guardrails shown within their margins (a significant breach fails, not yet shown waits); no segment
 * significantly worse on a primary metric or guardrail after Holm's adjustment; the candidate's p99
 * latency and decision rate within the plan's limits (from its logged predictions). All pass: advance, or
 * complete (the `champion` alias moves to the candidate). One fails: roll back (the experiment stops, so
 * traffic returns to the baseline within one poll of the services; the owner is alerted through the
 * registry's webhooks by a tag on the candidate version, and the log) or pause, as the plan says.
 * Otherwise the step waits until its deadline, then pauses. Every transition is audited with its evidence.
 */
import { MlcycleError } from '../error.js';
import { modelUriOf } from '../evaluate/model-inputs.js';
import type { ArmComparisonResult, ExperimentAnalysis } from '../experiment/analyze-experiment.js';
import { checkExperimentDefinition, type ExperimentDefinition } from '../experiment/online-definition.js';
import { analyzeStoredExperiment, checkArmModels, createExperiment, startExperiment, stopExperiment, updateExperiment } from '../experiment/online-experiments.js';
import { holmBonferroni } from '../experiment/multiple-testing.js';
import { oneSidedConfidenceSequence } from '../experiment/sequential-one-sided.js';
import { bestThreshold, valueCurve } from '../evaluate/business-value-curve.js';
import { rocAucScore } from '../metrics/roc-auc.js';
import type { BinaryValueModel } from '../problem/spec-schema.js';
import { DECISION_THRESHOLD_TAG } from '../serve/served-models.js';
import { armRequests, armScores, labelledPredictions } from './live-outcomes.js';
import { offlineScoreBins, scorePsi } from './score-drift.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import { quoteLiteral, type AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { RolloutRecord } from '../store/rollout-store.js';
import type { Workspace } from '../store/workspace.js';
import { resolveModelUri } from '../tracking/registry/model-uri.js';
import { setModelAlias, setModelTag } from '../tracking/registry/register-model.js';
import { checkRolloutPlan, scopeExpression, type RolloutPlan, type RolloutStep } from './rollout-plan.js';

/** The tag on the candidate version that records a rollback (a registry event: webhooks deliver it). */
export const ROLLOUT_TAG = 'mlcycle.rollout';

export type GateStatus = 'pass' | 'fail' | 'wait';

export interface GateResult {
  gate: string;
  status: GateStatus;
  detail: string;
}

export interface TickResult {
  rollout: string;
  action: 'advanced' | 'completed' | 'rolled-back' | 'paused' | 'waiting' | 'idle';
  step: number;
  gates: GateResult[];
  reason: string;
}

export const experimentOf = (name: string): string => `rollout-${name}`;

/** The managed experiment's definition for a step. */
export function stepDefinition(name: string, plan: RolloutPlan, step: RolloutStep, spec: Pick<ProblemSpec, 'segments'>): ExperimentDefinition {
  const scope = scopeExpression(step, spec);
  const segment = Object.keys(step.segments ?? {})[0] ?? spec.segments[0]?.name;
  return checkExperimentDefinition(
    {
      description: `rollout ${name}: ${plan.candidate} against ${plan.baseline}, step ${step.name}`,
      endpoint: plan.endpoint,
      arms: [
        { id: 'baseline', model: plan.baseline, weight: 1 - step.share },
        { id: 'candidate', model: plan.candidate, weight: step.share },
      ],
      ...(step.shadow ? { shadow: plan.candidate } : {}),
      control: 'baseline',
      seed: experimentOf(name),
      ...(scope === undefined ? {} : { targeting: scope }),
      ...(segment === undefined ? {} : { segment }),
      sequential: true,
    },
    `rollout ${name} step ${step.name}`,
  );
}

type RolloutWorkspace = Pick<Workspace, 'experiments' | 'rollouts' | 'registry' | 'events' | 'runs' | 'artifacts' | 'webhooks' | 'evaluations'>;

/** What a start did about the candidate's decision threshold (only with `rechooseThreshold`). */
export interface ThresholdChoice {
  action: 'rechosen' | 'kept';
  previous: number | null;
  threshold: number | null;
  labelled: number;
  falseAlarmRate: number | null;
  valuePerDecision: number | null;
  message: string;
}

/**
 * The candidate's threshold chosen again on its labelled predictions of the last `windowDays`: the
 * value-maximising threshold under the spec's false-alarm limit (business-value-curve.ts, as offline
 * evaluation chooses it), or the current one kept when fewer than `minOutcomes` labels arrived or no
 * threshold meets the limit. Reads only; `startRollout` writes the tag.
 */
export async function chooseThresholdAgain(engine: AnalyticsEngine, workspace: Pick<Workspace, 'events' | 'registry'>, spec: Pick<ProblemSpec, 'valueModel' | 'target' | 'task'>, plan: RolloutPlan, now: Date): Promise<ThresholdChoice | undefined> {
  const settings = plan.rechooseThreshold;
  if (settings === undefined) return undefined;
  if (spec.task !== 'binary' || spec.valueModel === undefined) {
    throw new MlcycleError('invalid_input', 'rechooseThreshold needs a binary task with a valueModel in mlcycle.yaml', { issues: [{ path: 'rechooseThreshold', message: 'the spec has no binary valueModel to choose by' }] });
  }
  const version = await resolveModelUri(workspace.registry, modelUriOf(plan.candidate));
  const tagged = Number(version.tags[DECISION_THRESHOLD_TAG]);
  const previous = version.tags[DECISION_THRESHOLD_TAG] !== undefined && Number.isFinite(tagged) ? tagged : null;
  const since = new Date(now.getTime() - settings.windowDays * 86_400_000).toISOString();
  const labelEvent = plan.gates.labelEvent ?? spec.target.column;
  const rows = await labelledPredictions(engine, workspace, { model: version.model, version: version.version, since }, labelEvent);
  const uri = `models:/${version.model}/${version.version}`;
  const window = `the last ${settings.windowDays} day${settings.windowDays === 1 ? '' : 's'}`;
  const kept = (why: string): ThresholdChoice => ({ action: 'kept', previous, threshold: previous, labelled: rows.labels.length, falseAlarmRate: null, valuePerDecision: null, message: `kept ${uri}'s decision threshold ${previous ?? '(none)'}: ${why}` });
  if (rows.labels.length < settings.minOutcomes) return kept(`${rows.labels.length} of its predictions in ${window} have a "${labelEvent}" outcome, fewer than the ${settings.minOutcomes} needed to choose again`);
  const valueModel = spec.valueModel as BinaryValueModel;
  const ceiling = valueModel.maxFalsePositiveRate === undefined ? undefined : valueModel.maxFalsePositiveRate - settings.headroom;
  if (ceiling !== undefined && ceiling <= 0) return kept(`the headroom ${settings.headroom} leaves no false-alarm rate under the limit ${valueModel.maxFalsePositiveRate}`);
  const best = bestThreshold(valueCurve(rows.scores, rows.labels, valueModel), ceiling === undefined ? {} : { maxFalsePositiveRate: ceiling });
  if (!best.found) return kept(best.reason);
  const { point } = best;
  const limit = valueModel.maxFalsePositiveRate === undefined ? '' : ` (limit ${valueModel.maxFalsePositiveRate}${settings.headroom > 0 ? `, chosen under ${Number(ceiling?.toFixed(6))}` : ''})`;
  return {
    action: 'rechosen',
    previous,
    threshold: point.threshold,
    labelled: rows.labels.length,
    falseAlarmRate: point.falsePositiveRate,
    valuePerDecision: point.valuePerDecision,
    message: `re-chose ${uri}'s decision threshold on its ${rows.labels.length.toLocaleString('en-US')} labelled predictions of ${window}: ${point.threshold.toFixed(4)} (was ${previous === null ? 'none' : previous.toFixed(4)}); there its false-alarm rate is ${point.falsePositiveRate.toFixed(3)}${limit} and its value ${point.valuePerDecision.toFixed(3)} ${valueModel.currency} per decision`,
  };
}

/**
 * Starts a rollout at its first step: validates, chooses the candidate's threshold again when the plan
 * asks (recorded as the start's reason), records, and starts routing. Everything is checked before the
 * first write.
 */
export async function startRollout(
  workspace: Workspace,
  spec: Pick<ProblemSpec, 'segments'> & Partial<Pick<ProblemSpec, 'valueModel' | 'target' | 'task'>>,
  name: string,
  plan: RolloutPlan,
  context: ChangeContext,
  engine?: AnalyticsEngine,
): Promise<RolloutRecord & { threshold?: ThresholdChoice }> {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,100}$/.test(name)) throw new MlcycleError('invalid_input', `rollout name "${name.slice(0, 80)}": use letters, digits, _, . and -, starting with a letter or _`);
  if ((await workspace.rollouts.find(name)) !== undefined) throw new MlcycleError('conflict', `a rollout named "${name}" exists already`);
  const first = stepDefinition(name, plan, plan.steps[0] as RolloutStep, spec);
  await checkArmModels(workspace.registry, first);
  const experiment = experimentOf(name);
  if ((await workspace.experiments.find(experiment)) !== undefined) throw new MlcycleError('conflict', `an experiment named "${experiment}" exists already; the rollout needs that name`);
  let threshold: ThresholdChoice | undefined;
  if (plan.rechooseThreshold !== undefined) {
    if (engine === undefined || spec.target === undefined || spec.task === undefined) throw new MlcycleError('invalid_input', 'rechooseThreshold needs the spec and the event log', { issues: [{ path: 'rechooseThreshold', message: 'not available here' }] });
    threshold = await chooseThresholdAgain(engine, workspace, { target: spec.target, task: spec.task, ...(spec.valueModel === undefined ? {} : { valueModel: spec.valueModel }) }, plan, context.now());
  }
  if (threshold?.action === 'rechosen' && threshold.threshold !== null) {
    const version = await resolveModelUri(workspace.registry, modelUriOf(plan.candidate));
    await setModelTag(workspace, { model: version.model, version: version.version }, DECISION_THRESHOLD_TAG, String(threshold.threshold), context);
  }
  await createExperiment(workspace, experiment, first, context);
  await startExperiment(workspace, experiment, context);
  const record = await workspace.rollouts.create(name, plan, threshold === undefined ? context : { ...context, reason: `started; ${threshold.message}` });
  return threshold === undefined ? record : { ...record, threshold };
}

async function latencyAndDecisions(engine: AnalyticsEngine, workspace: RolloutWorkspace, experiment: string, phase: number): Promise<{ p99: number | null; decisionRate: number | null; predictions: number }> {
  const relation = await workspace.events.relation();
  try {
    const [row] = await engine.query(
      `WITH exposed AS (SELECT request_id FROM (${relation.sql}) WHERE type = 'exposure' AND experiment = ${quoteLiteral(experiment)} AND phase = ${Math.trunc(phase)} AND arm = 'candidate')
SELECT count(*)::DOUBLE AS n, quantile_cont(p.latency_ms, 0.99) AS p99, avg(p.decision) AS decisions
FROM (${relation.sql}) p JOIN exposed e ON p.request_id = e.request_id WHERE p.type = 'prediction'`,
    );
    return { predictions: Number(row?.n ?? 0), p99: row?.p99 === null || row?.p99 === undefined ? null : Number(row.p99), decisionRate: row?.decisions === null || row?.decisions === undefined ? null : Number(row.decisions) };
  } finally {
    relation.release();
  }
}

function harmful(direction: string, estimate: number): boolean {
  return direction === 'increase' ? estimate < 0 : estimate > 0;
}

export interface ShadowComparison {
  requests: number;
  /** The share of requests on which both models decided alike (null without decisions). */
  agreement: number | null;
  actingMeanScore: number | null;
  shadowMeanScore: number | null;
  /** The two-sample Kolmogorov-Smirnov distance between the two models' scores on the same requests. */
  scoreShift: number | null;
  /** Once labels arrive: the shadowed requests with a label, and each model's ROC AUC on them. */
  labelled: number;
  actingAuc: number | null;
  shadowAuc: number | null;
}

/**
 * The shadow model's predictions beside the acting model's, on the requests of one experiment phase; with
 * `labelEvent`, also both models' ROC AUC on the requests whose label has arrived.
 */
export async function compareShadow(engine: AnalyticsEngine, workspace: Pick<Workspace, 'events'>, experiment: string, phase: number, labelEvent?: string): Promise<ShadowComparison> {
  const offline = await shadowAucs(engine, workspace, experiment, phase, labelEvent);
  const relation = await workspace.events.relation();
  try {
    const pairs = `WITH exposed AS (SELECT DISTINCT request_id FROM (${relation.sql}) WHERE type = 'exposure' AND experiment = ${quoteLiteral(experiment)} AND phase = ${Math.trunc(phase)}),
acting AS (SELECT request_id, score, decision FROM (${relation.sql}) WHERE type = 'prediction' AND (name IS NULL OR name <> 'shadow')),
shadow AS (SELECT request_id, score, decision FROM (${relation.sql}) WHERE type = 'prediction' AND name = 'shadow'),
pairs AS (SELECT a.score AS acting, s.score AS shadow, a.decision AS acting_decision, s.decision AS shadow_decision FROM exposed e JOIN acting a USING (request_id) JOIN shadow s USING (request_id))`;
    const [summary] = await engine.query(`${pairs}
SELECT count(*)::DOUBLE AS n, avg(CASE WHEN acting_decision IS NULL OR shadow_decision IS NULL THEN NULL WHEN acting_decision = shadow_decision THEN 1.0 ELSE 0.0 END) AS agreement, avg(acting) AS acting_mean, avg(shadow) AS shadow_mean FROM pairs`);
    const [shift] = await engine.query(`${pairs},
scores AS (SELECT acting AS v, 1.0 AS a, 0.0 AS s FROM pairs UNION ALL SELECT shadow, 0.0, 1.0 FROM pairs),
steps AS (SELECT v, sum(a) OVER w / (SELECT count(*) FROM pairs) AS fa, sum(s) OVER w / (SELECT count(*) FROM pairs) AS fs FROM scores WINDOW w AS (ORDER BY v RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
SELECT max(abs(fa - fs)) AS d FROM steps`);
    const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
    return { requests: Number(summary?.n ?? 0), agreement: number(summary?.agreement), actingMeanScore: number(summary?.acting_mean), shadowMeanScore: number(summary?.shadow_mean), scoreShift: number(shift?.d), ...offline };
  } finally {
    relation.release();
  }
}

async function shadowAucs(engine: AnalyticsEngine, workspace: Pick<Workspace, 'events'>, experiment: string, phase: number, labelEvent: string | undefined): Promise<Pick<ShadowComparison, 'labelled' | 'actingAuc' | 'shadowAuc'>> {
  if (labelEvent === undefined) return { labelled: 0, actingAuc: null, shadowAuc: null };
  // One after the other: an engine runs one query at a time.
  const acting = await labelledPredictions(engine, workspace, { experiment, phase }, labelEvent);
  const shadow = await labelledPredictions(engine, workspace, { experiment, phase, shadow: true }, labelEvent);
  const auc = (rows: { labels: Float64Array; scores: Float64Array }) => {
    const positives = rows.labels.reduce((sum, label) => sum + label, 0);
    return positives === 0 || positives === rows.labels.length ? null : rocAucScore(rows.labels, rows.scores);
  };
  return { labelled: Math.min(acting.labels.length, shadow.labels.length), actingAuc: auc(acting), shadowAuc: auc(shadow) };
}

function shadowGates(comparison: ShadowComparison, plan: RolloutPlan): GateResult[] {
  if (comparison.requests === 0) return [{ gate: 'shadow', status: 'wait', detail: 'no shadowed requests yet' }];
  const gates: GateResult[] = [];
  const labelled = comparison.labelled === 0 ? '' : `; on ${comparison.labelled} labelled requests ROC AUC ${comparison.actingAuc?.toFixed(4) ?? 'n/a'} acting, ${comparison.shadowAuc?.toFixed(4) ?? 'n/a'} shadow`;
  const detail = `${comparison.requests} requests; decisions agree on ${comparison.agreement === null ? 'n/a' : `${(comparison.agreement * 100).toFixed(1)}%`}; mean score ${comparison.actingMeanScore?.toFixed(4) ?? 'n/a'} acting, ${comparison.shadowMeanScore?.toFixed(4) ?? 'n/a'} shadow; score shift (KS) ${comparison.scoreShift?.toFixed(4) ?? 'n/a'}${labelled}`;
  const { minShadowAgreement, maxShadowScoreShift } = plan.gates;
  if (minShadowAgreement !== undefined) gates.push({ gate: 'shadow agreement', status: comparison.agreement === null ? 'wait' : comparison.agreement >= minShadowAgreement ? 'pass' : 'fail', detail: `${detail} (at least ${(minShadowAgreement * 100).toFixed(1)}% required)` });
  if (maxShadowScoreShift !== undefined) gates.push({ gate: 'shadow score shift', status: comparison.scoreShift === null ? 'wait' : comparison.scoreShift <= maxShadowScoreShift ? 'pass' : 'fail', detail: `${detail} (at most ${maxShadowScoreShift} allowed)` });
  if (gates.length === 0) gates.push({ gate: 'shadow', status: 'pass', detail });
  return gates;
}

/**
 * A rate held to a limit (the candidate's error rate, its false-alarm rate), safe to check at every look:
 * it fails once the one-sided always-valid test shows the rate above the limit (the confidence sequence
 * the A/B engine uses, sequential-one-sided.ts, with the binomial variance at the limit, as a score test
 * takes it), passes while the estimate is at or under the limit, and waits in between or below `minTotal`
 * observations.
 */
export function rateGate(gate: string, events: number, total: number, limit: number, alpha: number, minTotal: number, what: string): GateResult {
  if (total < minTotal || total === 0) return { gate, status: 'wait', detail: `${total} of at least ${Math.max(1, minTotal)} ${what}` };
  const estimate = events / total;
  const pValue = rateAboveLimitPValue(events, total, limit, alpha);
  const detail = `${(estimate * 100).toFixed(2)}% (${events} of ${total} ${what}; limit ${(limit * 100).toFixed(2)}%, always-valid p = ${pValue.toPrecision(2)} that it is above)`;
  if (pValue < alpha) return { gate, status: 'fail', detail: `above its limit: ${detail}` };
  return { gate, status: estimate <= limit ? 'pass' : 'wait', detail };
}

/** The always-valid p-value against "the rate is at most the limit" (see `rateGate`). */
function rateAboveLimitPValue(events: number, total: number, limit: number, alpha: number): number {
  return oneSidedConfidenceSequence({ scale: 'absolute', estimate: events / total, standardError: Math.sqrt((limit * (1 - limit)) / total) }, total, alpha, 'greater', { nullValue: limit }).pValue;
}

/** Labelled negatives a segment needs before its false-alarm rate is tested on its own. */
const MIN_SEGMENT_NEGATIVES = 50;

/**
 * The false-alarm rate of each segment of the step's scope against the limit, Holm-adjusted over the
 * segments tested: a segment shown above the limit fails the step (a region where the model does not
 * generalise), even when the scope's rate as a whole is within it.
 */
export function segmentFalseAlarmGates(counts: ReadonlyMap<string, { negatives: number; falseAlarms: number }>, limit: number, alpha: number): GateResult[] {
  const tested = [...counts].filter(([, count]) => count.negatives >= MIN_SEGMENT_NEGATIVES);
  if (tested.length < 2) return [];
  const adjusted = holmBonferroni(tested.map(([, count]) => rateAboveLimitPValue(count.falseAlarms, count.negatives, limit, alpha)));
  return tested.flatMap(([segment, count], index) => {
    const pValue = adjusted[index] as number;
    if (pValue >= alpha) return [];
    const rate = count.falseAlarms / count.negatives;
    return [{ gate: `false-alarm rate in ${segment}`, status: 'fail' as const, detail: `above the limit in ${segment}: ${(rate * 100).toFixed(2)}% (${count.falseAlarms} of ${count.negatives} labelled negatives alerted; limit ${(limit * 100).toFixed(2)}%, Holm-adjusted always-valid p = ${pValue.toPrecision(2)} over ${tested.length} segments)` }];
  });
}

/** The spec's false-alarm limit, `valueModel.maxFalsePositiveRate`, when it has one. */
export function specFalseAlarmLimit(spec: Pick<ProblemSpec, 'valueModel'>): number | undefined {
  return (spec.valueModel as { maxFalsePositiveRate?: number } | undefined)?.maxFalsePositiveRate;
}

/** The false-alarm limit a plan gates on: its own, the spec's, or none. */
export function falseAlarmLimit(plan: RolloutPlan, spec: Pick<ProblemSpec, 'valueModel'>): number | undefined {
  const setting = plan.gates.falseAlarmRate;
  if (setting === 'off') return undefined;
  if (typeof setting === 'number') return setting;
  return specFalseAlarmLimit(spec);
}

/** The model- and service-health gates of a serving step: error rate and false-alarm rate of the candidate. */
async function candidateHealthGates(engine: AnalyticsEngine, workspace: RolloutWorkspace, spec: Pick<ProblemSpec, 'valueModel' | 'target' | 'segments'>, plan: RolloutPlan, step: RolloutStep, experiment: string, phase: number): Promise<GateResult[]> {
  const requests = await armRequests(engine, workspace, experiment, phase, 'candidate');
  const total = requests.answered + requests.failed;
  const gates: GateResult[] = [
    total === 0
      ? { gate: 'error rate', status: 'pass', detail: 'no candidate requests in this step yet' }
      : rateGate('error rate', requests.failed, total, plan.gates.maxErrorRate, plan.gates.alpha, 1, 'candidate requests failed'),
  ];
  if (plan.gates.maxScoreDrift !== undefined) gates.push(await scoreDriftGate(engine, workspace, plan, plan.gates.maxScoreDrift, experiment, phase));
  const limit = falseAlarmLimit(plan, spec);
  if (limit === undefined) return gates;
  const labelEvent = plan.gates.labelEvent ?? spec.target.column;
  const segmentName = Object.keys(step.segments ?? {})[0] ?? spec.segments[0]?.name;
  const segmentColumn = spec.segments.find((segment) => segment.name === segmentName)?.column;
  const labelled = await labelledPredictions(engine, workspace, { experiment, phase, arm: 'candidate' }, labelEvent, segmentColumn);
  let negatives = 0;
  let falseAlarms = 0;
  let undecided = 0;
  const bySegment = new Map<string, { negatives: number; falseAlarms: number }>();
  labelled.labels.forEach((label, index) => {
    if (label !== 0) return;
    const decision = labelled.decisions[index] as number;
    if (Number.isNaN(decision)) undecided += 1;
    negatives += 1;
    if (decision === 1) falseAlarms += 1;
    const segment = labelled.segments[index];
    if (segment === null || segment === undefined) return;
    const count = bySegment.get(segment) ?? { negatives: 0, falseAlarms: 0 };
    count.negatives += 1;
    if (decision === 1) count.falseAlarms += 1;
    bySegment.set(segment, count);
  });
  if (negatives > 0 && undecided === negatives) {
    gates.push({ gate: 'false-alarm rate', status: 'pass', detail: 'the candidate takes no decisions (it has no decision threshold): it sends no alarm' });
    return gates;
  }
  gates.push(rateGate('false-alarm rate', falseAlarms, negatives, limit, plan.gates.alpha, plan.gates.minOutcomes, `labelled negatives alerted ("${labelEvent}" outcomes)`));
  gates.push(...segmentFalseAlarmGates(bySegment, limit, plan.gates.alpha));
  return gates;
}

/** The candidate's live scores in this step against its offline evaluation's (score-drift.ts). */
async function scoreDriftGate(engine: AnalyticsEngine, workspace: RolloutWorkspace, plan: RolloutPlan, limit: number, experiment: string, phase: number): Promise<GateResult> {
  const gate = 'score drift';
  const version = await resolveModelUri(workspace.registry, modelUriOf(plan.candidate));
  const offline = await offlineScoreBins(workspace, version.model, version.version);
  if (offline === undefined) return { gate, status: 'wait', detail: `models:/${version.model}/${version.version} has no offline evaluation to compare its live scores with (mlcycle evaluate)` };
  const scores = await armScores(engine, workspace, experiment, phase, 'candidate');
  if (scores.length === 0) return { gate, status: 'wait', detail: 'no candidate predictions in this step yet' };
  const psi = scorePsi(offline.bins, scores);
  const detail = `PSI ${psi.toFixed(4)} of ${scores.length} live scores against evaluation ${offline.evaluation} on ${offline.dataset} (limit ${limit})`;
  return { gate, status: psi <= limit ? 'pass' : 'fail', detail: psi <= limit ? detail : `shifted beyond its limit: ${detail}` };
}

/** The metric gates of one analysis (candidate against baseline). */
export function metricGates(analysis: ExperimentAnalysis, alpha: number, guardrails: 'non-inferior' | 'no-harm' = 'non-inferior'): GateResult[] {
  const gates: GateResult[] = [];
  if (analysis.sampleRatio.mismatch) gates.push({ gate: 'sample ratio', status: 'fail', detail: `the sides' sizes (${analysis.sampleRatio.observed.join(' / ')}) do not match the planned split (p = ${analysis.sampleRatio.pValue.toExponential(2)})` });
  const overall = (comparisons: readonly ArmComparisonResult[]) => comparisons.find((comparison) => comparison.arm === 'candidate');
  for (const metric of analysis.metrics) {
    const comparison = overall(metric.comparisons);
    const label = `${metric.role} ${metric.id}`;
    if (comparison === undefined || comparison.degeneracy !== null) {
      if (metric.role !== 'secondary') gates.push({ gate: label, status: 'wait', detail: comparison === undefined ? 'no comparison yet' : comparison.message });
      continue;
    }
    const effect = `${(comparison.effect.estimate * 100).toFixed(2)}% [${(comparison.interval[0] * 100).toFixed(2)}%, ${(comparison.interval[1] * 100).toFixed(2)}%]`;
    if (metric.role === 'primary') {
      const worse = comparison.pValue < alpha && harmful(metric.direction, comparison.effect.estimate);
      gates.push({ gate: label, status: worse ? 'fail' : 'pass', detail: `${worse ? 'worse than the baseline' : 'not worse than the baseline'}: ${effect}` });
    } else if (metric.role === 'guardrail' && guardrails === 'no-harm') {
      // GrowthBook's safe rollouts and LaunchDarkly's guarded rollouts: a guardrail stops the rollout when
      // it is significantly worse (sequential test, any look), and does not hold it back otherwise.
      const worse = comparison.pValue < alpha && harmful(metric.direction, comparison.effect.estimate);
      gates.push({ gate: label, status: worse ? 'fail' : 'pass', detail: `${worse ? 'significantly worse than the baseline' : 'no harm detected'}: ${effect}` });
    } else if (metric.role === 'guardrail') {
      const shown = comparison.nonInferiority?.nonInferior === true;
      const breached = comparison.pValue < alpha && harmful(metric.direction, comparison.effect.estimate) && !shown;
      gates.push({ gate: label, status: shown ? 'pass' : breached ? 'fail' : 'wait', detail: `${shown ? 'within its margin' : breached ? 'worse beyond its margin' : 'not yet shown within its margin'}: ${effect}` });
    }
    if (metric.role === 'secondary') continue;
    for (const { segment, comparisons } of metric.segments) {
      const inSegment = overall(comparisons);
      if (inSegment === undefined || inSegment.degeneracy !== null) continue;
      if (inSegment.adjustedPValue < alpha && harmful(metric.direction, inSegment.effect.estimate)) {
        gates.push({ gate: `segment ${segment}`, status: 'fail', detail: `${metric.id} worse in ${segment}: ${(inSegment.effect.estimate * 100).toFixed(2)}% (adjusted p = ${inSegment.adjustedPValue.toPrecision(2)})` });
      }
    }
  }
  return gates;
}

/**
 * A rollback is three writes to two stores (the rollout's state, its experiment, the alert tag) and cannot
 * be one transaction; the state goes first. A controller that stopped between them leaves traffic on the
 * candidate or the owner unalerted, so every later tick of a rolled-back rollout finishes the other two
 * (each is idempotent). Returns what it had to do.
 */
export async function settleRollback(workspace: RolloutWorkspace, record: RolloutRecord, context: ChangeContext, owners?: Partial<ProblemSpec['owners']>): Promise<string[]> {
  const done: string[] = [];
  const experiment = await workspace.experiments.find(experimentOf(record.name));
  if (experiment?.state === 'running') {
    await stopExperiment(workspace as Workspace, experimentOf(record.name), context);
    done.push('stopped its routing');
  }
  const plan = checkRolloutPlan(record.plan, `rollout ${record.name}`);
  const message = `rolled back: ${[...record.history].reverse().find((entry) => entry.action === 'rolled-back')?.reason ?? 'see the rollout history'}`;
  const version = await resolveModelUri(workspace.registry, modelUriOf(plan.candidate));
  if (version.tags[ROLLOUT_TAG]?.startsWith(message.slice(0, 4800)) !== true) {
    await alertOwner(workspace, plan, message, context, owners);
    done.push("alerted the candidate's owner");
  }
  return done;
}

/** Who a rollback alerts: the spec's rollout owner (else its model owner) and how to reach them, when the spec names one. */
function ownerNote(owners: Partial<ProblemSpec['owners']> | undefined): string {
  const owner = owners?.rollout ?? owners?.model;
  return owner === undefined ? '' : ` (owner: ${owner.owner}, on call ${owner.onCall})`;
}

/**
 * Alerts the candidate's owner: a tag on the candidate version is a registry event, which the registry's
 * webhooks deliver; the tag names the spec's model owner. Returns who was named.
 */
async function alertOwner(workspace: RolloutWorkspace, plan: RolloutPlan, message: string, context: ChangeContext, owners?: Partial<ProblemSpec['owners']>): Promise<string> {
  const version = await resolveModelUri(workspace.registry, modelUriOf(plan.candidate));
  const note = ownerNote(owners);
  await setModelTag(workspace as Workspace, { model: version.model, version: version.version }, ROLLOUT_TAG, `${message.slice(0, 4800)}${note}`, context);
  return note;
}

/** One controller step for one rollout: evaluate the current step's gates and act. */
export async function tickRollout(workspace: Workspace, engine: AnalyticsEngine, spec: ProblemSpec, name: string, context: ChangeContext, log: (line: string) => void = () => undefined): Promise<TickResult> {
  const record = await workspace.rollouts.find(name);
  if (record === undefined) throw new MlcycleError('not_found', `no rollout "${name}"`);
  if (record.state === 'rolled-back') {
    const settled = await settleRollback(workspace, record, context, spec.owners);
    return { rollout: name, action: 'idle', step: record.step, gates: [], reason: `the rollout is rolled-back${settled.length === 0 ? '' : `; finished what the rollback left undone: ${settled.join(', ')}`}` };
  }
  if (record.state !== 'running') return { rollout: name, action: 'idle', step: record.step, gates: [], reason: `the rollout is ${record.state}` };
  const plan = checkRolloutPlan(record.plan, `rollout ${name}`);
  const step = plan.steps[record.step] as RolloutStep;
  const experiment = experimentOf(name);
  const experimentRecord = await workspace.experiments.find(experiment);
  if (experimentRecord === undefined) throw new MlcycleError('not_found', `the rollout's experiment "${experiment}" is missing`);
  const minutes = (context.now().getTime() - Date.parse(record.stepStartedAt)) / 60_000;
  const gates: GateResult[] = [];
  let exposed = 0;
  if (step.shadow) {
    const comparison = await compareShadow(engine, workspace, experiment, experimentRecord.phase, plan.gates.labelEvent ?? spec.target.column);
    exposed = comparison.requests;
    gates.push(...shadowGates(comparison, plan));
  } else if (step.share < 1) {
    try {
      const result = await analyzeStoredExperiment(workspace, engine, spec, experiment, context);
      exposed = result.exposedUnits;
      gates.push(...metricGates(result.analysis, plan.gates.alpha, plan.gates.guardrails));
    } catch (error) {
      if (!(error instanceof MlcycleError) || !/no exposures|at least two/.test(error.message)) throw error;
      gates.push({ gate: 'traffic', status: 'wait', detail: 'no exposures on both sides yet' });
    }
  } else {
    gates.push({ gate: 'metrics', status: 'pass', detail: 'the candidate serves the whole scope: no baseline is left to compare with (metrics were gated at the earlier steps)' });
  }
  gates.push({ gate: 'duration', status: minutes >= step.minMinutes ? 'pass' : 'wait', detail: `${minutes.toFixed(1)} of at least ${step.minMinutes} minutes` });
  if (step.share < 1 || step.shadow) gates.push({ gate: 'sample', status: exposed >= step.minUnits ? 'pass' : 'wait', detail: `${exposed} of at least ${step.minUnits} units` });
  if (!step.shadow && (plan.gates.maxP99Ms !== undefined || plan.gates.maxDecisionRate !== undefined)) {
    const health = await latencyAndDecisions(engine, workspace, experiment, experimentRecord.phase);
    if (plan.gates.maxP99Ms !== undefined) {
      gates.push(health.p99 === null ? { gate: 'p99 latency', status: 'wait', detail: 'no candidate predictions yet' } : { gate: 'p99 latency', status: health.p99 <= plan.gates.maxP99Ms ? 'pass' : 'fail', detail: `${health.p99.toFixed(1)} ms (limit ${plan.gates.maxP99Ms} ms) over ${health.predictions} predictions` });
    }
    if (plan.gates.maxDecisionRate !== undefined) {
      gates.push(health.decisionRate === null ? { gate: 'decision rate', status: 'wait', detail: 'no candidate decisions yet' } : { gate: 'decision rate', status: health.decisionRate <= plan.gates.maxDecisionRate ? 'pass' : 'fail', detail: `${(health.decisionRate * 100).toFixed(1)}% positive decisions (limit ${(plan.gates.maxDecisionRate * 100).toFixed(1)}%)` });
    }
  }
  if (!step.shadow) gates.push(...(await candidateHealthGates(engine, workspace, spec, plan, step, experiment, experimentRecord.phase)));
  const failed = gates.filter((gate) => gate.status === 'fail');
  const waiting = gates.filter((gate) => gate.status === 'wait');
  const expected = { state: record.state, step: record.step };
  if (failed.length > 0) {
    const reason = `step ${step.name} failed: ${failed.map((gate) => `${gate.gate}: ${gate.detail}`).join('; ')}`;
    if (plan.onFailure === 'pause') {
      await workspace.rollouts.transition(name, expected, { state: 'paused', step: record.step }, { action: 'paused', reason, evidence: gates }, context);
      log(`rollout ${name}: paused: ${reason}`);
      return { rollout: name, action: 'paused', step: record.step, gates, reason };
    }
    await workspace.rollouts.transition(name, expected, { state: 'rolled-back', step: record.step }, { action: 'rolled-back', reason, evidence: gates }, context);
    await stopExperiment(workspace, experiment, context);
    const alerted = await alertOwner(workspace, plan, `rolled back: ${reason}`, context, spec.owners);
    log(`rollout ${name}: rolled back: ${reason}; alerted through the registry's webhooks${alerted}`);
    return { rollout: name, action: 'rolled-back', step: record.step, gates, reason };
  }
  if (waiting.length > 0) {
    const reason = `step ${step.name} waits: ${waiting.map((gate) => `${gate.gate}: ${gate.detail}`).join('; ')}`;
    if (minutes > plan.inconclusiveDeadlineMinutes) {
      await workspace.rollouts.transition(name, expected, { state: 'paused', step: record.step }, { action: 'paused', reason: `inconclusive past its deadline of ${plan.inconclusiveDeadlineMinutes} minutes: ${reason}`, evidence: gates }, context);
      return { rollout: name, action: 'paused', step: record.step, gates, reason };
    }
    return { rollout: name, action: 'waiting', step: record.step, gates, reason };
  }
  return advance(workspace, spec, record, plan, gates, `step ${step.name} passed every gate`, context, log);
}

async function advance(workspace: Workspace, spec: Pick<ProblemSpec, 'segments'>, record: RolloutRecord, plan: RolloutPlan, gates: GateResult[], reason: string, context: ChangeContext, log: (line: string) => void): Promise<TickResult> {
  const name = record.name;
  const experiment = experimentOf(name);
  const expected = { state: record.state, step: record.step };
  const nextIndex = record.step + 1;
  const next = plan.steps[nextIndex];
  if (next === undefined) {
    await workspace.rollouts.transition(name, expected, { state: 'completed', step: record.step }, { action: 'completed', reason, evidence: gates }, context);
    await stopExperiment(workspace, experiment, context);
    const version = await resolveModelUri(workspace.registry, modelUriOf(plan.candidate));
    await setModelAlias(workspace, version.model, 'champion', version.version, context);
    log(`rollout ${name}: completed; models:/${version.model}/${version.version} is @champion`);
    return { rollout: name, action: 'completed', step: record.step, gates, reason };
  }
  await workspace.rollouts.transition(name, expected, { state: record.state, step: nextIndex }, { action: 'advanced', reason: `${reason}; now ${next.name} (${(next.share * 100).toFixed(0)}%${next.segments === undefined ? '' : ` of ${JSON.stringify(next.segments)}`})`, evidence: gates }, context);
  await updateExperiment(workspace, experiment, stepDefinition(name, plan, next, spec), context);
  log(`rollout ${name}: advanced to ${next.name}`);
  return { rollout: name, action: 'advanced', step: nextIndex, gates, reason };
}

/** A manual move: advance (gates skipped, recorded as such), pause, resume or roll back. */
export async function moveRollout(workspace: Workspace, spec: Pick<ProblemSpec, 'segments'> & Partial<Pick<ProblemSpec, 'owners'>>, name: string, verb: 'advance' | 'pause' | 'resume' | 'rollback', context: ChangeContext): Promise<RolloutRecord> {
  const record = await workspace.rollouts.find(name);
  if (record === undefined) throw new MlcycleError('not_found', `no rollout "${name}"`);
  const plan = checkRolloutPlan(record.plan, `rollout ${name}`);
  const expected = { state: record.state, step: record.step };
  const finished = record.state === 'completed' || record.state === 'rolled-back';
  if (finished) throw new MlcycleError('conflict', `rollout "${name}" is ${record.state}: nothing to ${verb}`);
  const reason = context.reason ?? `${verb} by ${context.actor}`;
  if (verb === 'pause') {
    if (record.state === 'paused') throw new MlcycleError('conflict', `rollout "${name}" is paused already`);
    return workspace.rollouts.transition(name, expected, { state: 'paused', step: record.step }, { action: 'paused', reason, evidence: null }, context);
  }
  if (verb === 'resume') {
    if (record.state !== 'paused') throw new MlcycleError('conflict', `rollout "${name}" is not paused`);
    return workspace.rollouts.transition(name, expected, { state: 'running', step: record.step }, { action: 'resumed', reason, evidence: null }, context);
  }
  if (verb === 'rollback') {
    const rolled = await workspace.rollouts.transition(name, expected, { state: 'rolled-back', step: record.step }, { action: 'rolled-back', reason, evidence: null }, context);
    await stopExperiment(workspace, experimentOf(name), context);
    await alertOwner(workspace, plan, `rolled back: ${reason}`, context, spec.owners);
    return rolled;
  }
  await advance(workspace, spec, record, plan, [], `advanced by hand: ${reason}`, context, () => undefined);
  return (await workspace.rollouts.find(name)) as RolloutRecord;
}
