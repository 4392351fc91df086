/**
 * An offline evaluation from predictions already made: the candidate, the baseline and (optionally) the
 * champion on the same rows. Pure: no I/O. The phases, in order:
 *   1. settings: defaults, cut-offs taken from the spec's targets (lift at k%, NDCG@k);
 *   2. prepare: each model's metrics on all rows and on each segment (slices.ts);
 *   3. bootstrap: one Poisson count vector per replicate, shared by every model and segment, so that
 *      model differences are paired and segment-versus-overall differences keep their correlation;
 *   4. assemble: point estimates with percentile intervals, paired differences, DeLong's test for AUC,
 *      segment flags (Holm-adjusted), curves, and the verdict (verdict.ts).
 */
import { MlcycleError } from '../error.js';
import { holmBonferroni } from '../experiment/multiple-testing.js';
import type { MlMetricTarget } from '../problem/spec-schema.js';
import { percentileInterval, PoissonOneStream } from '../stats/bootstrap.js';
import { clustersOf, resolveBootstrap, type BootstrapOptions, type MetricEstimates, type PairedDifference } from './bootstrap-metrics.js';
import { curvesFor, type Curves } from './curves.js';
import { delongTest, type DelongComparison } from './delong.js';
import { DEFAULT_METRIC_SETTINGS, prepareMetrics, type EvaluationRows, type MetricSettings, type PreparedMetrics } from './prepared-metrics.js';
import { planSlices, type SegmentComparison, type SliceColumn } from './slices.js';
import type { ModelBusinessValue } from './evaluation-value.js';
import { decideVerdict, higherIsBetter, type Verdict } from './verdict.js';

export type ModelRole = 'candidate' | 'champion' | 'baseline';

export interface ModelPredictions {
  /** How the model is named in the output, e.g. `models:/flight-delay/3`. */
  name: string;
  role: ModelRole;
  /** One value per row (binary: the positive class's probability), or rows x classes for multiclass. */
  predictions: Float64Array;
}

export interface EvaluationInput {
  rows: EvaluationRows;
  models: readonly ModelPredictions[];
  /** Segment columns: name to one value per row; each distinct value is a segment. */
  segments?: Readonly<Record<string, ArrayLike<string | number | null>>>;
  targets?: readonly MlMetricTarget[];
  settings?: Partial<MetricSettings>;
  bootstrap?: BootstrapOptions;
  /** Significance level of the comparisons and segment flags (default 0.05). */
  alpha?: number;
  /** Segments with fewer rows are listed but not evaluated (default 30). */
  minSegmentRows?: number;
  /** Multiclass: the class names, by index. */
  classNames?: readonly string[];
}

export interface ModelEvaluation {
  name: string;
  role: ModelRole;
  metrics: MetricEstimates;
  curves: Curves;
}

export interface Comparison {
  champion: string;
  challenger: string;
  /** Challenger minus champion, per metric, paired bootstrap. */
  differences: Record<string, PairedDifference>;
  /** Binary tasks without sample weights. */
  delong?: DelongComparison;
}

export interface Evaluation {
  task: EvaluationRows['task'];
  rows: number;
  settings: MetricSettings;
  bootstrap: { resamples: number; seed: number; level: number; method: string };
  alpha: number;
  primaryMetric: string;
  models: ModelEvaluation[];
  comparison?: Comparison;
  slices: SliceColumn[];
  verdict: Verdict;
  /** Each model's business value under the spec's value model (set by evaluateModels when the spec has one). */
  businessValue?: ModelBusinessValue[];
}

const DEFAULT_PRIMARY = { binary: 'roc_auc', multiclass: 'macro_f1', regression: 'rmse', ranking: 'ndcg_at_k' } as const;

/** Settings from defaults, the spec's cut-offs, then explicit overrides. */
function resolveSettings(targets: readonly MlMetricTarget[], overrides: Partial<MetricSettings>): MetricSettings {
  const lift = targets.find((target) => target.metric === 'lift_at_k')?.k;
  const rankK = targets.find((target) => (target.metric === 'ndcg_at_k' || target.metric === 'map_at_k') && target.k !== undefined)?.k;
  const settings = { ...DEFAULT_METRIC_SETTINGS, ...(lift === undefined ? {} : { liftPercent: lift }), ...(rankK === undefined ? {} : { k: rankK }), ...overrides };
  if (!(settings.threshold >= 0 && settings.threshold <= 1)) throw new MlcycleError('invalid_input', `threshold must be between 0 and 1, got ${settings.threshold}`);
  if (!(Number.isInteger(settings.k) && settings.k >= 1)) throw new MlcycleError('invalid_input', `k must be a whole number of at least 1, got ${settings.k}`);
  return settings;
}

function estimatesFrom(point: Record<string, number>, replicates: Record<string, Float64Array>, level: number): MetricEstimates {
  return Object.fromEntries(Object.entries(point).map(([name, estimate]) => [name, { estimate, ...percentileInterval(replicates[name] as Float64Array, level) }]));
}

/** Evaluates the candidate (and champion and baselines) on the same rows. */
export function evaluatePredictions(input: EvaluationInput): Evaluation {
  // 1. settings
  const targets = input.targets ?? [];
  const settings = resolveSettings(targets, input.settings ?? {});
  const { resamples, seed, level } = resolveBootstrap(input.bootstrap);
  const alpha = input.alpha ?? 0.05;
  const { rows: data } = input;
  const candidates = input.models.filter((model) => model.role === 'candidate');
  const champions = input.models.filter((model) => model.role === 'champion');
  if (candidates.length !== 1) throw new MlcycleError('invalid_input', `an evaluation needs exactly one candidate model, got ${candidates.length}`);
  if (champions.length > 1) throw new MlcycleError('invalid_input', `an evaluation compares with at most one champion, got ${champions.length}`);
  const candidate = candidates[0] as ModelPredictions;
  const champion = champions[0];
  // The first target the task can compute is the primary metric; otherwise the task's usual one.
  const applicable = targets.find((target) => Object.hasOwn(metricNamesOf(data.task), target.metric));
  const primaryMetric = applicable?.metric ?? DEFAULT_PRIMARY[data.task];

  // 2. prepare
  const prepared = new Map<ModelPredictions, PreparedMetrics>(input.models.map((model) => [model, prepareMetrics(data, model.predictions, settings)]));
  const slicePlan = planSlices(data, input.segments ?? {}, input.minSegmentRows ?? 30, (subset) => ({
    candidate: prepareMetrics(data, candidate.predictions, settings, subset),
    ...(champion === undefined ? {} : { champion: prepareMetrics(data, champion.predictions, settings, subset) }),
  }));

  // 3. bootstrap
  const points = new Map<ModelPredictions, Record<string, number>>();
  const replicates = new Map<ModelPredictions, Record<string, Float64Array>>();
  for (const [model, metrics] of prepared) {
    const point = metrics.compute();
    points.set(model, point);
    replicates.set(model, Object.fromEntries(Object.keys(point).map((name) => [name, new Float64Array(resamples)])));
  }
  const clusters = data.task === 'ranking' && data.queries !== undefined ? clustersOf(data.queries) : undefined;
  const stream = new PoissonOneStream(seed);
  const counts = new Float64Array(data.labels.length);
  for (let replicate = 0; replicate < resamples; replicate++) {
    stream.fill(counts, clusters);
    for (const [model, metrics] of prepared) {
      const values = metrics.compute(counts);
      const target = replicates.get(model) as Record<string, Float64Array>;
      for (const [name, value] of Object.entries(values)) (target[name] as Float64Array)[replicate] = value;
    }
    slicePlan.resample(replicate, counts, resamples);
  }

  // 4. assemble
  const models: ModelEvaluation[] = input.models.map((model) => ({
    name: model.name,
    role: model.role,
    metrics: estimatesFrom(points.get(model) as Record<string, number>, replicates.get(model) as Record<string, Float64Array>, level),
    curves: curvesFor(data.task, data.labels, model.predictions, data.weights, { threshold: settings.threshold, calibrationBins: settings.calibrationBins, ...(data.classes === undefined ? {} : { classes: data.classes }), ...(input.classNames === undefined ? {} : { classNames: input.classNames }) }),
  }));
  let comparison: Comparison | undefined;
  if (champion !== undefined) {
    const a = replicates.get(champion) as Record<string, Float64Array>;
    const b = replicates.get(candidate) as Record<string, Float64Array>;
    const championPoint = points.get(champion) as Record<string, number>;
    const candidatePoint = points.get(candidate) as Record<string, number>;
    const differences: Record<string, PairedDifference> = {};
    for (const name of Object.keys(candidatePoint)) {
      const difference = Float64Array.from(b[name] as Float64Array, (value, index) => value - ((a[name] as Float64Array)[index] as number));
      differences[name] = { estimate: (candidatePoint[name] as number) - (championPoint[name] as number), champion: championPoint[name] as number, challenger: candidatePoint[name] as number, ...percentileInterval(difference, level) };
    }
    comparison = { champion: champion.name, challenger: candidate.name, differences };
    if (data.task === 'binary' && data.weights === undefined) comparison.delong = delongTest(data.labels, champion.predictions, candidate.predictions, level);
  }
  const overall = replicates.get(candidate) as Record<string, Float64Array>;
  const slices = slicePlan.assemble({ level, alpha, primaryMetric, higherIsBetter: higherIsBetter(primaryMetric), overall: overall[primaryMetric] as Float64Array, overallEstimate: (points.get(candidate) as Record<string, number>)[primaryMetric] as number, adjust: holmBonferroni });
  const flagged = (pick: (segment: { versusOverall: SegmentComparison; versusChampion?: SegmentComparison }) => SegmentComparison | undefined): string[] =>
    slices.flatMap((column) => column.segments.filter((segment) => pick(segment)?.worse === true).map((segment) => `${column.column}=${segment.value}`));
  const baseline = models.find((model) => model.role === 'baseline');
  const candidateEvaluation = models.find((model) => model.role === 'candidate') as ModelEvaluation;
  const verdict = decideVerdict({
    task: data.task,
    primaryMetric,
    targets,
    candidate: candidateEvaluation,
    ...(baseline === undefined ? {} : { baseline }),
    ...(comparison === undefined ? {} : { champion: { name: comparison.champion, differences: comparison.differences, ...(comparison.delong === undefined ? {} : { delong: comparison.delong }) } }),
    segmentsWorseThanChampion: flagged((segment) => segment.versusChampion),
    segmentsWorseThanOverall: flagged((segment) => segment.versusOverall),
    alpha,
  });
  return {
    task: data.task,
    rows: data.labels.length,
    settings,
    bootstrap: { resamples, seed, level, method: `percentile intervals from ${resamples} Poisson-bootstrap resamples of ${clusters === undefined ? 'rows' : 'queries'}, seed ${seed}` },
    alpha,
    primaryMetric,
    models,
    ...(comparison === undefined ? {} : { comparison }),
    slices,
    verdict,
  };
}

function metricNamesOf(task: EvaluationRows['task']): Record<string, true> {
  const names = {
    binary: ['roc_auc', 'pr_auc', 'log_loss', 'brier', 'accuracy', 'precision', 'recall', 'f1', 'ece', 'lift_at_k'],
    multiclass: ['accuracy', 'macro_f1', 'weighted_f1', 'log_loss', 'ovr_auc'],
    regression: ['rmse', 'mae', 'mape', 'r2'],
    ranking: ['ndcg_at_k', 'map_at_k', 'mrr'],
  }[task];
  return Object.fromEntries(names.map((name) => [name, true]));
}
