/** Running tuning studies: stored studies, objectives, evaluators in threads or on a Redis queue. */
export { runStudy, countedTrials, type TuneRequest, type TuneResult } from './run-study.js';
export { createObjective, objectiveDirection, checkSpaceAgainstObjective, type TrialObjective, type ObjectiveSpec, type ObjectiveResult, type ReportIntermediate, type FunctionObjectiveSpec } from './objective.js';
export { GBDT_TUNABLE_PARAMETERS, type GbdtObjectiveSpec } from './gbdt-objective.js';
export { gbdtObjectiveFromDatasets, type DatasetObjectiveOptions } from './dataset-objective.js';
export { inlineEvaluator, TrialRunner, type TrialEvaluator, type TrialJob, type EvaluationOutcome } from './evaluate-trial.js';
export { threadEvaluator } from './thread-evaluator.js';
export { makeSampler, makePruner, type StudySettings, type StudyRecord, type SamplerSettings, type PrunerSettings } from './study-settings.js';
