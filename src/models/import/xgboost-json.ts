/**
 * Reads an XGBoost JSON model (`save_model("model.json")`, XGBoost 1.x and 2.x, gbtree booster, numeric
 * splits) into mlcycle's flattened tree ensemble. XGBoost compares float32 feature values with
 * `value < threshold`; the ensemble is marked for float32 inputs and each threshold becomes the largest
 * double below it, so `value <= threshold'` decides exactly as XGBoost does.
 */
import { MlcycleError } from '../../error.js';
import { nextDown } from '../../stats/next-down.js';
import { DECISION_DEFAULT_LEFT, MISSING_NAN, type FlatTree, type Link, type TreeEnsemble } from '../trees/tree-ensemble.js';

export interface XgboostModel {
  ensemble: TreeEnsemble;
  featureNames: string[];
  objective: string;
}


type Json = Record<string, unknown>;

function field<T>(object: Json | undefined, key: string, label: string, where: string): T {
  const value = object?.[key];
  if (value === undefined) throw new MlcycleError('invalid_input', `${label}: ${where}${key}: required`);
  return value as T;
}

function linkOf(objective: string, baseScore: number): { link: Link; base: number } {
  if (objective === 'binary:logistic' || objective === 'reg:logistic') return { link: 'logistic', base: Math.log(baseScore / (1 - baseScore)) };
  if (objective === 'multi:softprob' || objective === 'multi:softmax') return { link: 'softmax', base: baseScore };
  if (objective === 'count:poisson' || objective === 'reg:gamma' || objective === 'reg:tweedie') return { link: 'exponential', base: Math.log(baseScore) };
  if (objective.startsWith('reg:') || objective.startsWith('rank:') || objective === 'binary:logitraw') return { link: 'identity', base: baseScore };
  throw new MlcycleError('invalid_input', `XGBoost objective "${objective}" is not supported`);
}

function convertTree(tree: Json, label: string, index: number): FlatTree {
  const where = `learner.gradient_booster.model.trees[${index}].`;
  const left = field<number[]>(tree, 'left_children', label, where);
  const right = field<number[]>(tree, 'right_children', label, where);
  const features = field<number[]>(tree, 'split_indices', label, where);
  const conditions = field<number[]>(tree, 'split_conditions', label, where);
  const defaultLeft = field<number[]>(tree, 'default_left', label, where);
  const splitType = (tree.split_type as number[] | undefined) ?? [];
  if (splitType.some((type) => type !== 0)) throw new MlcycleError('invalid_input', `${label}: ${where}split_type: categorical splits are not supported`);
  // XGBoost numbers nodes in one list; mlcycle keeps internal nodes and leaves apart.
  const internal = new Map<number, number>();
  const leaf = new Map<number, number>();
  left.forEach((child, node) => (child === -1 ? leaf.set(node, leaf.size) : internal.set(node, internal.size)));
  const reference = (node: number): number => (left[node] === -1 ? ~(leaf.get(node) as number) : (internal.get(node) as number));
  const nodes = internal.size;
  const out: FlatTree = {
    feature: new Int32Array(nodes),
    threshold: new Float64Array(nodes),
    left: new Int32Array(nodes),
    right: new Int32Array(nodes),
    decision: new Uint8Array(nodes),
    catStart: new Int32Array(nodes),
    catLength: new Int32Array(nodes),
    catBits: new Uint32Array(0),
    leafValue: new Float64Array(leaf.size),
    nodeCount: new Float64Array(nodes),
    leafCount: new Float64Array(leaf.size),
    splitGain: new Float64Array(nodes),
  };
  const hessians = (tree.sum_hessian as number[] | undefined) ?? [];
  const gains = (tree.loss_changes as number[] | undefined) ?? [];
  for (const [node, position] of internal) {
    out.feature[position] = features[node] as number;
    // The JSON holds the float32 threshold in its shortest decimal form: back to float32 first.
    out.threshold[position] = nextDown(Math.fround(conditions[node] as number));
    out.left[position] = reference(left[node] as number);
    out.right[position] = reference(right[node] as number);
    out.decision[position] = (MISSING_NAN << 2) | (defaultLeft[node] === 1 ? DECISION_DEFAULT_LEFT : 0);
    out.nodeCount[position] = hessians[node] ?? 0;
    out.splitGain[position] = gains[node] ?? 0;
  }
  for (const [node, position] of leaf) {
    out.leafValue[position] = Math.fround(conditions[node] as number);
    out.leafCount[position] = hessians[node] ?? 0;
  }
  // XGBoost's covers are float32 Hessian sums, whose children need not add up to their parent exactly;
  // TreeSHAP's identity needs them to, so each internal cover is rebuilt from its leaves.
  const coverOf = (child: number): number => (child < 0 ? (out.leafCount[~child] as number) : rebuild(child));
  const rebuild = (position: number): number => {
    const total = coverOf(out.left[position] as number) + coverOf(out.right[position] as number);
    out.nodeCount[position] = total;
    return total;
  };
  if (nodes > 0) rebuild(0);
  return out;
}

/** Parses an XGBoost JSON model; errors name the field. */
export function parseXgboostJson(text: string, label = 'model'): XgboostModel {
  let raw: Json;
  try {
    raw = JSON.parse(text) as Json;
  } catch (error) {
    throw new MlcycleError('invalid_input', `${label}: not JSON (${(error as Error).message})`);
  }
  const learner = field<Json>(raw, 'learner', label, '');
  const booster = field<Json>(learner, 'gradient_booster', label, 'learner.');
  if (booster.name !== 'gbtree') throw new MlcycleError('invalid_input', `${label}: learner.gradient_booster.name: only gbtree boosters are supported, not ${String(booster.name)}`);
  const model = field<Json>(booster, 'model', label, 'learner.gradient_booster.');
  const trees = field<Json[]>(model, 'trees', label, 'learner.gradient_booster.model.');
  const treeInfo = field<number[]>(model, 'tree_info', label, 'learner.gradient_booster.model.');
  const parameters = field<Json>(learner, 'learner_model_param', label, 'learner.');
  const objective = String(field<Json>(learner, 'objective', label, 'learner.').name);
  const outputs = Math.max(1, Number(parameters.num_class ?? 0));
  const featureCount = Number(parameters.num_feature);
  // base_score may be written "5E-1" or, in XGBoost 2, "[5E-1]".
  const { link, base } = linkOf(objective, Number(String(parameters.base_score ?? '0.5').replace(/[[\]]/g, '')));
  const converted = trees.map((tree, index) => convertTree(tree, label, index));
  // The ensemble's tree t adds to output t mod outputs: XGBoost writes trees in that order (tree_info).
  if (treeInfo.some((group, index) => group !== index % outputs)) {
    throw new MlcycleError('invalid_input', `${label}: learner.gradient_booster.model.tree_info: trees are not in round-by-class order`);
  }
  return {
    ensemble: { featureCount, outputs, trees: converted, baseScore: new Array<number>(outputs).fill(base), link, logisticSlope: 1, averageOutput: false, float32Inputs: true },
    featureNames: (learner.feature_names as string[] | undefined) ?? [],
    objective,
  };
}
