/**
 * A synthetic logged bandit whose evaluation policy's true value is known exactly, for coverage tests of
 * the off-policy estimators. The generator, with u ~ U[0, 1) from `seededRandom(seed)` and Z standard
 * normal from `standardNormal`:
 *
 * - contexts: C types x_c = c / (C - 1), c = 0 .. C - 1; each row's context is uniform over them,
 *   c_i = floor(u C);
 * - true expected reward of action a (of K) in context x: q(x, a) = 0.5 + 0.35 sin(2 pi (x + a / K)),
 *   in [0.15, 0.85];
 * - logging policy: softmax over actions of `loggingInverseTemperature` * q(x, a) (negative: it favours the
 *   worse actions, so the evaluation policy has to learn from rarely logged ones); a_i is drawn from it and
 *   its probability is the propensity;
 * - reward: r_i ~ Bernoulli(q(x_i, a_i));
 * - evaluation policy: epsilon-greedy on q, pi_e(a | x) = (1 - epsilon) 1{a = argmax q(x, .)} + epsilon / K
 *   (deterministic when epsilon = 0; ties go to the lowest action);
 * - reward model: q_hat(x_i, a) = q(x_i, a) + `modelNoise` Z_ia, fresh noise per row and action, so the
 *   model is wrong row by row but unbiased, and DM, DR and Switch-DR are all unbiased for any lambda, tau;
 * - the true policy value is the exact sum V = (1 / C) sum_c sum_a pi_e(a | x_c) q(x_c, a).
 */
import { standardNormal } from '../../stats/random-variates.js';
import { seededRandom } from '../../stats/random.js';
import type { LoggedBanditData } from './logged-bandit.js';

/** The generator's settings; every field has a default. */
export interface SyntheticBanditSettings {
  rowCount?: number;
  /** C, default 10. */
  contextCount?: number;
  /** K, default 3. */
  actionCount?: number;
  /** Inverse temperature of the logging softmax, default -2. */
  loggingInverseTemperature?: number;
  /** epsilon of the evaluation policy, default 0.3. */
  epsilon?: number;
  /** Standard deviation of the reward model's noise, default 0.1. */
  modelNoise?: number;
}

/** A generated log with the evaluation policy's true value. */
export interface SyntheticBandit {
  data: Required<Pick<LoggedBanditData, 'rewardPredictions'>> & LoggedBanditData;
  truePolicyValue: number;
}

/** The true expected reward q(x, a) of the synthetic bandit. */
export function syntheticExpectedReward(context: number, action: number, actionCount: number): number {
  return 0.5 + 0.35 * Math.sin(2 * Math.PI * (context + action / actionCount));
}

/** Draws a synthetic log (see the file comment for the exact generator) from a seed. */
export function generateSyntheticBandit(seed: number, settings: SyntheticBanditSettings = {}): SyntheticBandit {
  const { rowCount = 1000, contextCount = 10, actionCount = 3, loggingInverseTemperature = -2, epsilon = 0.3, modelNoise = 0.1 } = settings;
  const random = seededRandom(seed);
  // Per context type: q, the logging and the evaluation probabilities.
  const expected = new Float64Array(contextCount * actionCount);
  const logging = new Float64Array(contextCount * actionCount);
  const evaluation = new Float64Array(contextCount * actionCount);
  let truePolicyValue = 0;
  for (let c = 0; c < contextCount; c++) {
    const context = contextCount === 1 ? 0 : c / (contextCount - 1);
    let best = 0;
    let normaliser = 0;
    for (let a = 0; a < actionCount; a++) {
      const q = syntheticExpectedReward(context, a, actionCount);
      expected[c * actionCount + a] = q;
      if (q > (expected[c * actionCount + best] as number)) best = a;
      normaliser += Math.exp(loggingInverseTemperature * q);
    }
    for (let a = 0; a < actionCount; a++) {
      const at = c * actionCount + a;
      logging[at] = Math.exp(loggingInverseTemperature * (expected[at] as number)) / normaliser;
      evaluation[at] = (a === best ? 1 - epsilon : 0) + epsilon / actionCount;
      truePolicyValue += ((evaluation[at] as number) * (expected[at] as number)) / contextCount;
    }
  }
  const actions = new Int32Array(rowCount);
  const propensities = new Float64Array(rowCount);
  const rewards = new Float64Array(rowCount);
  const probabilities = new Float64Array(rowCount * actionCount);
  const rewardPredictions = new Float64Array(rowCount * actionCount);
  for (let row = 0; row < rowCount; row++) {
    const c = Math.floor(random() * contextCount);
    const draw = random();
    let action = actionCount - 1;
    let cumulative = 0;
    for (let a = 0; a < actionCount; a++) {
      cumulative += logging[c * actionCount + a] as number;
      if (draw < cumulative) {
        action = a;
        break;
      }
    }
    actions[row] = action;
    propensities[row] = logging[c * actionCount + action] as number;
    rewards[row] = random() < (expected[c * actionCount + action] as number) ? 1 : 0;
    for (let a = 0; a < actionCount; a++) {
      probabilities[row * actionCount + a] = evaluation[c * actionCount + a] as number;
      rewardPredictions[row * actionCount + a] = (expected[c * actionCount + a] as number) + modelNoise * standardNormal(random);
    }
  }
  return {
    data: { actionCount, actions, propensities, rewards, evaluationPolicy: { probabilities }, rewardPredictions },
    truePolicyValue,
  };
}
