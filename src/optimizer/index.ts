/** Hyperparameter tuning as a library: search spaces, samplers, pruners and the ask/tell study. */
export * from './search-space.js';

export type { Sampler, SamplingContext } from './sampler.js';
export { randomSampler } from './random-sampler.js';
export { tpeSampler, defaultGamma, DEFAULT_TPE_OPTIONS, type TpeOptions } from './tpe-sampler.js';
export { ParzenEstimator, defaultWeights, DEFAULT_PARZEN_OPTIONS, type ParzenOptions } from './parzen-estimator.js';
export { noPruner, type Pruner, type PruneDecision, type PruningContext } from './pruner.js';
export { medianPruner, percentilePruner, type PercentilePrunerOptions } from './median-pruner.js';
export { successiveHalvingPruner, type SuccessiveHalvingOptions } from './successive-halving-pruner.js';
export { Study, type StudyOptions, type TrialOutcome } from './study.js';
export { inMemoryStudyStorage, type StudyStorage } from './study-storage.js';
export type { Direction, Trial, TrialState } from './trial.js';
export { optimizationHistory, type HistoryPoint } from './optimization-history.js';
export { parameterImportances, type ParameterImportances } from './parameter-importance.js';
export { TEST_FUNCTIONS, type TestFunction } from './test-functions.js';
