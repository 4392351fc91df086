/**
 * Stored offline evaluations: which model version was evaluated on which dataset version, against which
 * champion, the verdict and the metrics; the full evaluation (curves, slices) and its HTML report are
 * artifacts, referenced by key.
 */
import type { ChangeContext } from './audit-log.js';

/** A model version as the registry names it. */
export interface ModelVersionRef {
  model: string;
  version: number;
}

export interface EvaluationRecord {
  id: number;
  candidate: ModelVersionRef;
  champion?: ModelVersionRef;
  /** `name@number` of the dataset version. */
  dataset: string;
  task: string;
  ready: boolean;
  summary: string;
  /** The metrics of every model, the comparison and the verdict, as JSON. */
  metrics: unknown;
  /** The whole evaluation as JSON. */
  artifactKey: string;
  /** The HTML report. */
  reportKey: string;
  createdAt: string;
  createdBy: string;
}

export type NewEvaluation = Omit<EvaluationRecord, 'id' | 'createdAt' | 'createdBy'>;

export interface EvaluationStore {
  /** Records an evaluation and audits it; model versions and the dataset version must exist. */
  record(evaluation: NewEvaluation, context: ChangeContext): Promise<EvaluationRecord>;
  find(id: number): Promise<EvaluationRecord | undefined>;
  /** Every evaluation, newest first. */
  list(): Promise<EvaluationRecord[]>;
}
