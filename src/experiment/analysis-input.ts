/**
 * The JSON shape `mlcycle stats analyze` reads: an experiment's arms and, per metric, each arm's sufficient
 * statistics, overall and per segment, with optional pre-period covariates and the method options. A team
 * can export these numbers from its own warehouse; README.md ("Analysing an experiment") documents the shape.
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();
const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const meanStatistics = z.strictObject({ n: count, sum: finite, sumSquares: finite.refine((value) => value >= 0, 'must be at least 0') });
const meanCovariate = z.strictObject({ sum: finite, sumSquares: finite, metricCovariateSum: finite });
const ratioStatistics = z.strictObject({
  n: count,
  numeratorSum: finite,
  numeratorSumSquares: finite,
  denominatorSum: finite,
  denominatorSumSquares: finite,
  numeratorDenominatorSum: finite,
});
const ratioCovariate = z.strictObject({
  numeratorSum: finite,
  numeratorSumSquares: finite,
  denominatorSum: finite,
  denominatorSumSquares: finite,
  numeratorDenominatorSum: finite,
  postNumeratorNumeratorSum: finite,
  postNumeratorDenominatorSum: finite,
  postDenominatorNumeratorSum: finite,
  postDenominatorDenominatorSum: finite,
});

/** A 0/1 metric; with CUPED its pre-period covariate (0/1 as gbstats requires; sumSquares = sum then). */
const proportionArm = z.strictObject({ n: count, successes: count, covariate: meanCovariate.optional() });
/** A quantile's sample value and the order statistics of its 95% band (quantile-metric.ts gives the ranks). */
const quantileArm = z.strictObject({ n: count, estimate: finite, lower: finite, upper: finite });
const meanArm = meanStatistics.extend({ covariate: meanCovariate.optional() });
const ratioArm = ratioStatistics.extend({ covariate: ratioCovariate.optional() });

/**
 * A JSON object keyed by user ids (arms, segments) as a null-prototype object: zod's own record drops a key
 * `__proto__`, and on an ordinary object ids such as `constructor` would read the prototype's members.
 */
function idRecord<Schema extends z.ZodType>(schema: Schema) {
  return z.custom<Record<string, z.input<Schema>>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'expected a mapping').transform((value, context) => {
    const out = Object.create(null) as Record<string, z.output<Schema>>;
    for (const key of Object.keys(value)) {
      if (key === '') context.addIssue({ code: 'custom', path: [key], message: 'an id must not be empty' });
      const parsed = schema.safeParse(value[key]);
      if (parsed.success) out[key] = parsed.data;
      else for (const issue of parsed.error.issues) context.addIssue({ ...issue, path: [key, ...issue.path] } as Parameters<typeof context.addIssue>[0]);
    }
    return out;
  });
}

/** Per arm id, that arm's statistics. */
function byArm<Schema extends z.ZodType>(schema: Schema) {
  return idRecord(schema);
}

const metricCommon = {
  id: z.string().min(1),
  role: z.enum(['primary', 'secondary', 'guardrail']).default('primary'),
  direction: z.enum(['increase', 'decrease']).default('increase'),
  /** For guardrails: the largest tolerable harm, on the analysis scale (relative: 0.02 is two percent). */
  nonInferiorityMargin: z.number().positive().optional(),
  /** The smallest effect worth shipping, on the analysis scale; lets the decision tell "flat" from "too early". */
  minimumDetectableEffect: z.number().positive().optional(),
};

const metric = z.discriminatedUnion('kind', [
  z.strictObject({ ...metricCommon, kind: z.literal('proportion'), arms: byArm(proportionArm), segments: idRecord(byArm(proportionArm)).optional() }),
  z.strictObject({ ...metricCommon, kind: z.literal('mean'), arms: byArm(meanArm), segments: idRecord(byArm(meanArm)).optional() }),
  z.strictObject({ ...metricCommon, kind: z.literal('ratio'), arms: byArm(ratioArm), segments: idRecord(byArm(ratioArm)).optional() }),
  z.strictObject({
    ...metricCommon,
    kind: z.literal('quantile'),
    /** Which quantile, in (0, 1): 0.9 for p90. */
    quantile: z.number().gt(0).lt(1),
    arms: byArm(quantileArm),
    segments: idRecord(byArm(quantileArm)).optional(),
  }),
]);

const options = z.strictObject({
  alpha: z.number().gt(0).lt(0.5).default(0.05),
  scale: z.enum(['relative', 'absolute']).default('relative'),
  alternative: z.enum(['two-sided', 'greater', 'less']).default('two-sided'),
  multipleTesting: z.enum(['none', 'holm', 'benjamini-hochberg']).default('holm'),
  cuped: z.boolean().default(true),
  /**
   * How proportions without a covariate are compared: `unpooled-t`, gbstats' way (the default), or
   * `pooled-z`, statsmodels' pooled z-test with the score interval that inverts it (fixed-horizon only).
   */
  proportionTest: z.enum(['unpooled-t', 'pooled-z']).default('unpooled-t'),
  sequential: z
    .discriminatedUnion('method', [
      z.strictObject({ method: z.literal('confidence-sequence'), tuningParameter: z.number().positive().default(5000) }),
      z.strictObject({ method: z.literal('mixture-sprt'), mixtureStandardDeviation: z.number().positive() }),
    ])
    .nullable()
    .default(null),
  bayesian: z
    .strictObject({ prior: z.strictObject({ mean: finite, variance: z.number().positive() }).nullable().default(null) })
    .nullable()
    .default(null),
});

export const analysisInputSchema = z.strictObject({
  name: z.string().min(1),
  arms: z
    .array(z.strictObject({ id: z.string().min(1), weight: z.number().positive(), units: count }))
    .min(2),
  /** The control arm's id; the first arm by default. */
  control: z.string().min(1).optional(),
  /** Units seen in more than one arm (they should have been excluded upstream). */
  multipleExposures: count.default(0),
  metrics: z.array(metric).min(1),
  options: options.default(() => options.parse({})),
});

/** The input as validated, with defaults filled in. */
export type AnalysisInput = z.output<typeof analysisInputSchema>;
export type MetricInput = AnalysisInput['metrics'][number];
export type AnalysisOptions = AnalysisInput['options'];
