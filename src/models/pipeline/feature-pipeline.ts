/**
 * The feature pipeline saved inside a linear model: per input column, in signature order, either
 *  - numbers: missing values (null, NaN, and also +-Infinity) imputed by the training mean, then
 *    standardised, (x - mean) / scale with the population deviation of the imputed column (scikit-learn's
 *    SimpleImputer(strategy='mean') then StandardScaler; a scale of 0 becomes 1, as StandardScaler does,
 *    so a constant column is all zeros);
 *  - categories one-hot: one slot per training category, plus one slot shared by missing and unseen values;
 *  - categories target-encoded (target-encoding.ts), then standardised like numbers.
 * It turns resolved inputs (input-signature.ts: numbers and category codes) into the FeatureMatrix the
 * solvers read: the numeric and target-encoded columns dense, the one-hot slots as active indices.
 * Fitting returns the training matrix too, because target-encoded training rows are encoded out of fold.
 */
import { MlcycleError } from '../../error.js';
import { seededRandom } from '../../stats/random.js';
import { DEFAULT_SMOOTHING } from '../baselines.js';
import type { FeatureSignature, ResolvedInputs } from '../input-signature.js';
import type { FeatureMatrix } from '../linear/linear-models.js';
import { applyTargetEncoding, fitTargetEncoding, outOfFoldEncoding, type TargetEncoding } from './target-encoding.js';

export type ColumnStep =
  | { kind: 'standardise'; name: string; mean: number; scale: number }
  | { kind: 'one-hot'; name: string; categories: string[] }
  | ({ kind: 'target'; name: string; mean: number; scale: number } & TargetEncoding);

export interface FeaturePipeline {
  /** One step per signature column, in the same order. */
  steps: ColumnStep[];
}

export interface PipelineOptions {
  /** How each categorical column is encoded; one-hot unless named here. */
  encodings?: Readonly<Record<string, 'one-hot' | 'target'>>;
  /** Target encoding: folds for the out-of-fold training values (5), smoothing m (20), shuffle seed (0). */
  targetFolds?: number;
  targetSmoothing?: number;
  seed?: number;
}

/** The name of the slot that missing and unseen categories share. */
export const OTHER_SLOT = '(other or missing)';

/** Mean of the finite values and the population deviation of the column with the rest imputed by it. */
function standardisation(values: Float64Array): { mean: number; scale: number } {
  let sum = 0;
  let count = 0;
  for (const value of values) {
    if (Number.isFinite(value)) {
      sum += value;
      count++;
    }
  }
  const mean = count === 0 ? 0 : sum / count;
  let squares = 0;
  for (const value of values) if (Number.isFinite(value)) squares += (value - mean) ** 2;
  const scale = values.length === 0 ? 0 : Math.sqrt(squares / values.length);
  // StandardScaler's _handle_zeros_in_scale: a deviation within rounding of zero counts as zero.
  return { mean, scale: scale < 10 * Number.EPSILON * Math.max(1, Math.abs(mean)) ? 1 : scale };
}

function standardised(values: Float64Array, mean: number, scale: number): Float64Array {
  return values.map((value) => (Number.isFinite(value) ? (value - mean) / scale : 0));
}

/** Learns every step from the training inputs; returns the pipeline and the training matrix. */
export function fitPipeline(signature: readonly FeatureSignature[], inputs: ResolvedInputs, label: ArrayLike<number>, options: PipelineOptions = {}): { pipeline: FeaturePipeline; matrix: FeatureMatrix } {
  const random = seededRandom(options.seed ?? 0);
  const denseColumns: Float64Array[] = [];
  const steps = signature.map((feature, index): ColumnStep => {
    const values = inputs.columns[index] as Float64Array;
    if (feature.type === 'numeric') {
      const { mean, scale } = standardisation(values);
      return { kind: 'standardise', name: feature.name, mean, scale };
    }
    const categories = feature.categories ?? [];
    if ((options.encodings?.[feature.name] ?? 'one-hot') === 'one-hot') return { kind: 'one-hot', name: feature.name, categories: [...categories] };
    const smoothing = options.targetSmoothing ?? DEFAULT_SMOOTHING;
    const folds = options.targetFolds ?? 5;
    if (!(folds >= 2 && Number.isInteger(folds))) throw new MlcycleError('invalid_input', `targetFolds: expected an integer of at least 2, not ${folds}`);
    const training = outOfFoldEncoding(values, categories.length, label, smoothing, folds, random);
    denseColumns[index] = training;
    return { kind: 'target', name: feature.name, ...fitTargetEncoding(values, categories, label, smoothing), ...standardisation(training) };
  });
  const pipeline = { steps };
  return { pipeline, matrix: assemble(pipeline, inputs, (step, index) => denseColumns[index] ?? encodedColumn(step, signature[index] as FeatureSignature, inputs.columns[index] as Float64Array)) };
}

/** A dense step's raw values before standardisation. */
function encodedColumn(step: ColumnStep, feature: FeatureSignature, values: Float64Array): Float64Array {
  return step.kind === 'target' ? applyTargetEncoding(step, values, feature.categories ?? []) : values;
}

function assemble(pipeline: FeaturePipeline, inputs: ResolvedInputs, raw: (step: ColumnStep, index: number) => Float64Array): FeatureMatrix {
  const { rows } = inputs;
  const dense = pipeline.steps.flatMap((step, index) => (step.kind === 'one-hot' ? [] : [standardised(raw(step, index), step.mean, step.scale)]));
  const oneHot = pipeline.steps.flatMap((step, index) => (step.kind === 'one-hot' ? [{ step, codes: inputs.columns[index] as Float64Array }] : []));
  const denseWidth = dense.length;
  const activeWidth = oneHot.length;
  const denseValues = new Float64Array(rows * denseWidth);
  dense.forEach((column, feature) => column.forEach((value, row) => (denseValues[row * denseWidth + feature] = value)));
  const active = new Int32Array(rows * activeWidth);
  let offset = denseWidth;
  oneHot.forEach(({ step, codes }, slot) => {
    const other = step.categories.length;
    for (let row = 0; row < rows; row++) {
      const code = codes[row] as number;
      active[row * activeWidth + slot] = offset + (code >= 0 && code < other ? code : other);
    }
    offset += other + 1;
  });
  return { rows, dense: denseValues, denseWidth, active, activeWidth, features: offset };
}

/** The feature matrix of inputs resolved against the model's signature, as at training. */
export function transformInputs(pipeline: FeaturePipeline, signature: readonly FeatureSignature[], inputs: ResolvedInputs): FeatureMatrix {
  return assemble(pipeline, inputs, (step, index) => encodedColumn(step, signature[index] as FeatureSignature, inputs.columns[index] as Float64Array));
}

/** The name of every feature of the matrix: numeric and target-encoded columns, then `column=category` slots. */
export function featureNames(pipeline: FeaturePipeline): string[] {
  const dense = pipeline.steps.filter((step) => step.kind !== 'one-hot').map((step) => step.name);
  const slots = pipeline.steps.flatMap((step) => (step.kind === 'one-hot' ? [...step.categories, OTHER_SLOT].map((category) => `${step.name}=${category}`) : []));
  return [...dense, ...slots];
}
