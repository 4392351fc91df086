/**
 * Off-policy evaluation in one call: checks a log of bandit decisions, then estimates the evaluation
 * policy's value with each estimator (estimators.ts), each with a seeded percentile bootstrap interval
 * (bootstrap.ts) and a normal interval from its delta-method standard error.
 */
import { normalQuantile } from '../../stats/distributions.js';
import { bootstrapRatioIntervals, checkBootstrapSettings } from './bootstrap.js';
import {
  OFF_POLICY_ESTIMATORS,
  availableEstimators,
  estimatorTerms,
  pointEstimates,
  standardErrors,
  weightDiagnostics,
  type OffPolicyEstimator,
  type WeightDiagnostics,
} from './estimators.js';
import { checkLoggedBandit, type LoggedBanditData } from './logged-bandit.js';
import { invalidInput } from './invalid-input.js';

/** Options of `estimatePolicyValue`; every field has a default. */
export interface PolicyValueOptions {
  /** Which estimators; by default all the log supports (DM, DR and Switch-DR need reward predictions). */
  estimators?: readonly OffPolicyEstimator[];
  /** lambda, the largest importance weight IPS and DR use (default Infinity: no clipping, as OBP). */
  clipWeight?: number;
  /** tau, Switch-DR's threshold on the importance weight (default Infinity: Switch-DR equals DR unclipped). */
  switchThreshold?: number;
  /** Bootstrap resamples (default 1000). */
  resamples?: number;
  /** Bootstrap seed (default 0). */
  seed?: number;
  /** Two-sided confidence level of both intervals (default 0.95). */
  confidenceLevel?: number;
}

/** One estimator's estimate of the policy value with its intervals. */
export interface PolicyValueEstimate {
  estimator: OffPolicyEstimator;
  value: number;
  standardError: number;
  /** value -/+ z standard errors. */
  normalInterval: [number, number];
  /** Percentile bootstrap interval. */
  bootstrapInterval: [number, number];
  /** Why the estimate or an interval is undefined (NaN), or null when all are defined. */
  degeneracy: string | null;
}

/** Every requested estimate for one evaluation policy on one log. */
export interface PolicyValueReport {
  rowCount: number;
  actionCount: number;
  /** The mean observed reward: the logging policy's own value, for comparison. */
  loggedPolicyValue: number;
  clipWeight: number;
  switchThreshold: number;
  confidenceLevel: number;
  resamples: number;
  seed: number;
  weights: WeightDiagnostics;
  estimates: PolicyValueEstimate[];
}

/** Estimates an evaluation policy's value from logged bandit feedback with IPS, SNIPS, DM, DR and Switch-DR. */
export function estimatePolicyValue(data: LoggedBanditData, options: PolicyValueOptions = {}): PolicyValueReport {
  const { clipWeight = Infinity, switchThreshold = Infinity, resamples = 1000, seed = 0, confidenceLevel = 0.95 } = options;
  if (!(clipWeight > 0)) throw invalidInput('clipWeight', `must be positive, got ${clipWeight}`);
  if (!(switchThreshold >= 0)) throw invalidInput('switchThreshold', `must be non-negative, got ${switchThreshold}`);
  checkBootstrapSettings({ resamples, seed, confidenceLevel });
  const log = checkLoggedBandit(data);
  const estimators = options.estimators ?? availableEstimators(log);
  const unknown = estimators.filter((name) => !(OFF_POLICY_ESTIMATORS as readonly string[]).includes(name));
  if (unknown.length > 0) throw invalidInput('estimators', `unknown: ${unknown.join(', ')}; known: ${OFF_POLICY_ESTIMATORS.join(', ')}`);
  if (log.rewardPredictions === null) {
    const needModel = estimators.filter((name) => name === 'dm' || name === 'dr' || name === 'switch-dr');
    if (needModel.length > 0) throw invalidInput('rewardPredictions', `${needModel.join(', ')} need rewardPredictions`);
  }
  const settings = { clipWeight, switchThreshold };
  const terms = estimatorTerms(log, estimators, settings);
  const values = pointEstimates(terms);
  const errors = standardErrors(terms, values);
  const intervals = bootstrapRatioIntervals(terms.statistics, log.rowCount, { resamples, seed, confidenceLevel });
  const z = normalQuantile(1 - (1 - confidenceLevel) / 2);
  let rewardSum = 0;
  for (const reward of log.rewards) rewardSum += reward;
  const estimates = estimators.map((estimator, e): PolicyValueEstimate => {
    const value = values[e] as number;
    const standardError = errors[e] as number;
    const undefinedResamples = intervals.undefinedResamples[e] as number;
    let degeneracy: string | null = null;
    if (Number.isNaN(value)) degeneracy = 'every importance weight is 0: the evaluation policy never takes a logged action';
    else if (undefinedResamples > 0) degeneracy = `${undefinedResamples} of ${resamples} resamples hold no row the evaluation policy could take`;
    else if (Number.isNaN(standardError)) degeneracy = 'fewer than 2 rows: no standard error';
    return {
      estimator,
      value,
      standardError,
      normalInterval: [value - z * standardError, value + z * standardError],
      bootstrapInterval: [intervals.lower[e] as number, intervals.upper[e] as number],
      degeneracy,
    };
  });
  return {
    rowCount: log.rowCount,
    actionCount: log.actionCount,
    loggedPolicyValue: rewardSum / log.rowCount,
    clipWeight,
    switchThreshold,
    confidenceLevel,
    resamples,
    seed,
    weights: weightDiagnostics(log, settings),
    estimates,
  };
}
