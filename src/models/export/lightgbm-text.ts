/**
 * Writes a tree ensemble in LightGBM's text model format, readable by LightGBM (`Booster(model_file=...)`)
 * and by mlcycle's importer. LightGBM has no base score: it is folded into the first tree of each output,
 * as LightGBM itself folds the boost-from-average score.
 */
import { DECISION_CATEGORICAL, type FlatTree, type TreeEnsemble } from '../trees/tree-ensemble.js';

function objectiveLine(ensemble: TreeEnsemble): string {
  switch (ensemble.link) {
    case 'logistic':
      return ensemble.outputs > 1 ? `multiclassova num_class:${ensemble.outputs} sigmoid:${ensemble.logisticSlope}` : `binary sigmoid:${ensemble.logisticSlope}`;
    case 'softmax':
      return `multiclass num_class:${ensemble.outputs}`;
    case 'exponential':
      return 'poisson';
    case 'identity':
      return 'regression';
  }
}

function list(values: ArrayLike<number>): string {
  return Array.from(values, (value) => String(value)).join(' ');
}

function treeBlock(tree: FlatTree, index: number, shift: number): string {
  const nodes = tree.feature.length;
  const categorical: number[] = [];
  const threshold = Array.from(tree.threshold);
  const boundaries = [0];
  const bits: number[] = [];
  for (let node = 0; node < nodes; node++) {
    if (((tree.decision[node] ?? 0) & DECISION_CATEGORICAL) === 0) continue;
    threshold[node] = categorical.length;
    categorical.push(node);
    const start = tree.catStart[node] ?? 0;
    for (let word = 0; word < (tree.catLength[node] ?? 0); word++) bits.push(tree.catBits[start + word] ?? 0);
    boundaries.push(bits.length);
  }
  const lines = [
    `Tree=${index}`,
    `num_leaves=${tree.leafValue.length}`,
    `num_cat=${categorical.length}`,
  ];
  if (nodes > 0) {
    lines.push(
      `split_feature=${list(tree.feature)}`,
      `split_gain=${list(tree.splitGain)}`,
      `threshold=${list(threshold)}`,
      `decision_type=${list(tree.decision)}`,
      `left_child=${list(tree.left)}`,
      `right_child=${list(tree.right)}`,
    );
  }
  lines.push(`leaf_value=${list(Array.from(tree.leafValue, (value) => value + shift))}`, `leaf_count=${list(tree.leafCount)}`);
  if (nodes > 0) lines.push(`internal_count=${list(tree.nodeCount)}`);
  if (categorical.length > 0) lines.push(`cat_boundaries=${list(boundaries)}`, `cat_threshold=${list(bits)}`);
  lines.push('is_linear=0', 'shrinkage=1');
  return `${lines.join('\n')}\n`;
}

/** The LightGBM text of an ensemble; `featureNames` default to Column_0, Column_1... as LightGBM names them. */
export function writeLightgbmText(ensemble: TreeEnsemble, featureNames?: readonly string[]): string {
  const names = featureNames ?? Array.from({ length: ensemble.featureCount }, (_, index) => `Column_${index}`);
  const header = [
    'tree',
    'version=v4',
    `num_class=${ensemble.outputs}`,
    `num_tree_per_iteration=${ensemble.outputs}`,
    'label_index=0',
    `max_feature_idx=${ensemble.featureCount - 1}`,
    `objective=${objectiveLine(ensemble)}`,
    ...(ensemble.averageOutput ? ['average_output'] : []),
    `feature_names=${names.join(' ')}`,
    `feature_infos=${names.map(() => 'none').join(' ')}`,
    '',
  ];
  const blocks = ensemble.trees.map((tree, index) => treeBlock(tree, index, index < ensemble.outputs ? (ensemble.baseScore[index] ?? 0) : 0));
  return `${header.join('\n')}\n${blocks.join('\n')}\nend of trees\n`;
}
