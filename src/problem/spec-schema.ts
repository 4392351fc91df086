/**
 * The problem spec, `mlcycle.yaml`: the spine every later stage reads (DESIGN.md section 1). This file
 * holds the shape of each field; rules that relate fields to each other are in `spec-rules.ts`.
 */
import { z } from 'zod';
import { SEMANTIC_TYPES } from '../store/dataset-store.js';

export const TASK_TYPES = ['binary', 'multiclass', 'regression', 'ranking'] as const;
export const METRIC_KINDS = ['proportion', 'mean', 'ratio', 'quantile'] as const;
export const METRIC_ROLES = ['primary', 'secondary', 'guardrail'] as const;
export const METRIC_DIRECTIONS = ['increase', 'decrease'] as const;
export const STAKEHOLDER_ROLES = [
  'product-manager',
  'engineering-manager',
  'data-scientist',
  'data-engineer',
  'software-engineer',
  'architect',
] as const;
export const COMPONENTS = ['dataset', 'pipeline', 'model', 'endpoint', 'experiment', 'rollout', 'monitor'] as const;

export type TaskType = (typeof TASK_TYPES)[number];
export type MetricKind = (typeof METRIC_KINDS)[number];
export type MetricRole = (typeof METRIC_ROLES)[number];
export type Component = (typeof COMPONENTS)[number];
export type StakeholderRole = (typeof STAKEHOLDER_ROLES)[number];

const text = z.string().trim().min(1, 'required: must not be empty');
/** Names used as identifiers elsewhere (metric ids, segment names): no spaces, so they work in SQL and URLs. */
const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must start with a letter or _ and hold only letters, digits, _, . and -');

/** One place a metric's values come from: an event name in the event log, or a column of a dataset. */
export const SourceRefSchema = z.strictObject({
  event: text.optional(),
  column: text.optional(),
});

export const MetricSourceSchema = z.strictObject({
  event: text.optional(),
  column: text.optional(),
  numerator: SourceRefSchema.optional(),
  denominator: SourceRefSchema.optional(),
});

export const MinimumDetectableEffectSchema = z.strictObject({
  relative: z.number().positive().optional(),
  absolute: z.number().positive().optional(),
});

export const SuccessMetricSchema = z.strictObject({
  id: identifier,
  description: text,
  kind: z.enum(METRIC_KINDS),
  source: MetricSourceSchema,
  direction: z.enum(METRIC_DIRECTIONS),
  minimumDetectableEffect: MinimumDetectableEffectSchema,
  role: z.enum(METRIC_ROLES),
  /** For quantile metrics: which quantile, in (0, 1). */
  quantile: z.number().gt(0).lt(1).optional(),
  /** For guardrails: how much worse (relative) the treatment may be before the guardrail fails. */
  nonInferiorityMargin: z.number().positive().optional(),
});

export const MlMetricTargetSchema = z.strictObject({
  metric: identifier,
  target: z.number().refine(Number.isFinite, 'must be a finite number'),
  /** The cut-off for metrics at k (NDCG@k, MAP@k, lift at k percent). */
  k: z.number().int().positive().optional(),
});

export const TargetSchema = z.strictObject({
  column: text,
  /** A SQL expression over the raw data that derives the target, e.g. `delay > 15`. */
  definition: text.optional(),
  /** For binary tasks: the value that counts as positive. */
  positive: z.union([z.string(), z.number(), z.boolean()]).optional(),
  description: text.optional(),
});

export const SegmentSchema = z.strictObject({
  name: identifier,
  column: text,
  description: text.optional(),
});

export const StakeholderSchema = z.strictObject({
  name: text,
  email: z.email().optional(),
  roles: z.array(z.enum(STAKEHOLDER_ROLES)).min(1, 'name at least one role'),
});

export const OwnerSchema = z.strictObject({
  /** The stakeholder's name, as written under `stakeholders`. */
  owner: text,
  /** Who is paged when it breaks: an email, a pager handle, a channel. */
  onCall: text,
});

export const OwnersSchema = z.strictObject({
  dataset: OwnerSchema.optional(),
  pipeline: OwnerSchema.optional(),
  model: OwnerSchema.optional(),
  endpoint: OwnerSchema.optional(),
  experiment: OwnerSchema.optional(),
  rollout: OwnerSchema.optional(),
  monitor: OwnerSchema.optional(),
});

const money = z.number().refine(Number.isFinite, 'must be a finite number');

/** Binary tasks: the business value of each confusion-matrix cell, per decision. */
export const BinaryValueModelSchema = z.strictObject({
  currency: text,
  unit: text.optional(),
  truePositive: money.default(0),
  falsePositive: money.default(0),
  falseNegative: money.default(0),
  trueNegative: money.default(0),
  /** A guardrail on the decision threshold: the largest false-positive rate the business accepts. */
  maxFalsePositiveRate: z.number().gt(0).max(1).optional(),
});

/** Multiclass tasks: value by actual class, then predicted class; cells not named are worth 0. */
export const MulticlassValueModelSchema = z.strictObject({
  currency: text,
  unit: text.optional(),
  matrix: z.record(z.string(), z.record(z.string(), money)),
});

/** Regression tasks: the cost of each unit of error, which may differ by the error's sign. */
export const RegressionValueModelSchema = z.strictObject({
  currency: text,
  unit: text.optional(),
  overPredictionCostPerUnit: z.number().nonnegative(),
  underPredictionCostPerUnit: z.number().nonnegative(),
});

/** Ranking tasks: the value of a relevant item shown in the top k. */
export const RankingValueModelSchema = z.strictObject({
  currency: text,
  unit: text.optional(),
  k: z.number().int().positive(),
  valuePerRelevantItem: money,
});

export const VALUE_MODEL_SCHEMAS = {
  binary: BinaryValueModelSchema,
  multiclass: MulticlassValueModelSchema,
  regression: RegressionValueModelSchema,
  ranking: RankingValueModelSchema,
} as const;

/** When a column's value becomes known: columns known only after the outcome leak it and are kept out of features. */
export const COLUMN_AVAILABILITY = ['before-outcome', 'after-outcome'] as const;

export const ColumnSpecSchema = z.strictObject({
  /** Overrides the inferred semantic type; the data must fit it. */
  type: z.enum(SEMANTIC_TYPES).optional(),
  availableAt: z.enum(COLUMN_AVAILABILITY).optional(),
  description: text.optional(),
});

const severity = z.enum(['error', 'warning']).default('error');
const bound = z.number().refine(Number.isFinite, 'must be a finite number');

/** Declarative data checks, each run as one SQL query (Deequ's and Great Expectations' common core). */
export const DataCheckSchema = z.discriminatedUnion('check', [
  z.strictObject({ check: z.literal('not-null'), column: text, severity }),
  z.strictObject({ check: z.literal('range'), column: text, min: bound.optional(), max: bound.optional(), severity }),
  z.strictObject({
    check: z.literal('allowed-values'),
    column: text,
    values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1, 'name at least one value'),
    severity,
  }),
  z.strictObject({ check: z.literal('unique'), columns: z.array(text).min(1, 'name at least one column'), severity }),
  z.strictObject({ check: z.literal('row-count'), min: z.number().int().nonnegative().optional(), max: z.number().int().nonnegative().optional(), severity }),
  z.strictObject({ check: z.literal('freshness'), maxAgeDays: z.number().positive(), column: text.optional(), severity }),
  z.strictObject({ check: z.literal('schema-match'), reference: text, severity }),
]);

export const DatasetSpecSchema = z.strictObject({
  description: text.optional(),
  /** The column that orders rows in time: freshness checks and time splits use it. */
  timeColumn: text.optional(),
  /** The label column in this dataset, when it differs from the spec's target; false for data without labels. */
  target: z.union([text, z.literal(false)]).optional(),
  columns: z.record(z.string(), ColumnSpecSchema).default({}),
  checks: z.array(DataCheckSchema).default([]),
});

const share = z.number().min(0).max(1);

/** Alert thresholds of `mlcycle explore`; the defaults are ydata-profiling's. */
export const AlertThresholdsSchema = z.strictObject({
  highCardinality: z.number().int().positive().default(50),
  highMissing: share.default(0.01),
  manyZeros: share.default(0.01),
  skewed: z.number().positive().default(20),
  imbalance: share.default(0.5),
  duplicates: share.default(0.01),
  highCorrelation: share.default(0.9),
});

export const ExplorationSpecSchema = z.strictObject({
  alerts: AlertThresholdsSchema.prefault({}),
});

/** The checks a monitor can run on each window (src/monitor/run-monitor.ts). */
export const MONITOR_CHECKS = ['drift', 'predictions', 'labels', 'quality', 'performance', 'health'] as const;
export type MonitorCheck = (typeof MONITOR_CHECKS)[number];

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time such as 2024-06-01T00:00:00Z' });

/**
 * A monitor: a served model's logged requests (and the outcomes that arrive later), cut into windows and
 * compared with a reference: a dataset version (the training data) or a period of the model's own
 * logged requests.
 */
export const MonitorSpecSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lower-case letters, digits, ., _ and -'),
  /** The registered model whose served predictions are watched. */
  model: text,
  reference: z.union([text, z.strictObject({ since: isoTime, until: isoTime })]),
  /** Consecutive windows: every N predictions, or each UTC hour or day. */
  window: z.union([z.strictObject({ rows: z.number().int().min(100, 'a window needs at least 100 rows').max(10_000_000) }), z.strictObject({ every: z.enum(['hour', 'day']) })]),
  checks: z.array(z.enum(MONITOR_CHECKS)).min(1, 'name at least one check').default([...MONITOR_CHECKS]),
  /** Drift thresholds: Evidently's fixed defaults, or the reference's own chunk-to-chunk spread (NannyML's way). */
  thresholds: z.enum(['fixed', 'reference']).default('reference'),
  /**
   * How many reference chunks of a window's size give the spread. NannyML uses about ten; with ten, a steady
   * column crosses mean + 3 sd in about 4% of windows (the statistics are skewed and ten chunks estimate
   * their spread poorly), with thirty in about 2% (prepared-drift.test.ts simulates it), hence thirty.
   */
  referenceChunks: z.number().int().min(3).max(200).default(30),
  /** Feature columns to watch; the reference's features found in the logged inputs by default. */
  columns: z.array(text).optional(),
  /** The share of drifted columns that makes the window's data drifted (Evidently's 0.5). */
  driftShare: z.number().gt(0).max(1).default(0.5),
  /** Time windows: how far a window's volume may stray from the mean of the previous ones (10%). */
  volumeTolerance: z.number().gt(0).max(10).default(0.1),
  /** Service health: the largest share of failed requests, and optionally a p99 latency limit. */
  maxErrorRate: z.number().gt(0).max(1).default(0.01),
  maxLatencyP99Ms: z.number().positive().optional(),
  /** Performance: the largest fall of the window's ROC AUC below the offline evaluation's. */
  maxRocAucDrop: z.number().gt(0).max(1).default(0.05),
  /** Performance: the fewest labelled predictions a window needs before its ROC AUC is judged. */
  minLabels: z.number().int().min(10).default(200),
});

/**
 * The spec's shape. `valueModel` depends on the task and is checked against the task's schema by the
 * rules, so that a wrong task does not drown the value model in unrelated union errors.
 */
export const ProblemSpecSchema = z.strictObject({
  version: z.literal(1).default(1),
  name: identifier,
  customerProblem: text,
  businessProblem: text,
  task: z.enum(TASK_TYPES),
  target: TargetSchema,
  randomizationUnit: identifier,
  segments: z.array(SegmentSchema).default([]),
  successMetrics: z.array(SuccessMetricSchema).default([]),
  mlMetrics: z.array(MlMetricTargetSchema).default([]),
  valueModel: z.unknown().optional(),
  stakeholders: z.array(StakeholderSchema).default([]),
  owners: OwnersSchema.default({}),
  datasets: z.record(identifier, DatasetSpecSchema).default({}),
  exploration: ExplorationSpecSchema.prefault({}),
  /** The training pipeline (src/train/pipeline/pipeline-spec.ts), or the file that holds it. */
  pipeline: z.union([text, z.record(z.string(), z.unknown())]).optional(),
  monitors: z.array(MonitorSpecSchema).default([]),
});

export type SuccessMetric = z.infer<typeof SuccessMetricSchema>;
export type MlMetricTarget = z.infer<typeof MlMetricTargetSchema>;
export type Stakeholder = z.infer<typeof StakeholderSchema>;
export type Owner = z.infer<typeof OwnerSchema>;
export type BinaryValueModel = z.infer<typeof BinaryValueModelSchema>;
export type MulticlassValueModel = z.infer<typeof MulticlassValueModelSchema>;
export type RegressionValueModel = z.infer<typeof RegressionValueModelSchema>;
export type RankingValueModel = z.infer<typeof RankingValueModelSchema>;
export type DataCheck = z.infer<typeof DataCheckSchema>;
export type AlertThresholds = z.infer<typeof AlertThresholdsSchema>;
export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;
export type MonitorSpec = z.infer<typeof MonitorSpecSchema>;
export type ColumnSpec = z.infer<typeof ColumnSpecSchema>;
export type ValueModel = BinaryValueModel | MulticlassValueModel | RegressionValueModel | RankingValueModel;

/** A validated problem spec. */
export type ProblemSpec = Omit<z.infer<typeof ProblemSpecSchema>, 'valueModel'> & { valueModel?: ValueModel };
