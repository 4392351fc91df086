/**
 * A rollout plan (`mlcycle rollout start NAME --file ROLLOUT.yaml`): a candidate model version widened
 * step by step against a baseline, each step a traffic share and, optionally, a scope of segments (the
 * spec's segments by name: region Northeast, then the East, then everywhere), with the gates a step must
 * pass before the next: a minimum duration and sample, the spec's primary metric not worse than the
 * baseline, guardrails shown non-inferior, no segment significantly worse (Holm-adjusted), model health
 * (the candidate's false-alarm rate on labelled outcomes against the spec's limit, its decision rate) and
 * service health (its p99 latency and error rate). Problems come back as
 * `file:line: path` issues, like the spec's.
 */
import { z } from 'zod';
import { MlcycleError, type InputIssue } from '../error.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import { formatPath, parseSpecPart, type SpecIssue } from '../problem/spec-issues.js';
import { checkYamlText } from '../problem/yaml-text.js';

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must start with a letter or _ and hold only letters, digits, _, . and -');

const StepSchema = z.strictObject({
  name: identifier,
  /** The share of in-scope units the candidate serves, in (0, 1]; 0 on a shadow step. */
  share: z.number().gte(0).lte(1),
  /** A shadow step: the candidate scores the scope's traffic without acting, and is compared with the baseline. */
  shadow: z.boolean().default(false),
  /** The step's scope: spec segment name to the values taken in; everywhere when absent. */
  segments: z.record(z.string(), z.array(z.union([z.string(), z.number()])).min(1)).optional(),
  /** The least time a step runs before its gates can pass. */
  minMinutes: z.number().nonnegative().default(0),
  /** The least exposed units (both sides) before its gates can pass. */
  minUnits: z.number().int().nonnegative().default(0),
});

export const RolloutPlanSchema = z.strictObject({
  description: z.string().optional(),
  /** The endpoint clients call (`POST /api/v1/predict/ENDPOINT`). */
  endpoint: identifier,
  /** The model version rolled out: NAME@ALIAS or NAME/VERSION. */
  candidate: z.string().min(1),
  /** What it replaces: NAME@ALIAS or NAME/VERSION (the endpoint's champion, usually). */
  baseline: z.string().min(1),
  steps: z.array(StepSchema).min(1),
  gates: z
    .strictObject({
      /** The candidate's p99 prediction latency may not exceed this (ms). */
      maxP99Ms: z.number().positive().optional(),
      /** On a shadow step: the least share of requests on which the candidate's decision agrees with the baseline's. */
      minShadowAgreement: z.number().gt(0).lte(1).optional(),
      /** On a shadow step: the largest Kolmogorov-Smirnov distance between the two models' score distributions. */
      maxShadowScoreShift: z.number().gt(0).lte(1).optional(),
      /** The candidate's share of positive decisions (alerts) may not exceed this. */
      maxDecisionRate: z.number().gt(0).lte(1).optional(),
      /**
       * The population stability index of the candidate's live scores against the scores of its newest
       * offline evaluation may not exceed this (0.25 is the usual "significant shift"); off when absent.
       */
      maxScoreDrift: z.number().positive().optional(),
      /** The candidate's share of failed requests (error answers) may not exceed this. */
      maxErrorRate: z.number().gt(0).lt(1).default(0.01),
      /**
       * The candidate's false-alarm rate, FP / (FP + TN) on the labelled outcomes of its step, may not exceed
       * this: `spec` takes the spec's `valueModel.maxFalsePositiveRate` (no gate when the spec has none),
       * `off` turns the gate off.
       */
      falseAlarmRate: z.union([z.literal('spec'), z.literal('off'), z.number().gt(0).lt(1)], { error: 'expected spec, off or a rate between 0 and 1' }).default('spec'),
      /** Labelled negatives the false-alarm gate needs before it can pass. */
      minOutcomes: z.number().int().positive().default(200),
      /** The outcome event that carries the true label (1 positive, 0 negative); the spec's target column by default. */
      labelEvent: identifier.optional(),
      /**
       * How a guardrail gates a step: `non-inferior`, shown within its margin (a step waits until it is);
       * or `no-harm`, only not significantly worse, as GrowthBook's safe rollouts check guardrails (for a
       * guardrail on a rare event, whose margin a step's traffic cannot show).
       */
      guardrails: z.enum(['non-inferior', 'no-harm']).default('non-inferior'),
      alpha: z.number().gt(0).lt(0.5).default(0.05),
    })
    .default({ alpha: 0.05, maxErrorRate: 0.01, falseAlarmRate: 'spec', minOutcomes: 200, guardrails: 'non-inferior' }),
  /**
   * Before the first step, choose the candidate's decision threshold again on its recent labelled
   * predictions (the value-maximising threshold under the spec's false-alarm limit, as offline evaluation
   * chooses it), or keep it when too few outcomes have arrived; the start records which it did.
   */
  rechooseThreshold: z
    .strictObject({
      /** How far back its predictions count. */
      windowDays: z.number().positive().default(30),
      /** Labelled predictions needed to choose again. */
      minOutcomes: z.number().int().positive().default(1000),
      /**
       * Choose under the false-alarm limit less this much, so that the live rate, which scatters around
       * the chosen point, does not sit on the gate's limit (0.02: choose under 18% for a 20% limit).
       */
      headroom: z.number().gte(0).lt(1).default(0),
    })
    .optional(),
  /** What a failed gate does: roll back (traffic returns to the baseline) or pause. */
  onFailure: z.enum(['rollback', 'pause']).default('rollback'),
  /** How long an inconclusive step waits before the rollout pauses. */
  inconclusiveDeadlineMinutes: z.number().positive().default(24 * 60),
});

export type RolloutPlan = z.output<typeof RolloutPlanSchema>;
export type RolloutStep = RolloutPlan['steps'][number];

/** Validates a plan against the spec: segment names must be the spec's, shares must not shrink. */
export function validateRolloutPlan(raw: unknown, spec?: Pick<ProblemSpec, 'segments'>): { value: RolloutPlan; issues: [] } | { value: undefined; issues: SpecIssue[] } {
  const shape = parseSpecPart(RolloutPlanSchema, raw);
  if (shape.data === undefined) return { value: undefined, issues: shape.issues };
  const plan = shape.data;
  const issues: SpecIssue[] = [];
  const names = new Set<string>();
  plan.steps.forEach((step, index) => {
    if (names.has(step.name)) issues.push({ segments: ['steps', index, 'name'], message: `step "${step.name}" appears twice` });
    names.add(step.name);
    for (const segment of Object.keys(step.segments ?? {})) {
      if (spec !== undefined && !spec.segments.some((candidate) => candidate.name === segment)) {
        issues.push({ segments: ['steps', index, 'segments', segment], message: `"${segment}" is not a segment of mlcycle.yaml (segments: ${spec.segments.map((item) => item.name).join(', ') || 'none'})` });
      }
    }
    if (!step.shadow && step.share === 0) issues.push({ segments: ['steps', index, 'share'], message: 'must be above 0 (or make the step a shadow step: shadow: true)' });
    if (step.shadow && step.share !== 0) issues.push({ segments: ['steps', index, 'share'], message: 'a shadow step serves no traffic from the candidate: give share 0' });
    const previous = plan.steps[index - 1];
    if (previous !== undefined && !previous.shadow && step.share < previous.share && sameScope(step, previous)) {
      issues.push({ segments: ['steps', index, 'share'], message: `${step.share} is below the previous step's ${previous.share} on the same scope: a rollout only widens` });
    }
  });
  if (plan.candidate === plan.baseline) issues.push({ segments: ['candidate'], message: 'the candidate and the baseline are the same reference' });
  return issues.length > 0 ? { value: undefined, issues } : { value: plan, issues: [] };
}

function sameScope(a: RolloutStep, b: RolloutStep): boolean {
  return JSON.stringify(a.segments ?? null) === JSON.stringify(b.segments ?? null);
}

/** Reads a plan file; every problem carries the file and line. */
export function parseRolloutPlan(text: string, fileLabel: string, spec?: Pick<ProblemSpec, 'segments'>): RolloutPlan {
  const result = checkYamlText(text, fileLabel, (raw) => validateRolloutPlan(raw, spec));
  if (result.value === undefined) throw planError(fileLabel, result.issues);
  return result.value;
}

/** A plan sent over the API: YAML text (problems carry its lines) or a JSON object (problems carry `plan.` paths). */
export function readRolloutPlan(value: unknown, spec: Pick<ProblemSpec, 'segments'>): RolloutPlan {
  if (value === undefined) throw new MlcycleError('invalid_input', 'plan: required (the rollout plan, as YAML text or a JSON object)', { issues: [{ path: 'plan', message: 'required' }] });
  if (typeof value === 'string') return parseRolloutPlan(value, 'plan', spec);
  const result = validateRolloutPlan(value, spec);
  if (result.value === undefined) throw planError('plan', result.issues.map((issue) => ({ path: formatPath(['plan', ...issue.segments]), message: issue.message })));
  return result.value;
}

/** Validates a stored plan again. */
export function checkRolloutPlan(raw: unknown, label: string): RolloutPlan {
  const result = validateRolloutPlan(raw);
  if (result.value === undefined) throw planError(label, result.issues.map((issue) => ({ path: issue.segments.join('.'), message: issue.message })));
  return result.value;
}

function planError(label: string, issues: InputIssue[]): MlcycleError {
  const first = issues[0];
  const where = first === undefined ? '' : ` (${first.line === undefined ? '' : `line ${first.line}: `}${first.path}: ${first.message})`;
  return new MlcycleError('invalid_input', `${label} has ${issues.length} problem${issues.length === 1 ? '' : 's'}${where}`, { issues });
}

/** A step's scope as a targeting expression over the segments' columns (undefined: everywhere). */
export function scopeExpression(step: RolloutStep, spec: Pick<ProblemSpec, 'segments'>): string | undefined {
  const parts = Object.entries(step.segments ?? {}).map(([name, values]) => {
    const column = spec.segments.find((segment) => segment.name === name)?.column ?? name;
    return `${column} in [${values.map((value) => JSON.stringify(value)).join(', ')}]`;
  });
  return parts.length === 0 ? undefined : parts.join(' and ');
}
