/**
 * The coordinator's side of remote steps (`mlcycle train --queue redis://...`): each step that is not a
 * cache hit becomes one BullMQ job in the queue `mlcycle worker` processes serve (the same queue as
 * tuning trials), and the run waits for it. Opened on the first cache miss only, so a rerun served wholly
 * from the cache never connects.
 *
 * A worker that dies mid-step stops renewing the job's lock; BullMQ's stalled-job check in a live worker
 * moves the job back to waiting once and another worker computes it (a second stall fails the job). A
 * step that fails on a worker fails here with the worker's error code, message and id. A queue no worker
 * serves is an error at once (exit 2), not a wait without end.
 */
import { asMlcycleError, ERROR_CODES, MlcycleError, type ErrorCode } from '../../error.js';
import { connectJobQueue, permanentJobFailure, type JobHandler } from '../../jobs/job-queue.js';
import { isStepJob, StepRunner, type StepJob, type StepJobResult } from './step-job.js';

/** How a failed step job's reason is written by the worker (stepJobHandler) and read here. */
export interface StepFailure {
  code: ErrorCode;
  message: string;
  worker: string;
}

/** The failure a worker reported, or the queue's own reason (a job stalled twice) as an internal error. */
export function stepFailureError(step: string, reason: string): MlcycleError {
  let failure: Partial<StepFailure> | undefined;
  try {
    failure = JSON.parse(reason) as Partial<StepFailure>;
  } catch {
    failure = undefined;
  }
  if (failure?.code !== undefined && failure.code in ERROR_CODES && typeof failure.message === 'string') {
    return new MlcycleError(failure.code, `step ${step} failed on worker ${failure.worker ?? '?'}: ${failure.message}`);
  }
  return new MlcycleError('internal', `step ${step} failed in the queue: ${reason}`);
}

export interface StepQueue {
  /** Adds the job and waits for a worker to finish it; aborting stops waiting (and withdraws a job not yet taken). */
  run(job: StepJob, signal?: AbortSignal): Promise<StepJobResult>;
  close(): Promise<void>;
}

/** Connects to the queue at `url` (a Redis that does not answer is a usage error, exit 2). */
export async function openStepQueue(url: string): Promise<StepQueue> {
  const { queue, events, add } = await connectJobQueue(url);
  return {
    async run(job, signal) {
      // Without a worker the job would wait in silence; a worker started later is the user's next step.
      if ((await queue.getWorkersCount()) === 0) {
        throw new MlcycleError('usage', `no mlcycle worker serves the queue at ${url}: start one with \`mlcycle worker --queue ${url}\` beside this workspace (or with -C pointing at it)`);
      }
      const label = `${job.pipeline.name}/${job.step.name}`;
      const added = await add(`step ${label}`, job);
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_resolve, reject) => {
        onAbort = () => {
          // A job a worker has taken cannot be removed; it finishes and leaves its cache entry for the next run.
          added.remove().catch(() => undefined);
          reject(new MlcycleError('internal', `step ${job.step.name} was stopped while queued`));
        };
        if (signal?.aborted === true) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      });
      aborted.catch(() => undefined);
      try {
        return await Promise.race([
          added.waitUntilFinished(events).then(
            (result: StepJobResult) => result,
            (error: unknown) => {
              throw stepFailureError(job.step.name, error instanceof Error ? error.message : String(error));
            },
          ),
          aborted,
        ]);
      } finally {
        if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
      }
    },
    async close() {
      await events.close();
      await queue.close();
    },
  };
}

/** What a worker reports of a step job as it goes. */
export type StepJobEvent = { state: 'started' } | ({ state: 'done' } & StepJobResult) | { state: 'failed'; error: string };

/**
 * A worker's handler of step jobs. A step that failed fails again, so its failure is permanent; the
 * coordinator reads code and message back (stepFailureError).
 */
export function stepJobHandler(worker: string, workspaceRoot: string | undefined, onStep?: (job: StepJob, event: StepJobEvent) => void): JobHandler {
  const steps = new StepRunner(worker);
  return {
    accepts: isStepJob,
    async run(data: unknown): Promise<StepJobResult> {
      const job = data as StepJob;
      onStep?.(job, { state: 'started' });
      try {
        const result = await steps.run(job, workspaceRoot);
        onStep?.(job, { state: 'done', ...result });
        return result;
      } catch (thrown) {
        const error = asMlcycleError(thrown);
        onStep?.(job, { state: 'failed', error: error.message });
        const failure: StepFailure = { code: error.code, message: error.message, worker };
        throw permanentJobFailure(JSON.stringify(failure));
      }
    },
    close: () => steps.close(),
  };
}
