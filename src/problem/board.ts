/**
 * The lifecycle board: the ten stages in order, each with its state, the evidence behind it and the next
 * step. Each stage folder contributes its evidence through a `StageEvidenceSource`; the board itself
 * knows no stage's rules, so a new stage's evidence is a new source, not an edit here.
 */
import type { Workspace } from '../store/workspace.js';
import type { SpecCheck } from './load-spec.js';
import { STAGES, type StageDefinition, type StageId } from './stages.js';

export const STAGE_STATES = ['not-started', 'in-progress', 'done', 'needs-attention'] as const;
export type StageState = (typeof STAGE_STATES)[number];

export interface StageAssessment {
  state: StageState;
  /** What exists for this stage, one short line each. */
  evidence: string[];
  /** The one thing to do next in this stage; empty when the stage is done and nothing is pending. */
  nextStep: string;
}

/** What a source may read to assess its stage. */
export interface BoardContext {
  workspace: Workspace;
  spec: SpecCheck;
}

/** The one interface through which a stage tells the board how far it is. */
export interface StageEvidenceSource {
  stage: StageId;
  assess(context: BoardContext): Promise<StageAssessment>;
}

export type BoardStage = StageDefinition & StageAssessment;

export interface Board {
  project?: string;
  root: string;
  stages: BoardStage[];
  /** The first stage that is not done, and its next step; absent when every stage is done. */
  next?: { stage: StageId; step: string };
}

/** The assessment of a stage that no source speaks for yet. */
function notStarted(stage: StageDefinition): StageAssessment {
  return { state: 'not-started', evidence: [], nextStep: stage.activity };
}

/** Assesses every stage with its source (or as not started) and picks the next step. */
export async function assessBoard(context: BoardContext, sources: readonly StageEvidenceSource[]): Promise<Board> {
  const byStage = new Map<StageId, StageEvidenceSource>();
  for (const source of sources) {
    if (byStage.has(source.stage)) throw new Error(`two evidence sources for stage ${source.stage}`);
    byStage.set(source.stage, source);
  }
  const stages: BoardStage[] = [];
  for (const stage of STAGES) {
    const source = byStage.get(stage.id);
    const assessment = source === undefined ? notStarted(stage) : await source.assess(context);
    stages.push({ ...stage, ...assessment });
  }
  const pending = stages.find((stage) => stage.state !== 'done');
  const project = context.spec.exists ? context.spec.spec?.name : undefined;
  const board: Board = { ...(project === undefined ? {} : { project }), root: context.workspace.root, stages };
  if (pending !== undefined) board.next = { stage: pending.id, step: pending.nextStep };
  return board;
}
