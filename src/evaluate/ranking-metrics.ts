/** Threshold-free metrics of scores against outcomes. */

/**
 * ROC AUC with ties counted half (the Mann-Whitney U statistic over n1 n0), as scikit-learn's
 * roc_auc_score. NaN when only one class is present.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, index) => index).sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0));
  let positives = 0;
  let negatives = 0;
  let rankSum = 0;
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1] ?? 0] === scores[order[start] ?? 0]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let position = start; position <= end; position++) {
      if ((labels[order[position] ?? 0] ?? 0) > 0.5) {
        positives++;
        rankSum += averageRank;
      } else negatives++;
    }
    start = end + 1;
  }
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Coefficient of determination: 1 - residual over total sum of squares. */
export function rSquared(predictions: ArrayLike<number>, targets: ArrayLike<number>): number {
  let mean = 0;
  for (let index = 0; index < targets.length; index++) mean += targets[index] ?? 0;
  mean /= targets.length;
  let residual = 0;
  let total = 0;
  for (let index = 0; index < targets.length; index++) {
    const target = targets[index] ?? 0;
    residual += (target - (predictions[index] ?? 0)) ** 2;
    total += (target - mean) ** 2;
  }
  return total === 0 ? NaN : 1 - residual / total;
}

/** Mean binary log-loss of probabilities, clipped as scikit-learn's log_loss (eps 1e-15). */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < labels.length; index++) {
    const probability = Math.min(Math.max(probabilities[index] ?? 0, 1e-15), 1 - 1e-15);
    sum -= (labels[index] ?? 0) > 0.5 ? Math.log(probability) : Math.log(1 - probability);
  }
  return sum / labels.length;
}
