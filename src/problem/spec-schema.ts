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
export const COMPONENTS = ['dataset', 'pipeline', 'model', 'endpoint', 'monitor'] as const;

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
export type ColumnSpec = z.infer<typeof ColumnSpecSchema>;
export type ValueModel = BinaryValueModel | MulticlassValueModel | RegressionValueModel | RankingValueModel;

/** A validated problem spec. */
export type ProblemSpec = Omit<z.infer<typeof ProblemSpecSchema>, 'valueModel'> & { valueModel?: ValueModel };
