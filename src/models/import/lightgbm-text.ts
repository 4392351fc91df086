/**
 * Reads LightGBM's text model format (what `save_model` writes: a `key=value` header, `Tree=<i>` blocks,
 * `end of trees`) into mlcycle's flattened tree ensemble. Pure: the caller reads the file.
 */
import { MlcycleError } from '../../error.js';
import type { FlatTree, Link, TreeEnsemble } from '../trees/tree-ensemble.js';

export interface LightgbmModel {
  ensemble: TreeEnsemble;
  featureNames: string[];
  /** LightGBM's `feature_infos`: `[min:max]` for numbers, `a:b:c` for the categories seen, `none` for unused. */
  featureInfos: string[];
  objective: string;
}

/** The link of a LightGBM objective (src/objective/*.hpp: ConvertOutput). */
function linkOf(objective: string): { link: Link; slope: number } {
  const [name = '', ...parameters] = objective.split(' ');
  const parameter = (key: string): number | undefined => {
    const found = parameters.find((item) => item.startsWith(`${key}:`));
    return found === undefined ? undefined : Number(found.slice(key.length + 1));
  };
  if (name === 'binary' || name === 'multiclassova') return { link: 'logistic', slope: parameter('sigmoid') ?? 1 };
  if (name === 'cross_entropy' || name === 'xentropy') return { link: 'logistic', slope: 1 };
  if (name === 'multiclass' || name === 'softmax') return { link: 'softmax', slope: 1 };
  if (['poisson', 'gamma', 'tweedie'].includes(name)) return { link: 'exponential', slope: 1 };
  if (['regression', 'regression_l2', 'regression_l1', 'huber', 'fair', 'quantile', 'mape', 'lambdarank', 'rank_xendcg', 'custom'].includes(name)) {
    return { link: 'identity', slope: 1 };
  }
  throw new MlcycleError('invalid_input', `LightGBM objective "${name}" is not supported`);
}

/** Parses a LightGBM text model; errors name the line. */
export function parseLightgbmText(text: string, label = 'model'): LightgbmModel {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== 'tree') throw new MlcycleError('invalid_input', `${label}:1: not a LightGBM text model (the first line is not "tree")`);
  const header = new Map<string, string>();
  let index = 1;
  for (; index < lines.length && !(lines[index] ?? '').startsWith('Tree='); index++) {
    const line = lines[index] ?? '';
    const equals = line.indexOf('=');
    if (equals > 0) header.set(line.slice(0, equals), line.slice(equals + 1));
  }
  const required = (key: string): string => {
    const value = header.get(key);
    if (value === undefined) throw new MlcycleError('invalid_input', `${label}: the header has no ${key}`);
    return value;
  };
  const outputs = Number(required('num_tree_per_iteration'));
  const featureCount = Number(required('max_feature_idx')) + 1;
  const objective = required('objective');
  const { link, slope } = linkOf(objective);
  const trees: FlatTree[] = [];
  while (index < lines.length && (lines[index] ?? '').startsWith('Tree=')) {
    const start = index + 1;
    const fields = new Map<string, { value: string; line: number }>();
    for (index = start; index < lines.length && (lines[index] ?? '').trim() !== ''; index++) {
      const line = lines[index] ?? '';
      const equals = line.indexOf('=');
      if (equals > 0) fields.set(line.slice(0, equals), { value: line.slice(equals + 1), line: index + 1 });
    }
    trees.push(parseTree(fields, label, start));
    while (index < lines.length && (lines[index] ?? '').trim() === '') index++;
  }
  if (trees.length === 0) throw new MlcycleError('invalid_input', `${label}: no trees`);
  if (trees.length % outputs !== 0) throw new MlcycleError('invalid_input', `${label}: ${trees.length} trees do not divide into ${outputs} per iteration`);
  return {
    ensemble: {
      featureCount,
      outputs,
      trees,
      baseScore: new Array<number>(outputs).fill(0),
      link,
      logisticSlope: slope,
      averageOutput: header.has('average_output'),
    },
    featureNames: (header.get('feature_names') ?? '').split(' ').filter((name) => name !== ''),
    featureInfos: (header.get('feature_infos') ?? '').split(' ').filter((info) => info !== ''),
    objective,
  };
}

function parseTree(fields: Map<string, { value: string; line: number }>, label: string, line: number): FlatTree {
  const numbers = (key: string, count: number): number[] => {
    const field = fields.get(key);
    if (field === undefined) {
      if (count === 0) return [];
      throw new MlcycleError('invalid_input', `${label}:${line}: the tree has no ${key}`);
    }
    const values = field.value.trim() === '' ? [] : field.value.trim().split(' ').map(Number);
    if (values.length !== count || values.some((value) => Number.isNaN(value))) {
      throw new MlcycleError('invalid_input', `${label}:${field.line}: ${key} should hold ${count} numbers`);
    }
    return values;
  };
  if (fields.get('is_linear')?.value === '1') throw new MlcycleError('invalid_input', `${label}:${line}: linear trees are not supported`);
  const leaves = numbers('num_leaves', 1)[0] ?? 0;
  const categorical = numbers('num_cat', 1)[0] ?? 0;
  const nodes = Math.max(0, leaves - 1);
  const decision = Uint8Array.from(numbers('decision_type', nodes));
  const threshold = Float64Array.from(numbers('threshold', nodes));
  const boundaries = categorical > 0 ? numbers('cat_boundaries', categorical + 1) : [0];
  const bitCount = boundaries[boundaries.length - 1] ?? 0;
  const catBits = Uint32Array.from(categorical > 0 ? numbers('cat_threshold', bitCount) : []);
  const catStart = new Int32Array(nodes);
  const catLength = new Int32Array(nodes);
  for (let node = 0; node < nodes; node++) {
    if (((decision[node] ?? 0) & 1) === 0) continue;
    // A categorical node's threshold is the index of its bitset among the tree's categorical splits.
    const which = threshold[node] ?? 0;
    catStart[node] = boundaries[which] ?? 0;
    catLength[node] = (boundaries[which + 1] ?? 0) - (boundaries[which] ?? 0);
  }
  return {
    feature: Int32Array.from(numbers('split_feature', nodes)),
    threshold,
    left: Int32Array.from(numbers('left_child', nodes)),
    right: Int32Array.from(numbers('right_child', nodes)),
    decision,
    catStart,
    catLength,
    catBits,
    leafValue: Float64Array.from(numbers('leaf_value', leaves)),
    nodeCount: Float64Array.from(fields.has('internal_count') ? numbers('internal_count', nodes) : new Array<number>(nodes).fill(0)),
    leafCount: Float64Array.from(fields.has('leaf_count') ? numbers('leaf_count', leaves) : new Array<number>(leaves).fill(0)),
    splitGain: Float64Array.from(fields.has('split_gain') ? numbers('split_gain', nodes) : new Array<number>(nodes).fill(0)),
  };
}
