/**
 * Logged bandit feedback: what a logging (behaviour) policy did, with what probability, and what came of
 * it; plus what the policy under evaluation would have done in the same contexts. The layout follows
 * Open Bandit Pipeline's (`obp.ope`: `action`, `pscore`, `reward`, `action_dist`,
 * `estimated_rewards_by_reg_model`) with a single slot per round (OBP's `len_list = 1`), and per-action
 * tables stored flat, row-major (`row * actionCount + action`), so hot loops read typed arrays.
 */
import { MlcycleError, type InputIssue } from '../../error.js';

/** The evaluation policy: action probabilities per row (stochastic), or the one action it picks (deterministic). */
export type EvaluationPolicy =
  | { probabilities: ArrayLike<number> }
  | { actions: ArrayLike<number> };

/** One log of bandit decisions, as the caller hands it in. */
export interface LoggedBanditData {
  /** The number of actions; actions are numbered 0 .. actionCount - 1. */
  actionCount: number;
  /** The action the logging policy took in each row, a_i. */
  actions: ArrayLike<number>;
  /** The logging policy's probability of that action in that row, pi_b(a_i | x_i), in (0, 1]. */
  propensities: ArrayLike<number>;
  /** The observed reward of each row, r_i. */
  rewards: ArrayLike<number>;
  /** pi_e(a | x_i) for every row and action (n x actionCount, row-major), or the action a deterministic policy picks. */
  evaluationPolicy: EvaluationPolicy;
  /** A reward model's predictions q_hat(x_i, a) for every row and action (n x actionCount, row-major). */
  rewardPredictions?: ArrayLike<number>;
}

/** The same log after checking, in typed arrays; `evaluationProbabilities` is always the full n x K table. */
export interface CheckedLoggedBandit {
  rowCount: number;
  actionCount: number;
  actions: Int32Array;
  propensities: Float64Array;
  rewards: Float64Array;
  evaluationProbabilities: Float64Array;
  rewardPredictions: Float64Array | null;
}

/** Row sums of pi_e may differ from 1 by this much (rounding in the caller's softmax). */
const PROBABILITY_SUM_TOLERANCE = 1e-6;
/** Stop listing issues after this many; the message says how many there were in all. */
const MAX_LISTED_ISSUES = 20;

/** Checks a log and copies it into typed arrays; throws one `invalid_input` error listing every problem found. */
export function checkLoggedBandit(data: LoggedBanditData): CheckedLoggedBandit {
  const issues: InputIssue[] = [];
  let issueCount = 0;
  const report = (path: string, message: string): void => {
    issueCount++;
    if (issues.length < MAX_LISTED_ISSUES) issues.push({ path, message });
  };
  const { actionCount } = data;
  if (!Number.isInteger(actionCount) || actionCount < 1) report('actionCount', `must be a positive integer, got ${actionCount}`);
  const rowCount = data.actions.length;
  if (rowCount === 0) report('actions', 'the log has no rows');
  if (data.propensities.length !== rowCount) report('propensities', `has ${data.propensities.length} values for ${rowCount} rows`);
  if (data.rewards.length !== rowCount) report('rewards', `has ${data.rewards.length} values for ${rowCount} rows`);
  const tableSize = rowCount * actionCount;
  const policy = data.evaluationPolicy;
  if ('probabilities' in policy) {
    if (policy.probabilities.length !== tableSize)
      report('evaluationPolicy.probabilities', `has ${policy.probabilities.length} values; ${rowCount} rows x ${actionCount} actions need ${tableSize}`);
  } else if (policy.actions.length !== rowCount) {
    report('evaluationPolicy.actions', `has ${policy.actions.length} values for ${rowCount} rows`);
  }
  if (data.rewardPredictions !== undefined && data.rewardPredictions.length !== tableSize)
    report('rewardPredictions', `has ${data.rewardPredictions.length} values; ${rowCount} rows x ${actionCount} actions need ${tableSize}`);
  if (issues.length > 0) throw invalid(issues, issueCount);

  const actions = new Int32Array(rowCount);
  const propensities = new Float64Array(rowCount);
  const rewards = new Float64Array(rowCount);
  for (let row = 0; row < rowCount; row++) {
    const action = data.actions[row] as number;
    if (!Number.isInteger(action) || action < 0 || action >= actionCount) report(`actions[${row}]`, `must be an integer action in [0, ${actionCount}), got ${action}`);
    actions[row] = action;
    const propensity = data.propensities[row] as number;
    if (!(propensity > 0 && propensity <= 1)) report(`propensities[${row}]`, `must be a probability in (0, 1], got ${propensity}`);
    propensities[row] = propensity;
    const reward = data.rewards[row] as number;
    if (!Number.isFinite(reward)) report(`rewards[${row}]`, `must be a finite number, got ${reward}`);
    rewards[row] = reward;
  }

  const evaluationProbabilities = new Float64Array(tableSize);
  if ('probabilities' in policy) {
    for (let row = 0; row < rowCount; row++) {
      let sum = 0;
      for (let action = 0; action < actionCount; action++) {
        const probability = policy.probabilities[row * actionCount + action] as number;
        if (!(probability >= 0 && probability <= 1))
          report(`evaluationPolicy.probabilities[${row * actionCount + action}]`, `row ${row}, action ${action}: must be a probability in [0, 1], got ${probability}`);
        evaluationProbabilities[row * actionCount + action] = probability;
        sum += probability;
      }
      if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) report('evaluationPolicy.probabilities', `row ${row}: probabilities sum to ${sum}, not 1`);
    }
  } else {
    for (let row = 0; row < rowCount; row++) {
      const action = policy.actions[row] as number;
      if (!Number.isInteger(action) || action < 0 || action >= actionCount)
        report(`evaluationPolicy.actions[${row}]`, `must be an integer action in [0, ${actionCount}), got ${action}`);
      else evaluationProbabilities[row * actionCount + action] = 1;
    }
  }

  let rewardPredictions: Float64Array | null = null;
  if (data.rewardPredictions !== undefined) {
    rewardPredictions = Float64Array.from(data.rewardPredictions);
    for (let index = 0; index < tableSize; index++) {
      if (!Number.isFinite(rewardPredictions[index] as number))
        report(`rewardPredictions[${index}]`, `row ${Math.floor(index / actionCount)}, action ${index % actionCount}: must be a finite number, got ${rewardPredictions[index]}`);
    }
  }
  if (issues.length > 0) throw invalid(issues, issueCount);
  return { rowCount, actionCount, actions, propensities, rewards, evaluationProbabilities, rewardPredictions };
}

function invalid(issues: InputIssue[], issueCount: number): MlcycleError {
  const more = issueCount > issues.length ? ` (the first ${issues.length} of ${issueCount} shown)` : '';
  return new MlcycleError('invalid_input', `the logged bandit data has ${issueCount} problem${issueCount === 1 ? '' : 's'}${more}`, { issues });
}
