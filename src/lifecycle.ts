/**
 * Where the stages meet: the list of evidence sources the board consults. A stage that starts producing
 * evidence adds its source here.
 */
import { dataGatheringEvidence } from './data/data-evidence.js';
import { evaluationEvidence } from './evaluate/evaluation-evidence.js';
import { explorationEvidence } from './explore/explore-evidence.js';
import { assessBoard, type Board, type StageEvidenceSource } from './problem/board.js';
import { problemDefinitionEvidence } from './problem/definition-evidence.js';
import { loadSpec } from './problem/load-spec.js';
import { monitorEvidence } from './monitor/monitor-evidence.js';
import { rolloutEvidence } from './rollout/rollout-evidence.js';
import { servingEvidence } from './serve/serving-evidence.js';
import { surveyEvidence } from './survey/survey-evidence.js';
import { designEvidence } from './design/design-evidence.js';
import { recordSpecIfChanged } from './problem/record-spec.js';
import type { ChangeContext } from './store/audit-log.js';
import type { Workspace } from './store/workspace.js';
import { developmentEvidence } from './tracking/development-evidence.js';

export const EVIDENCE_SOURCES: readonly StageEvidenceSource[] = [problemDefinitionEvidence, dataGatheringEvidence, explorationEvidence, surveyEvidence, designEvidence, developmentEvidence, evaluationEvidence, servingEvidence, rolloutEvidence, monitorEvidence];

/** Reads the workspace's spec (recording it when it changed) and assesses every stage. */
export async function readBoard(workspace: Workspace, context: ChangeContext): Promise<Board> {
  const spec = await loadSpec(workspace.specFile);
  await recordSpecIfChanged(workspace.specHistory, spec, context);
  return assessBoard({ workspace, spec }, EVIDENCE_SOURCES);
}
