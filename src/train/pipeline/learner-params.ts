/**
 * The learners a pipeline can train and the schema of each one's parameters. Unknown parameters are
 * errors that name the parameter (with the nearest known name), so that a typo in `--set
 * train.params.numLeave=31` fails before any data is read. Defaults are the trainers' own
 * (src/models/gbdt/params.ts for LightGBM's, src/models/linear/linear-model.ts for scikit-learn's).
 */
import { z } from 'zod';
import { DEFAULT_SMOOTHING } from '../../models/baselines.js';
import { GBDT_OBJECTIVES } from '../../models/gbdt/objectives.js';
import { VALIDATION_METRICS } from '../../models/gbdt/validation-metrics.js';

export const LEARNERS = ['gbdt', 'logistic-regression', 'linear-regression', 'grouped-rate', 'constant'] as const;
export type Learner = (typeof LEARNERS)[number];

const positive = z.number().positive();
const share = z.number().gt(0).lte(1);
const whole = z.number().int();

/** GBDT: every field of GbdtParams, plus the validation metric watched per round and early stopping. */
export const GbdtParamsSchema = z.strictObject({
  objective: z.enum(GBDT_OBJECTIVES).optional(),
  rounds: whole.min(1).optional(),
  learningRate: positive.optional(),
  numLeaves: whole.min(2).optional(),
  maxDepth: whole.min(0).optional(),
  minDataInLeaf: whole.min(0).optional(),
  minSumHessianInLeaf: z.number().min(0).optional(),
  lambdaL1: z.number().min(0).optional(),
  lambdaL2: z.number().min(0).optional(),
  minGainToSplit: z.number().min(0).optional(),
  featureFraction: share.optional(),
  baggingFraction: share.optional(),
  maxBins: whole.min(2).max(255).optional(),
  seed: whole.optional(),
  maxCatToOnehot: whole.min(1).optional(),
  catSmooth: z.number().min(0).optional(),
  catL2: z.number().min(0).optional(),
  maxCatThreshold: whole.min(1).optional(),
  minDataPerGroup: whole.min(0).optional(),
  threads: whole.min(1).max(64).optional(),
  huberDelta: positive.optional(),
  /** The metric watched on the validation set each round (default: the objective's). */
  validationMetric: z.enum(VALIDATION_METRICS).optional(),
  /** Stop when the validation metric has not improved for this many rounds; 0 never stops. */
  earlyStoppingRounds: whole.min(0).optional(),
});

/** Penalised linear and logistic regression, scikit-learn's parameterisation. */
export const LinearParamsSchema = z.strictObject({
  penalty: z.enum(['l1', 'l2', 'elasticnet']).optional(),
  C: positive.optional(),
  alpha: z.number().min(0).optional(),
  l1Ratio: z.number().min(0).max(1).optional(),
  tolerance: positive.optional(),
  maxIterations: whole.min(1).optional(),
});

/** A smoothed rate per group of feature values (an m-estimate), e.g. each route's delay rate. */
export const GroupedRateParamsSchema = z.strictObject({
  groups: z.array(z.string().min(1)).min(1, 'name at least one feature to group by'),
  smoothing: z.number().min(0).default(DEFAULT_SMOOTHING),
});

/** The training labels' prior or mean. */
export const ConstantParamsSchema = z.strictObject({});

export const LEARNER_PARAM_SCHEMAS = {
  gbdt: GbdtParamsSchema,
  'logistic-regression': LinearParamsSchema,
  'linear-regression': LinearParamsSchema,
  'grouped-rate': GroupedRateParamsSchema,
  constant: ConstantParamsSchema,
} as const satisfies Record<Learner, z.ZodType>;

export type GbdtStepParams = z.output<typeof GbdtParamsSchema>;
export type LinearStepParams = z.output<typeof LinearParamsSchema>;
export type GroupedRateStepParams = z.output<typeof GroupedRateParamsSchema>;

/** A learner and its validated parameters. */
export type TrainingChoice =
  | { learner: 'gbdt'; params: GbdtStepParams }
  | { learner: 'logistic-regression' | 'linear-regression'; params: LinearStepParams }
  | { learner: 'grouped-rate'; params: GroupedRateStepParams }
  | { learner: 'constant'; params: Record<string, never> };
