/**
 * Business value from the spec: picks the value model the spec's task names and hands the evaluation's
 * arrays to the matching function of business-value.ts and business-value-curve.ts.
 */
import { MlcycleError } from '../error.js';
import type { BinaryValueModel, MulticlassValueModel, ProblemSpec, RankingValueModel, RegressionValueModel } from '../problem/spec-schema.js';
import { analyzeBinaryValue, type BinaryValueAnalysis, type ValueGuardrails } from './business-value-curve.js';
import { multiclassValue, rankingValue, regressionValue, type ValueEstimate, type ValueIntervalOptions } from './business-value.js';

/** The evaluation's rows, shaped by task. */
export type BusinessValueInput =
  | { task: 'binary'; scores: ArrayLike<number>; labels: ArrayLike<number>; threshold?: number; guardrails?: ValueGuardrails }
  | { task: 'multiclass'; actual: ArrayLike<string | number>; predicted: ArrayLike<string | number> }
  | { task: 'regression'; targets: ArrayLike<number>; predictions: ArrayLike<number> }
  | { task: 'ranking'; queries: ArrayLike<string | number>; scores: ArrayLike<number>; relevance: ArrayLike<number> };

/** The value analysis for the spec's task, with its currency and unit. */
export type SpecBusinessValue = { currency: string; unit: string | null } & (
  | { task: 'binary'; analysis: BinaryValueAnalysis }
  | { task: 'multiclass' | 'regression' | 'ranking'; estimate: ValueEstimate }
);

/** Business value of an evaluation under the spec's value model; an error names a missing model or a task mismatch. */
export function businessValueWithSpec(spec: ProblemSpec, input: BusinessValueInput, options: ValueIntervalOptions = {}): SpecBusinessValue {
  const model = spec.valueModel;
  if (model === undefined)
    throw new MlcycleError('invalid_input', 'the spec has no valueModel: business value needs one', { issues: [{ path: 'valueModel', message: 'required for business value' }] });
  if (input.task !== spec.task)
    throw new MlcycleError('invalid_input', `the evaluation is ${input.task} but the spec's task is ${spec.task}`, { issues: [{ path: 'task', message: `expected ${input.task}` }] });
  const head = { currency: model.currency, unit: model.unit ?? null };
  switch (input.task) {
    case 'binary': {
      const { scores, labels, threshold, guardrails } = input;
      const analysis = analyzeBinaryValue(scores, labels, model as BinaryValueModel, {
        ...options,
        ...(threshold === undefined ? {} : { threshold }),
        ...(guardrails === undefined ? {} : { guardrails }),
      });
      return { ...head, task: 'binary', analysis };
    }
    case 'multiclass':
      return { ...head, task: 'multiclass', estimate: multiclassValue(input.actual, input.predicted, model as MulticlassValueModel, options) };
    case 'regression':
      return { ...head, task: 'regression', estimate: regressionValue(input.targets, input.predictions, model as RegressionValueModel, options) };
    case 'ranking':
      return { ...head, task: 'ranking', estimate: rankingValue(input.queries, input.scores, input.relevance, model as RankingValueModel, options) };
  }
}
