/** The parameters of gradient-boosted tree training, with LightGBM's defaults. */
import { MAX_BINS } from './binning.js';
import type { GbdtObjective } from './objectives.js';

export interface GbdtParams {
  objective: GbdtObjective;
  rounds: number;
  learningRate: number;
  numLeaves: number;
  /** Deepest a leaf may be; 0 for no limit. */
  maxDepth: number;
  minDataInLeaf: number;
  minSumHessianInLeaf: number;
  lambdaL1: number;
  lambdaL2: number;
  minGainToSplit: number;
  /** Share of features each tree may use. */
  featureFraction: number;
  /** Share of rows each tree learns from. */
  baggingFraction: number;
  maxBins: number;
  seed: number;
  maxCatToOnehot: number;
  catSmooth: number;
  catL2: number;
  maxCatThreshold: number;
  minDataPerGroup: number;
  /**
   * Threads that train: this one and threads - 1 workers. The result depends on the seed and the thread
   * count, never on timing. One by default, so that a model does not depend on the machine it was trained on.
   */
  threads: number;
  /** Huber loss: residuals beyond this are penalised linearly (LightGBM's `alpha`). */
  huberDelta: number;
}

export const DEFAULT_GBDT_PARAMS: Omit<GbdtParams, 'objective'> = {
  rounds: 100,
  learningRate: 0.1,
  numLeaves: 31,
  maxDepth: 0,
  minDataInLeaf: 20,
  minSumHessianInLeaf: 1e-3,
  lambdaL1: 0,
  lambdaL2: 0,
  minGainToSplit: 0,
  featureFraction: 1,
  baggingFraction: 1,
  maxBins: MAX_BINS,
  seed: 0,
  // LightGBM's defaults for categorical splits.
  maxCatToOnehot: 4,
  catSmooth: 10,
  catL2: 10,
  maxCatThreshold: 32,
  minDataPerGroup: 100,
  huberDelta: 0.9,
  threads: 1,
};
