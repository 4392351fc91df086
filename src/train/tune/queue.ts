/**
 * Distributed work over a BullMQ queue on Redis (DESIGN.md section 3: no home-made distributed system).
 * One queue carries two kinds of job:
 * - tuning trials: `mlcycle tune --queue URL` asks for trials and adds one job per trial; a worker evaluates
 *   it against the shared metadata store (SQLite in WAL mode, the artifact store beside it) and returns the
 *   outcome, which the coordinator tells the study;
 * - pipeline steps: `mlcycle train --queue URL` adds one job per step that is not a cache hit; a worker
 *   computes it and stores it as its cache entry (src/train/pipeline/step-job.ts and step-queue.ts).
 * `mlcycle worker --queue URL` processes take one job at a time, of either kind (each already uses a core).
 */
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job } from 'bullmq';
import { asMlcycleError, MlcycleError } from '../../error.js';
import { workspacePaths } from '../../store/workspace.js';
import { isStepJob, StepRunner, workerId, type StepJob, type StepJobResult } from '../pipeline/step-job.js';
import type { StepFailure } from '../pipeline/step-queue.js';
import { TrialRunner, type EvaluationOutcome, type TrialEvaluator, type TrialJob } from './evaluate-trial.js';
import { checkRedisReachable, JOB_QUEUE, redisConnection } from './redis-url.js';

export { JOB_QUEUE, redisConnection } from './redis-url.js';

/**
 * The coordinators' connection to the job queue that `mlcycle worker` serves (trials and pipeline steps),
 * listening for completions before the first job is added; a Redis that does not answer is a usage error.
 * Finished jobs stay an hour, failed ones a day.
 */
export async function connectJobQueue(url: string): Promise<{ queue: Queue; events: QueueEvents; add: (name: string, data: object) => Promise<Job> }> {
  await checkRedisReachable(url);
  const connection = redisConnection(url);
  const queue = new Queue(JOB_QUEUE, { connection });
  const events = new QueueEvents(JOB_QUEUE, { connection });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  return { queue, events, add: (name, data) => queue.add(name, data, { removeOnComplete: { age: 3600 }, removeOnFail: { age: 86400 } }) };
}

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

export interface QueueWorker {
  /** `HOST:PID`, as runs record it for the steps it computed. */
  readonly id: string;
  /** Finishes the job in hand, then stops. */
  close(): Promise<void>;
}

export interface QueueWorkerOptions {
  /** Replaces the workspace the jobs name (the coordinator's path; another mount point here). */
  workspaceRoot?: string;
  /**
   * Seconds a job's lock lasts without renewal (renewed at half that while the job runs), and between
   * checks for jobs whose worker died: after about this long (twice at most), another worker takes such a
   * job again. BullMQ's default is 30 s.
   */
  stallSeconds?: number;
  onJob?: (job: TrialJob, outcome: EvaluationOutcome) => void;
  onStep?: (job: StepJob, outcome: { state: 'started' } | ({ state: 'done' } & StepJobResult) | { state: 'failed'; error: string }) => void;
}

/** A worker process's loop: one job at a time, a tuning trial or a pipeline step. */
export async function startQueueWorker(url: string, options: QueueWorkerOptions = {}): Promise<QueueWorker> {
  await checkRedisReachable(url);
  const id = workerId();
  const trials = new TrialRunner();
  const steps = new StepRunner(id);
  const databaseFile = options.workspaceRoot === undefined ? undefined : workspacePaths(options.workspaceRoot).databaseFile;
  const worker = new Worker(
    JOB_QUEUE,
    async (job) => {
      const data: unknown = job.data;
      if (isStepJob(data)) {
        options.onStep?.(data, { state: 'started' });
        try {
          const result = await steps.run(data, options.workspaceRoot);
          options.onStep?.(data, { state: 'done', ...result });
          return result;
        } catch (thrown) {
          const error = asMlcycleError(thrown);
          options.onStep?.(data, { state: 'failed', error: error.message });
          // Unrecoverable: a step that failed fails again; the coordinator reads code and message back.
          const failure: StepFailure = { code: error.code, message: error.message, worker: id };
          throw new UnrecoverableError(JSON.stringify(failure));
        }
      }
      const trial = { ...(data as TrialJob), ...(databaseFile === undefined ? {} : { databaseFile }) };
      const outcome = await trials.run(trial);
      options.onJob?.(trial, outcome);
      return outcome;
    },
    {
      connection: redisConnection(url),
      concurrency: 1,
      name: id,
      ...(options.stallSeconds === undefined ? {} : { lockDuration: options.stallSeconds * 1000, stalledInterval: options.stallSeconds * 1000 }),
    },
  );
  await worker.waitUntilReady();
  return {
    id,
    async close() {
      await worker.close();
      await trials.close();
      await steps.close();
    },
  };
}
