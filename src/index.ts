/** mlcycle as a library: the same functions the CLI uses. */
export { MlcycleError, ERROR_CODES, formatIssue, type ErrorCode, type InputIssue } from './error.js';
export { STAGES, STAGE_IDS, type StageDefinition, type StageId } from './problem/stages.js';
export * from './problem/spec-schema.js';
export { ML_METRICS, findMlMetric, mlMetricsForTask, type MlMetricName } from './problem/ml-metric-catalogue.js';
export { validateSpec, type SpecValidation } from './problem/validate-spec.js';
export { loadSpec, checkSpecText, requireValidSpec, SPEC_FILE_NAME, type SpecCheck } from './problem/load-spec.js';
export { specTemplate } from './problem/spec-template.js';
export { initProject, type InitOptions, type InitOutcome } from './problem/init-project.js';
export { assessBoard, type Board, type BoardStage, type StageAssessment, type StageEvidenceSource, type StageState } from './problem/board.js';
export { EVIDENCE_SOURCES, readBoard } from './lifecycle.js';
export { openWorkspace, createWorkspace, findWorkspaceRoot, type Workspace } from './store/workspace.js';
export { currentActor, defaultChangeContext, type AuditEntry, type AuditLog, type ChangeContext } from './store/audit-log.js';
export { runCli } from './cli/program.js';
export * from './train/tuning/index.js';
