/**
 * Multiclass metrics as scikit-learn 1.2 computes them. Labels are class indices 0..C-1; probabilities
 * are row-major (rows x C, as predictModel returns them); the decision is the most probable class (the
 * first on ties, as numpy's argmax).
 */
import { MlcycleError } from '../error.js';
import { FLOAT64_EPSILON } from '../metrics/log-loss.js';
import { aucFromGroups } from '../metrics/roc-auc.js';
import { scoreGroups, weightOf, type SampleWeights } from '../metrics/score-order.js';

/** Class probabilities, row-major: row r's probability of class c is `values[r * classes + c]`. */
export interface ClassProbabilities {
  values: ArrayLike<number>;
  classes: number;
}

function checkMulticlass(labels: ArrayLike<number>, probabilities: ClassProbabilities, weights: SampleWeights): number {
  const rows = labels.length;
  if (rows === 0) throw new MlcycleError('invalid_input', 'no rows to evaluate');
  if (probabilities.classes < 2) throw new MlcycleError('invalid_input', `a multiclass evaluation needs at least 2 classes, got ${probabilities.classes}`);
  if (probabilities.values.length !== rows * probabilities.classes) {
    throw new MlcycleError('invalid_input', `${probabilities.values.length} probabilities for ${rows} rows of ${probabilities.classes} classes`);
  }
  if (weights !== undefined && weights.length !== rows) throw new MlcycleError('invalid_input', `${weights.length} sample weights for ${rows} labels`);
  for (let row = 0; row < rows; row++) {
    const label = labels[row] as number;
    if (!Number.isInteger(label) || label < 0 || label >= probabilities.classes) {
      throw new MlcycleError('invalid_input', `label of row ${row} is ${label}, not a class index from 0 to ${probabilities.classes - 1}`);
    }
  }
  return rows;
}

/** The most probable class of each row (the first of equals). */
export function predictedClasses(probabilities: ClassProbabilities): Int32Array {
  const { values, classes } = probabilities;
  const rows = values.length / classes;
  const out = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    let best = 0;
    for (let label = 1; label < classes; label++) if ((values[row * classes + label] as number) > (values[row * classes + best] as number)) best = label;
    out[row] = best;
  }
  return out;
}

/** Weighted share of rows whose most probable class is the label (`accuracy_score`). */
export function multiclassAccuracy(labels: ArrayLike<number>, probabilities: ClassProbabilities, weights?: SampleWeights): number {
  const rows = checkMulticlass(labels, probabilities, weights);
  const predicted = predictedClasses(probabilities);
  let correct = 0;
  let total = 0;
  for (let row = 0; row < rows; row++) {
    const weight = weightOf(weights, row);
    if (predicted[row] === labels[row]) correct += weight;
    total += weight;
  }
  return correct / total;
}

/**
 * Macro and support-weighted F1 (`f1_score(average="macro" | "weighted")`) over the classes present in
 * the labels or the decisions, as scikit-learn's `unique_labels`; a class with no decisions and no rows
 * of its own never enters, and 0/0 precision or recall counts 0.
 */
export function multiclassF1(labels: ArrayLike<number>, probabilities: ClassProbabilities, weights?: SampleWeights): { macro: number; weighted: number; perClass: number[] } {
  const rows = checkMulticlass(labels, probabilities, weights);
  const predicted = predictedClasses(probabilities);
  const classes = probabilities.classes;
  const truePositive = new Float64Array(classes);
  const actualWeight = new Float64Array(classes);
  const predictedWeight = new Float64Array(classes);
  const present = new Uint8Array(classes);
  for (let row = 0; row < rows; row++) {
    const weight = weightOf(weights, row);
    const actual = labels[row] as number;
    const decision = predicted[row] as number;
    present[actual] = 1;
    present[decision] = 1;
    actualWeight[actual] = (actualWeight[actual] as number) + weight;
    predictedWeight[decision] = (predictedWeight[decision] as number) + weight;
    if (actual === decision) truePositive[actual] = (truePositive[actual] as number) + weight;
  }
  const perClass: number[] = [];
  let macro = 0;
  let weighted = 0;
  let support = 0;
  let counted = 0;
  for (let label = 0; label < classes; label++) {
    const denominator = (actualWeight[label] as number) + (predictedWeight[label] as number);
    const f1 = denominator === 0 ? 0 : (2 * (truePositive[label] as number)) / denominator;
    perClass.push(f1);
    if (present[label] === 0) continue;
    macro += f1;
    counted++;
    weighted += f1 * (actualWeight[label] as number);
    support += actualWeight[label] as number;
  }
  return { macro: macro / counted, weighted: support === 0 ? 0 : weighted / support, perClass };
}

/** Multiclass log-loss as `log_loss(labels=range(C))`: clip to [eps, 1 - eps], renormalise each row, weighted mean. */
export function multiclassLogLoss(labels: ArrayLike<number>, probabilities: ClassProbabilities, weights?: SampleWeights, epsilon = FLOAT64_EPSILON): number {
  const rows = checkMulticlass(labels, probabilities, weights);
  const { values, classes } = probabilities;
  let sum = 0;
  let total = 0;
  for (let row = 0; row < rows; row++) {
    let rowSum = 0;
    for (let label = 0; label < classes; label++) rowSum += Math.min(Math.max(values[row * classes + label] as number, epsilon), 1 - epsilon);
    const own = Math.min(Math.max(values[row * classes + (labels[row] as number)] as number, epsilon), 1 - epsilon);
    const weight = weightOf(weights, row);
    sum -= weight * Math.log(own / rowSum);
    total += weight;
  }
  return sum / total;
}

/**
 * One-vs-rest ROC AUC, macro-averaged (`roc_auc_score(multi_class="ovr", average="macro")`): each class's
 * probability against membership of that class, unweighted mean over classes. NaN when a class has no rows.
 */
export function oneVsRestAuc(labels: ArrayLike<number>, probabilities: ClassProbabilities, weights?: SampleWeights): number {
  const rows = checkMulticlass(labels, probabilities, weights);
  const { values, classes } = probabilities;
  let sum = 0;
  const member = new Float64Array(rows);
  const score = new Float64Array(rows);
  for (let label = 0; label < classes; label++) {
    for (let row = 0; row < rows; row++) {
      member[row] = labels[row] === label ? 1 : 0;
      score[row] = values[row * classes + label] as number;
    }
    sum += aucFromGroups(scoreGroups(member, score, weights));
  }
  return sum / classes;
}
