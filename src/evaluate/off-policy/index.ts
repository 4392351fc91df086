/**
 * The offline estimates of stage 7 that `mlcycle evaluate` calls: all pure (arrays in, numbers out, no
 * I/O, seeded bootstraps), all checked against numpy fixtures in test/fixtures/evaluate/.
 *
 * Off-policy evaluation (this folder), for logs of decisions made with known propensities:
 *   estimatePolicyValue(log, { clipWeight, switchThreshold, resamples, seed, confidenceLevel })
 *     log = { actionCount, actions, propensities, rewards, evaluationPolicy: { probabilities } | { actions },
 *             rewardPredictions? }  (per-action tables n x K, row-major)
 *     -> PolicyValueReport: per estimator (ips, snips, dm, dr, switch-dr) value, standard error, normal and
 *        percentile bootstrap intervals, a degeneracy note; the logged policy's own value; weight diagnostics
 *        (mean and max weight, effective sample size, clipped and switched shares). Bad logs throw one
 *        MlcycleError('invalid_input') listing every problem with its path (`propensities[3]`).
 *   generateSyntheticBandit(seed, settings) -> a log with its exact true value, for demos and tests.
 *
 * Business value (../business-value*.ts), from the spec's value model:
 *   businessValueWithSpec(spec, input, { resamples, seed, confidenceLevel }) picks the task's value model:
 *     binary -> analyzeBinaryValue(scores, labels, valueModel, { guardrails, threshold, ... }): the value curve
 *       over every distinct cut point (`valueCurve`, typed arrays; `valueCurvePoint(curve, i)` for rates), the
 *       best threshold under the guardrails (the spec's maxFalsePositiveRate plus minPrecision, minRecall,
 *       maxAlertRate) with its value interval, acting on no one and on everyone, and the value at a given
 *       threshold;
 *     multiclass / regression / ranking -> multiclassValue, regressionValue, rankingValue: ValueEstimate
 *       (value per decision, total, standard error, normal and bootstrap intervals).
 *   expectedValueThreshold(valueModel): the probability above which acting pays, for calibrated models;
 *   valueMaximisingClasses(probabilities, classes, valueModel): the multiclass prediction of highest
 *   expected value per row, to value beside the plain argmax.
 *
 * Replay (../replay*.ts), for a later held-out period with known outcomes:
 *   replayWithSpec(spec, { labels, models: [{ name, scores, rule: threshold | top-k }], groups?,
 *                          loggedDecisions?, columns?, interval? })
 *     -> per model: alerts, alerted positives, false alarms, misses, precision, recall, false-positive rate,
 *        value per decision with intervals and the paired value difference to the first model; per success
 *        metric of the spec: Li et al.'s replay on column metrics, or why it cannot be replayed offline.
 *   replayDecisions / replayMetric / applyDecisionRule are the same without the spec.
 */
export { estimatePolicyValue, type PolicyValueEstimate, type PolicyValueOptions, type PolicyValueReport } from './estimate-policy-value.js';
export { OFF_POLICY_ESTIMATORS, type OffPolicyEstimator, type WeightDiagnostics } from './estimators.js';
export { checkLoggedBandit, type EvaluationPolicy, type LoggedBanditData } from './logged-bandit.js';
export { generateSyntheticBandit, type SyntheticBandit, type SyntheticBanditSettings } from './synthetic-bandit.js';
export { bootstrapRatioIntervals, bootstrapMeanInterval, type BootstrapSettings, type RatioStatistic } from './bootstrap.js';
