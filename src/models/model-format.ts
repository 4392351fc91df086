/**
 * mlcycle's one versioned JSON model format for tree ensembles: the learner and its parameters, the input
 * signature, the trees, and training metadata. Typed arrays become JSON arrays of numbers, which
 * round-trip exactly, so a loaded model predicts bit for bit as the one saved.
 */
import { MlcycleError } from '../error.js';
import type { FlatTree, Link, TreeEnsemble } from './trees/tree-ensemble.js';

export const MODEL_FORMAT = 'mlcycle-model';
export const MODEL_FORMAT_VERSION = 1;

export interface FeatureSignature {
  name: string;
  type: 'numeric' | 'categorical';
  /** Categorical features: the category behind each code, code = position. */
  categories?: string[];
}

export interface TreeModel {
  learner: string;
  params: Record<string, unknown>;
  features: FeatureSignature[];
  ensemble: TreeEnsemble;
  training?: Record<string, unknown>;
}

const TREE_FIELDS = ['feature', 'threshold', 'left', 'right', 'decision', 'catStart', 'catLength', 'catBits', 'leafValue', 'nodeCount', 'leafCount', 'splitGain'] as const;
const ARRAY_TYPES = {
  feature: Int32Array,
  threshold: Float64Array,
  left: Int32Array,
  right: Int32Array,
  decision: Uint8Array,
  catStart: Int32Array,
  catLength: Int32Array,
  catBits: Uint32Array,
  leafValue: Float64Array,
  nodeCount: Float64Array,
  leafCount: Float64Array,
  splitGain: Float64Array,
} as const;

/** The model as JSON text. */
export function serializeModel(model: TreeModel): string {
  const { trees, ...ensemble } = model.ensemble;
  return JSON.stringify({
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    learner: model.learner,
    params: model.params,
    features: model.features,
    training: model.training ?? {},
    ensemble: { ...ensemble, trees: trees.map((tree) => Object.fromEntries(TREE_FIELDS.map((field) => [field, Array.from(tree[field])]))) },
  });
}

/** Reads a model back, checking its format, version and tree structure; errors name the field. */
export function parseModel(text: string, label = 'model'): TreeModel {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new MlcycleError('invalid_input', `${label}: not JSON (${(error as Error).message})`);
  }
  if (raw.format !== MODEL_FORMAT) throw new MlcycleError('invalid_input', `${label}: format: expected "${MODEL_FORMAT}"`);
  if (raw.version !== MODEL_FORMAT_VERSION) throw new MlcycleError('invalid_input', `${label}: version: this mlcycle reads version ${MODEL_FORMAT_VERSION}, the file is ${String(raw.version)}`);
  const ensemble = raw.ensemble as Record<string, unknown> | undefined;
  if (ensemble === undefined || !Array.isArray(ensemble.trees)) throw new MlcycleError('invalid_input', `${label}: ensemble.trees: required`);
  const featureCount = Number(ensemble.featureCount);
  const trees = (ensemble.trees as Record<string, unknown>[]).map((tree, index): FlatTree => {
    const arrays = Object.fromEntries(
      TREE_FIELDS.map((field) => {
        const values = tree[field];
        if (!Array.isArray(values) || values.some((value) => typeof value !== 'number')) {
          throw new MlcycleError('invalid_input', `${label}: ensemble.trees[${index}].${field}: expected a list of numbers`);
        }
        return [field, ARRAY_TYPES[field].from(values as number[])];
      }),
    ) as unknown as FlatTree;
    const nodes = arrays.feature.length;
    const leaves = arrays.leafValue.length;
    if (leaves !== nodes + 1) throw new MlcycleError('invalid_input', `${label}: ensemble.trees[${index}]: ${nodes} splits need ${nodes + 1} leaves, not ${leaves}`);
    for (const child of [...arrays.left, ...arrays.right]) {
      if (child >= nodes || ~child >= leaves) throw new MlcycleError('invalid_input', `${label}: ensemble.trees[${index}]: child ${child} is out of range`);
    }
    if (arrays.feature.some((feature) => feature < 0 || feature >= featureCount)) {
      throw new MlcycleError('invalid_input', `${label}: ensemble.trees[${index}].feature: a feature index is out of range`);
    }
    return arrays;
  });
  return {
    learner: String(raw.learner),
    params: (raw.params ?? {}) as Record<string, unknown>,
    features: (raw.features ?? []) as FeatureSignature[],
    training: (raw.training ?? {}) as Record<string, unknown>,
    ensemble: {
      featureCount,
      outputs: Number(ensemble.outputs),
      trees,
      baseScore: (ensemble.baseScore ?? []) as number[],
      link: ensemble.link as Link,
      logisticSlope: Number(ensemble.logisticSlope ?? 1),
      averageOutput: ensemble.averageOutput === true,
      ...(ensemble.float32Inputs === true ? { float32Inputs: true } : {}),
    },
  };
}

/** Gain and split-count importance per feature, summed over the trees. */
export function featureImportance(ensemble: TreeEnsemble): { gain: Float64Array; splits: Float64Array } {
  const gain = new Float64Array(ensemble.featureCount);
  const splits = new Float64Array(ensemble.featureCount);
  for (const tree of ensemble.trees) {
    tree.feature.forEach((feature, node) => {
      gain[feature] = (gain[feature] ?? 0) + (tree.splitGain[node] ?? 0);
      splits[feature] = (splits[feature] ?? 0) + 1;
    });
  }
  return { gain, splits };
}
