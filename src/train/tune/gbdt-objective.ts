/**
 * The tuning objective of gradient-boosted trees: train on one Parquet file, report the validation metric
 * after every boosting round (so a pruner can stop a poor trial early), and score the model at its best
 * round. Parameters a trial does not set come from the spec's fixed `params`, then mlcycle's defaults.
 */
import { trainGbdt, type GbdtParams } from '../../models/gbdt/train-gbdt.js';
import type { ValidationMetric } from '../../models/gbdt/validation-metrics.js';
import { openAnalyticsEngine } from '../../store/backends.js';
import { readFeatureTable, type FeatureDefinition } from '../feature-table.js';
import type { TrialObjective } from './objective.js';

export interface GbdtObjectiveSpec {
  kind: 'gbdt';
  trainFile: string;
  validationFile: string;
  features: FeatureDefinition[];
  /** SQL for the label, e.g. `y = 1`. */
  labelSql: string;
  /** Fixed parameters, `objective` among them; a trial's parameters override them. */
  params: Partial<GbdtParams> & { objective: GbdtParams['objective'] };
  /** The validation metric (default AUC for binary, else the objective's loss). */
  metric?: ValidationMetric;
}

/** The metric a spec's trials are scored by: as given, else the one trainGbdt watches for its objective. */
export function gbdtMetric(spec: GbdtObjectiveSpec): ValidationMetric {
  if (spec.metric !== undefined) return spec.metric;
  const objective = spec.params.objective;
  return objective === 'binary' ? 'auc' : objective === 'multiclass' ? 'multi-logloss' : objective === 'regression_l1' ? 'mae' : 'rmse';
}

/** The training parameters a search space may tune. */
export const GBDT_TUNABLE_PARAMETERS: readonly string[] = [
  'rounds', 'learningRate', 'numLeaves', 'maxDepth', 'minDataInLeaf', 'minSumHessianInLeaf', 'lambdaL1', 'lambdaL2',
  'minGainToSplit', 'featureFraction', 'baggingFraction', 'maxBins', 'seed', 'maxCatToOnehot', 'catSmooth', 'catL2',
  'maxCatThreshold', 'minDataPerGroup', 'huberDelta',
];

/** Reads the training and validation tables once; each evaluation trains one model on them. */
export async function loadGbdtObjective(spec: GbdtObjectiveSpec): Promise<TrialObjective> {
  const engine = await openAnalyticsEngine();
  let train;
  let validation;
  try {
    train = await readFeatureTable(engine, spec.trainFile, spec.features, spec.labelSql);
    validation = await readFeatureTable(engine, spec.validationFile, spec.features, spec.labelSql, train.signature);
  } finally {
    await engine.close();
  }
  const categorical = train.signature.map((feature) => feature.type === 'categorical');
  return {
    async evaluate(params, report) {
      let pruned = false;
      // Rounds are reported from step 0, as Optuna's LightGBM integration reports iterations.
      const model = trainGbdt({ columns: train.columns, label: train.label, categorical }, { ...spec.params, ...(params as Partial<GbdtParams>) }, {
        columns: validation.columns,
        label: validation.label,
        ...(spec.metric === undefined ? {} : { metric: spec.metric }),
        onRound: (round, value) => {
          pruned = report(round - 1, value);
          return pruned ? 'stop' : 'continue';
        },
      });
      if (pruned) return { state: 'pruned' };
      // The model as trained: its metric after the last round.
      return { state: 'complete', value: model.history.at(-1)?.value ?? NaN };
    },
  };
}
