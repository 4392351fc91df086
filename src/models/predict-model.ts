/**
 * Prediction for any model of the format from raw named columns: the input signature is enforced
 * (input-signature.ts) the same way for every learner, then the learner predicts. Tree ensembles read
 * category codes; unseen and missing categories reach them as NaN, which their splits route as missing.
 */
import { MlcycleError } from '../error.js';
import { resolveInputs, toRowMajor, type ModelInput } from './input-signature.js';
import { predictLinearModel } from './linear/linear-model.js';
import type { SavedModel, TreeModel } from './model-format.js';
import { predictEnsemble } from './trees/tree-ensemble.js';

/** Predictions of a tree model for named input columns: rows x outputs (probabilities for classifiers). */
export function predictTreeModel(model: TreeModel, input: ModelInput): Float64Array {
  if (model.features.length !== model.ensemble.featureCount) {
    throw new MlcycleError('invalid_input', `the model's input signature names ${model.features.length} columns, its trees read ${model.ensemble.featureCount} features`);
  }
  const resolved = resolveInputs(model.features, input);
  return predictEnsemble(model.ensemble, toRowMajor(resolved), resolved.rows);
}

/** Predictions of any saved model for named input columns. */
export function predictModel(model: SavedModel, input: ModelInput): Float64Array {
  return model.kind === 'linear' ? predictLinearModel(model, input) : predictTreeModel(model, input);
}
