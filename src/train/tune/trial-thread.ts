/** The module a trial thread runs: evaluates each job it is sent and posts back the outcome. */
import { parentPort } from 'node:worker_threads';
import { TrialRunner, type TrialJob } from './evaluate-trial.js';

const runner = new TrialRunner();
parentPort?.on('message', (job: TrialJob) => {
  void runner.run(job).then(
    (outcome) => parentPort?.postMessage(outcome),
    (error: unknown) => parentPort?.postMessage({ state: 'failed', error: error instanceof Error ? error.message : String(error) }),
  );
});
