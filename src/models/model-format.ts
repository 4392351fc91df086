/**
 * mlcycle's one versioned JSON model format: the learner and its parameters, the input signature,
 * training metadata, and the model itself, by kind: a tree ensemble (the trees) or a linear model (the
 * feature pipeline, weights and intercept; linear/linear-format.ts). Typed arrays become JSON arrays of
 * numbers, which round-trip exactly, so a loaded model predicts bit for bit as the one saved.
 *
 * Versions: 1 held tree ensembles only and had no `kind`; 2 adds `kind` ("tree-ensemble" or "linear").
 * Version 1 files are still read, as tree ensembles.
 */
import { MlcycleError } from '../error.js';
import type { FeatureSignature } from './input-signature.js';
import { linearModelFields, readLinearModel } from './linear/linear-format.js';
import type { LinearModel } from './linear/linear-model.js';
import type { FlatTree, Link, TreeEnsemble } from './trees/tree-ensemble.js';

export type { FeatureSignature } from './input-signature.js';

export const MODEL_FORMAT = 'mlcycle-model';
export const MODEL_FORMAT_VERSION = 2;
const READABLE_VERSIONS = [1, 2];

export interface TreeModel {
  /** Absent in models built before the format had kinds. */
  kind?: 'tree-ensemble';
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

/** Every model the format holds, told apart by `kind`. */
export type SavedModel = TreeModel | LinearModel;

/** The model as JSON text. */
export function serializeModel(model: SavedModel): string {
  if (model.kind === 'linear') return JSON.stringify({ format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, kind: 'linear', ...linearModelFields(model) });
  const { trees, ...ensemble } = model.ensemble;
  return JSON.stringify({
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    kind: 'tree-ensemble',
    learner: model.learner,
    params: model.params,
    features: model.features,
    training: model.training ?? {},
    ensemble: { ...ensemble, trees: trees.map((tree) => Object.fromEntries(TREE_FIELDS.map((field) => [field, Array.from(tree[field])]))) },
  });
}

/** The input signature of a model file: names, types, and the categories of categorical columns. */
function readSignature(raw: unknown, label: string): FeatureSignature[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new MlcycleError('invalid_input', `${label}: features: expected a list`);
  return raw.map((item: unknown, index): FeatureSignature => {
    const feature = (item ?? {}) as Record<string, unknown>;
    if (typeof feature.name !== 'string') throw new MlcycleError('invalid_input', `${label}: features[${index}].name: expected a string`);
    if (feature.type !== 'numeric' && feature.type !== 'categorical') throw new MlcycleError('invalid_input', `${label}: features[${index}].type: expected "numeric" or "categorical"`);
    const categories = feature.categories;
    if (categories === undefined) return { name: feature.name, type: feature.type };
    if (!Array.isArray(categories) || categories.some((category) => typeof category !== 'string')) {
      throw new MlcycleError('invalid_input', `${label}: features[${index}].categories: expected a list of strings`);
    }
    return { name: feature.name, type: feature.type, categories: categories as string[] };
  });
}

/** Reads a model back, checking its format, version and structure; errors name the field. */
export function parseModel(text: string, label = 'model'): SavedModel {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new MlcycleError('invalid_input', `${label}: not JSON (${(error as Error).message})`);
  }
  if (raw.format !== MODEL_FORMAT) throw new MlcycleError('invalid_input', `${label}: format: expected "${MODEL_FORMAT}"`);
  if (!READABLE_VERSIONS.includes(raw.version as number)) {
    throw new MlcycleError('invalid_input', `${label}: version: this mlcycle reads versions ${READABLE_VERSIONS.join(' and ')}, the file is ${String(raw.version)}`);
  }
  const kind = raw.version === 1 ? 'tree-ensemble' : raw.kind;
  const features = readSignature(raw.features, label);
  if (kind === 'linear') return readLinearModel(raw, features, label);
  if (kind !== 'tree-ensemble') throw new MlcycleError('invalid_input', `${label}: kind: expected "tree-ensemble" or "linear", not ${String(raw.kind)}`);
  return readTreeModel(raw, features, label);
}

/** Reads a model that must be a tree ensemble. */
export function parseTreeModel(text: string, label = 'model'): TreeModel {
  const model = parseModel(text, label);
  if (model.kind === 'linear') throw new MlcycleError('invalid_input', `${label}: kind: expected a tree ensemble, the file holds a linear model`);
  return model;
}

function readTreeModel(raw: Record<string, unknown>, features: FeatureSignature[], label: string): TreeModel {
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
    kind: 'tree-ensemble',
    learner: String(raw.learner),
    params: (raw.params ?? {}) as Record<string, unknown>,
    features,
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
