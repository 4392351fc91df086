/**
 * Off-policy estimators of a policy's value from logged bandit feedback, after Open Bandit Pipeline
 * (Saito et al. 2021, `obp/ope/estimators.py`). With w_i = pi_e(a_i | x_i) / pi_b(a_i | x_i), the importance
 * weight, q_hat the reward model, q_hat(x, pi_e) = sum_a pi_e(a | x) q_hat(x, a) and E_n the mean over the n
 * logged rows:
 *
 * - IPS, inverse propensity scoring with clipping (Strehl et al. 2010; clipping as in Su et al. 2020 and
 *   OBP's `InverseProbabilityWeighting(lambda_)`): V = E_n[min(w_i, lambda) r_i].
 * - SNIPS, self-normalised IPS (Swaminathan and Joachims 2015; OBP's `SelfNormalizedInverseProbabilityWeighting`,
 *   which does not clip): V = E_n[w_i r_i] / E_n[w_i].
 * - DM, the direct method (Beygelzimer and Langford 2009; OBP's `DirectMethod`): V = E_n[q_hat(x_i, pi_e)].
 * - DR, doubly robust (Dudik et al. 2014; OBP's `DoublyRobust(lambda_)`, whose weight is clipped like IPS's):
 *   V = E_n[q_hat(x_i, pi_e) + min(w_i, lambda) (r_i - q_hat(x_i, a_i))].
 * - Switch-DR (Wang, Agarwal and Dudik 2017; OBP's `SwitchDoublyRobust(lambda_)`, whose lambda_ is the
 *   switching threshold tau): V = E_n[q_hat(x_i, pi_e) + 1{w_i <= tau} w_i (r_i - q_hat(x_i, a_i))].
 *
 * OBP averages q_hat over pi_e with `np.average(..., weights=pi_e)`, which divides by the row's sum of
 * pi_e; we do the same, so rows whose probabilities sum to 1 only within rounding agree with OBP exactly.
 *
 * Every estimator here is a ratio of two sums over rows, V = sum_i a_i / sum_i b_i (b_i = 1 except for
 * SNIPS, where b_i = w_i). The terms (a_i, b_i) are kept per row so that a bootstrap resample re-forms each
 * estimate, the self-normalised one included, from the resampled rows.
 */
import type { RatioStatistic } from './bootstrap.js';
import type { CheckedLoggedBandit } from './logged-bandit.js';
import { invalidInput } from './invalid-input.js';

export const OFF_POLICY_ESTIMATORS = ['ips', 'snips', 'dm', 'dr', 'switch-dr'] as const;
export type OffPolicyEstimator = (typeof OFF_POLICY_ESTIMATORS)[number];

/** The estimators' hyperparameters; the defaults (no clipping, no switching) are OBP's. */
export interface EstimatorSettings {
  /** lambda: importance weights above it are clipped to it, in IPS and DR. */
  clipWeight: number;
  /** tau: Switch-DR uses the importance-weighted correction only on rows whose weight is at most tau. */
  switchThreshold: number;
}

/** Per-row terms of each estimator, in the order of `estimators`: a_i, and b_i for SNIPS (null: b_i = 1). */
export interface EstimatorTerms {
  estimators: readonly OffPolicyEstimator[];
  rowCount: number;
  statistics: RatioStatistic[];
}

/** How far the evaluation policy strays from the logging policy, read off the importance weights. */
export interface WeightDiagnostics {
  /** The mean importance weight; its expectation is 1 when pi_b is right and pi_e's support lies in pi_b's. */
  meanWeight: number;
  maxWeight: number;
  /** Kish's effective sample size, (sum w)^2 / sum w^2. */
  effectiveSampleSize: number;
  /** Share of rows whose weight exceeds the clipping bound lambda. */
  clippedShare: number;
  /** Share of rows whose weight exceeds tau, where Switch-DR falls back on the reward model. */
  switchedShare: number;
}

/** The importance weights w_i = pi_e(a_i | x_i) / pi_b(a_i | x_i). */
export function importanceWeights(log: CheckedLoggedBandit): Float64Array {
  const weights = new Float64Array(log.rowCount);
  for (let row = 0; row < log.rowCount; row++) {
    const action = log.actions[row] as number;
    weights[row] = (log.evaluationProbabilities[row * log.actionCount + action] as number) / (log.propensities[row] as number);
  }
  return weights;
}

/** The estimators this log supports: all five with a reward model, IPS and SNIPS without. */
export function availableEstimators(log: CheckedLoggedBandit): OffPolicyEstimator[] {
  return log.rewardPredictions === null ? ['ips', 'snips'] : [...OFF_POLICY_ESTIMATORS];
}

/** Computes every requested estimator's per-row terms (a_i, b_i) in one pass over the log (typed arrays). */
export function estimatorTerms(log: CheckedLoggedBandit, estimators: readonly OffPolicyEstimator[], settings: EstimatorSettings): EstimatorTerms {
  const { rowCount, actionCount, actions, rewards, evaluationProbabilities, rewardPredictions } = log;
  if (rewardPredictions === null && estimators.some((name) => name === 'dm' || name === 'dr' || name === 'switch-dr'))
    throw invalidInput('rewardPredictions', 'DM, DR and Switch-DR need reward predictions');
  const { clipWeight, switchThreshold } = settings;
  const weights = importanceWeights(log);
  const count = estimators.length;
  const statistics: RatioStatistic[] = estimators.map((name) => ({
    numerators: new Float64Array(rowCount),
    denominators: name === 'snips' ? new Float64Array(rowCount) : null,
  }));
  for (let row = 0; row < rowCount; row++) {
    const weight = weights[row] as number;
    const reward = rewards[row] as number;
    const clipped = Math.min(weight, clipWeight);
    let modelValue = 0;
    let residual = 0;
    if (rewardPredictions !== null) {
      let weighted = 0;
      let probabilitySum = 0;
      for (let action = 0; action < actionCount; action++) {
        const probability = evaluationProbabilities[row * actionCount + action] as number;
        weighted += probability * (rewardPredictions[row * actionCount + action] as number);
        probabilitySum += probability;
      }
      modelValue = weighted / probabilitySum;
      residual = reward - (rewardPredictions[row * actionCount + (actions[row] as number)] as number);
    }
    for (let e = 0; e < count; e++) {
      const statistic = statistics[e] as RatioStatistic;
      let numerator: number;
      switch (estimators[e] as OffPolicyEstimator) {
        case 'ips':
          numerator = clipped * reward;
          break;
        case 'snips':
          numerator = weight * reward;
          (statistic.denominators as Float64Array)[row] = weight;
          break;
        case 'dm':
          numerator = modelValue;
          break;
        case 'dr':
          numerator = modelValue + clipped * residual;
          break;
        case 'switch-dr':
          numerator = modelValue + (weight <= switchThreshold ? weight * residual : 0);
          break;
      }
      statistic.numerators[row] = numerator;
    }
  }
  return { estimators, rowCount, statistics };
}

/** Each estimator's value, sum a_i / sum b_i (NaN for SNIPS when every weight is 0). */
export function pointEstimates(terms: EstimatorTerms): Float64Array {
  return Float64Array.from(terms.statistics, ({ numerators, denominators }) => sum(numerators) / (denominators === null ? terms.rowCount : sum(denominators)));
}

/**
 * Standard errors by the delta method: the influence of row i on sum a / sum b is (a_i - V b_i) / mean(b),
 * and the standard error is its sample standard deviation (n - 1 in the denominator) over sqrt(n). For the
 * plain means (b_i = 1) this is the usual standard error of a mean.
 */
export function standardErrors(terms: EstimatorTerms, estimates: Float64Array): Float64Array {
  const n = terms.rowCount;
  return Float64Array.from(terms.statistics, ({ numerators, denominators }, e) => {
    if (n < 2) return NaN;
    const value = estimates[e] as number;
    const meanDenominator = denominators === null ? 1 : sum(denominators) / n;
    let influenceSum = 0;
    let influenceSquares = 0;
    for (let row = 0; row < n; row++) {
      const influence = ((numerators[row] as number) - value * (denominators === null ? 1 : (denominators[row] as number))) / meanDenominator;
      influenceSum += influence;
      influenceSquares += influence * influence;
    }
    const variance = (influenceSquares - (influenceSum * influenceSum) / n) / (n - 1);
    return Math.sqrt(Math.max(variance, 0) / n);
  });
}

function sum(values: Float64Array): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** Diagnostics of the importance weights against the clipping bound and the switching threshold. */
export function weightDiagnostics(log: CheckedLoggedBandit, settings: EstimatorSettings): WeightDiagnostics {
  const weights = importanceWeights(log);
  let sum = 0;
  let squares = 0;
  let max = 0;
  let clipped = 0;
  let switched = 0;
  for (const weight of weights) {
    sum += weight;
    squares += weight * weight;
    if (weight > max) max = weight;
    if (weight > settings.clipWeight) clipped++;
    if (weight > settings.switchThreshold) switched++;
  }
  const n = log.rowCount;
  return {
    meanWeight: sum / n,
    maxWeight: max,
    effectiveSampleSize: squares === 0 ? 0 : (sum * sum) / squares,
    clippedShare: clipped / n,
    switchedShare: switched / n,
  };
}
