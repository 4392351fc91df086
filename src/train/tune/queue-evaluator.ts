/**
 * Trials on the job queue (`mlcycle tune --queue URL`): the coordinator adds one job per trial, a
 * `mlcycle worker` evaluates it against the shared metadata store (SQLite in WAL mode, the artifact store
 * beside it) and returns the outcome, which the coordinator tells the study.
 */
import { MlcycleError } from '../../error.js';
import { connectJobQueue, type JobHandler } from '../../jobs/job-queue.js';
import { TrialRunner, type EvaluationOutcome, type TrialEvaluator, type TrialJob } from './evaluate-trial.js';

/** The coordinator's side: each evaluation is a job; `capacity` jobs are in flight at once. */
export async function queueEvaluator(url: string, capacity: number): Promise<TrialEvaluator> {
  const { queue, events, add } = await connectJobQueue(url);
  const pending = new Set<(error: Error) => void>();
  return {
    capacity,
    async evaluate(job: TrialJob): Promise<EvaluationOutcome> {
      const added = await add(`${job.study}#${job.trialNumber}`, job);
      return new Promise<EvaluationOutcome>((resolve, reject) => {
        pending.add(reject);
        added.waitUntilFinished(events).then(
          (outcome: EvaluationOutcome) => resolve(outcome),
          (error: unknown) => resolve({ state: 'failed', error: error instanceof Error ? error.message : String(error) }),
        ).finally(() => pending.delete(reject));
      });
    },
    async close() {
      for (const reject of pending) reject(new MlcycleError('internal', 'interrupted'));
      pending.clear();
      await events.close();
      await queue.close();
    },
  };
}

/**
 * A worker's handler of trial jobs: every job that is not another kind's (trial jobs carry no `kind`).
 * `databaseFile` replaces the one the job names (the coordinator's path; another mount point here).
 */
export function trialJobHandler(databaseFile: string | undefined, onJob?: (job: TrialJob, outcome: EvaluationOutcome) => void): JobHandler {
  const trials = new TrialRunner();
  return {
    accepts: () => true,
    async run(data: unknown): Promise<EvaluationOutcome> {
      const trial = { ...(data as TrialJob), ...(databaseFile === undefined ? {} : { databaseFile }) };
      const outcome = await trials.run(trial);
      onJob?.(trial, outcome);
      return outcome;
    },
    close: () => trials.close(),
  };
}
