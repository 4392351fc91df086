/**
 * The train step's work, free of I/O: fits the chosen learner on the training features and returns the
 * model as the text of its file. GBDT watches the validation features each round (their scores are kept
 * up to date tree by tree by the trainer) and reports every round to `onRound`, which may stop it.
 * Baselines have a small file format of their own beside the model format's tree and linear models.
 */
import { fitConstantBaseline, fitGroupedRate, predictGroupedRate, type ConstantBaseline, type GroupedRateBaseline } from '../../../models/baselines.js';
import { trainGbdt } from '../../../models/gbdt/train-gbdt.js';
import type { ValidationMetric } from '../../../models/gbdt/validation-metrics.js';
import { resolveInputs, type FeatureSignature } from '../../../models/input-signature.js';
import { trainLinearModel } from '../../../models/linear/linear-model.js';
import { parseModel, serializeModel, type TreeModel } from '../../../models/model-format.js';
import { predictModel } from '../../../models/predict-model.js';
import type { ResultColumn } from '../../../store/analytics.js';
import type { TrainingChoice } from '../learner-params.js';
import type { FeatureColumns } from './feature-file.js';

export const BASELINE_FORMAT = 'mlcycle-baseline';

/** A baseline as saved: the features it reads and the fitted rates. */
export type BaselineFile =
  | { format: typeof BASELINE_FORMAT; version: 1; kind: 'grouped-rate'; groups: string[]; model: GroupedRateBaseline }
  | { format: typeof BASELINE_FORMAT; version: 1; kind: 'constant'; model: ConstantBaseline };

export interface FittedModel {
  text: string;
  /** The watched validation metric per round (GBDT). */
  history: { round: number; value: number }[];
  rounds: number;
  stopped: boolean;
  trainingRows: number;
}

/** Zod's optional fields may hold undefined; the trainers' options may only be absent. */
type Present<T> = { [K in keyof T]?: Exclude<T[K], undefined> };
function present<T extends object>(value: T): Present<T> {
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined)) as Present<T>;
}

function every<T>(values: ArrayLike<T>, stride: number): T[] {
  const out: T[] = [];
  for (let index = 0; index < values.length; index += stride) out.push(values[index] as T);
  return out;
}

function subsample(table: FeatureColumns, stride: number): FeatureColumns {
  if (stride === 1) return table;
  const raw = Object.fromEntries(Object.entries(table.raw).map(([name, column]) => [name, column instanceof Float64Array ? Float64Array.from(every(column, stride)) : every(column, stride)]));
  return { rows: Math.ceil(table.rows / stride), signature: table.signature, raw, label: Float64Array.from(every(table.label, stride)) };
}

/** Group keys of rows: the group features' values as text, missing as empty. */
function groupKeys(raw: Record<string, ResultColumn>, groups: readonly string[], rows: number): string[][] {
  const columns = groups.map((name) => raw[name]);
  return Array.from({ length: rows }, (_, row) => columns.map((column) => {
    const value = column?.[row];
    return value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value)) ? '' : String(value);
  }));
}

/** Fits the learner; `onRound` hears each GBDT round's validation metric and may stop training. */
export function fitModel(
  choice: TrainingChoice,
  sampleStride: number,
  trainingTable: FeatureColumns,
  validation: FeatureColumns | undefined,
  onRound?: (round: number, value: number) => 'continue' | 'stop',
): FittedModel {
  const training = subsample(trainingTable, sampleStride);
  const fitted = { history: [], rounds: 0, stopped: false, trainingRows: training.rows };
  switch (choice.learner) {
    case 'gbdt': {
      const { validationMetric, earlyStoppingRounds, ...params } = present(choice.params);
      const objective = params.objective ?? 'binary';
      const resolved = resolveInputs(training.signature, training.raw);
      const watched = validation === undefined ? undefined : resolveInputs(training.signature, validation.raw);
      let stopped = false;
      const trained = trainGbdt(
        { columns: resolved.columns, label: training.label, categorical: training.signature.map((feature) => feature.type === 'categorical') },
        { ...params, objective },
        watched === undefined || validation === undefined
          ? undefined
          : {
              columns: watched.columns,
              label: validation.label,
              ...(validationMetric === undefined ? {} : { metric: validationMetric as ValidationMetric }),
              patience: earlyStoppingRounds ?? 0,
              onRound: (round, value) => {
                const decision = onRound?.(round, value) ?? 'continue';
                if (decision === 'stop') stopped = true;
                return decision;
              },
            },
      );
      const model: TreeModel = { kind: 'tree-ensemble', learner: 'gbdt', params: { ...trained.params }, features: training.signature, ensemble: trained.ensemble, training: { rows: training.rows, bestRound: trained.bestRound } };
      return { ...fitted, text: serializeModel(model), history: trained.history, rounds: trained.bestRound, stopped };
    }
    case 'logistic-regression':
    case 'linear-regression': {
      const model = trainLinearModel(training.raw, training.label, { learner: choice.learner, features: training.signature.map(({ name, type }) => ({ name, type })), ...present(choice.params) });
      return { ...fitted, text: serializeModel(model) };
    }
    case 'grouped-rate': {
      const { groups, smoothing } = choice.params;
      const model = fitGroupedRate(groupKeys(training.raw, groups, training.rows), training.label, smoothing);
      return { ...fitted, text: JSON.stringify({ format: BASELINE_FORMAT, version: 1, kind: 'grouped-rate', groups, model } satisfies BaselineFile) };
    }
    case 'constant': {
      const model = fitConstantBaseline(training.label, 'binary');
      return { ...fitted, text: JSON.stringify({ format: BASELINE_FORMAT, version: 1, kind: 'constant', model } satisfies BaselineFile) };
    }
  }
}

/** Predictions of a model file's text for named columns. */
export function predictFromText(text: string, table: { raw: Record<string, ResultColumn>; rows: number }): Float64Array {
  const parsed = JSON.parse(text) as { format?: string };
  if (parsed.format === BASELINE_FORMAT) {
    const baseline = parsed as BaselineFile;
    if (baseline.kind === 'constant') return new Float64Array(table.rows).fill(baseline.model.values[0] ?? 0);
    return predictGroupedRate(baseline.model, groupKeys(table.raw, baseline.groups, table.rows));
  }
  return predictModel(parseModel(text), table.raw);
}

export type { FeatureSignature };
