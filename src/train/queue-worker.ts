/**
 * `mlcycle worker`'s jobs: tuning trials (`mlcycle tune --queue`) and pipeline steps (`mlcycle train
 * --queue`), one at a time, from the one job queue of src/jobs/job-queue.ts.
 */
import { startJobWorker } from '../jobs/job-queue.js';
import { workspacePaths } from '../store/workspace.js';
import { stepJobHandler, type StepJobEvent } from './pipeline/step-queue.js';
import { workerId, type StepJob } from './pipeline/step-job.js';
import type { EvaluationOutcome, TrialJob } from './tune/evaluate-trial.js';
import { trialJobHandler } from './tune/queue-evaluator.js';

export interface QueueWorker {
  /** `HOST:PID`, as runs record it for the steps it computed. */
  readonly id: string;
  /** Finishes the job in hand, then stops. */
  close(): Promise<void>;
}

export interface QueueWorkerOptions {
  /** Replaces the workspace the jobs name (the coordinator's path; another mount point here). */
  workspaceRoot?: string;
  /** Seconds before a job whose worker died is taken again (see JobWorkerOptions). */
  stallSeconds?: number;
  onJob?: (job: TrialJob, outcome: EvaluationOutcome) => void;
  onStep?: (job: StepJob, outcome: StepJobEvent) => void;
}

/** A worker process's loop: one job at a time, a tuning trial or a pipeline step. */
export async function startQueueWorker(url: string, options: QueueWorkerOptions = {}): Promise<QueueWorker> {
  const id = workerId();
  const databaseFile = options.workspaceRoot === undefined ? undefined : workspacePaths(options.workspaceRoot).databaseFile;
  // Steps first: trial jobs carry no kind, so the trial handler takes whatever is left.
  const handlers = [stepJobHandler(id, options.workspaceRoot, options.onStep), trialJobHandler(databaseFile, options.onJob)];
  return startJobWorker(url, handlers, { id, ...(options.stallSeconds === undefined ? {} : { stallSeconds: options.stallSeconds }) });
}
