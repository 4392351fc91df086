/**
 * Evaluating one stored trial, wherever that happens (this thread, a worker thread, a worker process on
 * another machine): open the study in the shared metadata database, rebuild its objective and pruner,
 * report each intermediate value to the stored trial and ask the pruner whether to stop. The coordinator
 * that asked for the trial tells its outcome.
 */
import path from 'node:path';
import { MlcycleError } from '../../error.js';
import type { StudyStore } from '../../store/study-store.js';
import { openStudyStore } from '../../store/backends.js';
import type { Sampler } from '../../optimizer/sampler.js';
import type { ParameterValue } from '../../optimizer/search-space.js';
import { Study } from '../../optimizer/study.js';
import { createObjective, type TrialObjective } from './objective.js';
import { findTuningStudy, makePruner } from './study-settings.js';

/** What an evaluator is handed: where the study is, and which trial with which parameters. */
export interface TrialJob {
  databaseFile: string;
  study: string;
  trialNumber: number;
  params: Record<string, ParameterValue>;
  /** For objectives that record their own run: its name and the study's run to nest it under. */
  runName: string;
  parentRunId?: string;
}

/** How the evaluation ended; `failed` carries the objective's error message, `runId` an objective's own run. */
export type EvaluationOutcome = ({ state: 'complete'; value: number } | { state: 'pruned' } | { state: 'failed'; error: string }) & { runId?: string };

/** Runs trial jobs somewhere; `capacity` jobs at once. */
export interface TrialEvaluator {
  readonly capacity: number;
  evaluate(job: TrialJob): Promise<EvaluationOutcome>;
  /** Stops: jobs still running end with a rejected promise. */
  close(): Promise<void>;
}

/** Evaluators never sample: the coordinator asks. */
const NO_SAMPLER: Sampler = {
  sampleIndependent() {
    throw new MlcycleError('internal', 'an evaluator cannot ask for trials');
  },
};

/** Keeps open stores and loaded objectives between jobs, so a worker reads its data once. */
export class TrialRunner {
  private readonly stores = new Map<string, StudyStore>();
  private readonly objectives = new Map<string, Promise<TrialObjective>>();

  async run(job: TrialJob): Promise<EvaluationOutcome> {
    let store = this.stores.get(job.databaseFile);
    if (store === undefined) this.stores.set(job.databaseFile, (store = openStudyStore(job.databaseFile)));
    const record = findTuningStudy(store, job.study);
    if (record === undefined) throw new MlcycleError('not_found', `no study "${job.study}" in ${job.databaseFile}`);
    const key = JSON.stringify(record.objective);
    let objective = this.objectives.get(key);
    if (objective === undefined) this.objectives.set(key, (objective = createObjective(record.objective)));
    const study = new Study({ space: record.space, direction: record.direction, sampler: NO_SAMPLER, pruner: makePruner(record.pruner), storage: store.trials(record) });
    try {
      // The database file is ROOT/.mlcycle/metadata.db.
      const workspaceRoot = path.dirname(path.dirname(job.databaseFile));
      const trial = { number: job.trialNumber, runName: job.runName, workspaceRoot, ...(job.parentRunId === undefined ? {} : { parentRunId: job.parentRunId }) };
      const report = (step: number, value: number): boolean => {
        study.report(job.trialNumber, step, value);
        return study.shouldPrune(job.trialNumber);
      };
      return await (await objective).evaluate(job.params, report, trial);
    } catch (error) {
      return { state: 'failed', error: error instanceof Error ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    for (const store of this.stores.values()) store.close();
    this.stores.clear();
    for (const objective of this.objectives.values()) await (await objective.catch(() => undefined))?.close?.();
    this.objectives.clear();
  }
}

/** Evaluates trials one at a time in this thread. */
export function inlineEvaluator(): TrialEvaluator {
  const runner = new TrialRunner();
  return {
    capacity: 1,
    evaluate: (job) => runner.run(job),
    close: () => runner.close(),
  };
}
