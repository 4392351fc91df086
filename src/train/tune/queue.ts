/**
 * Distributed trials over a BullMQ queue on Redis (DESIGN.md section 3: no home-made distributed system).
 * The coordinator (`mlcycle tune --queue URL`) asks for trials and adds one job per trial; `mlcycle worker
 * --queue URL` processes pull jobs, evaluate them against the shared metadata store (SQLite in WAL mode,
 * the artifact store beside it) and return the outcome, which the coordinator tells the study.
 */
import { Queue, QueueEvents, Worker } from 'bullmq';
import { MlcycleError } from '../../error.js';
import { TrialRunner, type EvaluationOutcome, type TrialEvaluator, type TrialJob } from './evaluate-trial.js';

/** One queue for every study: a job names its database file and study. */
export const TRIAL_QUEUE = 'mlcycle-trials';

/** Redis connection options from a `redis://[:password@]host:port[/db]` URL. */
export function redisConnection(url: string): { host: string; port: number; password?: string; db?: number; maxRetriesPerRequest: null } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MlcycleError('usage', `--queue: expected redis://HOST:PORT, got "${url}"`);
  }
  if (parsed.protocol !== 'redis:') throw new MlcycleError('usage', `--queue: expected a redis:// URL, got "${url}"`);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(db === undefined || !Number.isInteger(db) ? {} : { db }),
    // BullMQ's workers block on Redis; ioredis must not give up on their commands.
    maxRetriesPerRequest: null,
  };
}

/** The coordinator's side: each evaluation is a job; `capacity` jobs are in flight at once. */
export async function queueEvaluator(url: string, capacity: number): Promise<TrialEvaluator> {
  const connection = redisConnection(url);
  const queue = new Queue(TRIAL_QUEUE, { connection });
  const events = new QueueEvents(TRIAL_QUEUE, { connection });
  await events.waitUntilReady();
  const pending = new Set<(error: Error) => void>();
  return {
    capacity,
    async evaluate(job: TrialJob): Promise<EvaluationOutcome> {
      const added = await queue.add(`${job.study}#${job.trialNumber}`, job, { removeOnComplete: { age: 3600 }, removeOnFail: { age: 86400 } });
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
  /** Finishes the job in hand, then stops. */
  close(): Promise<void>;
}

/**
 * A worker process's loop: takes one trial at a time (a trial already uses a core). `databaseFile`, when
 * given, replaces the coordinator's path to the shared metadata database (another mount point here).
 */
export async function startQueueWorker(url: string, options: { databaseFile?: string; onJob?: (job: TrialJob, outcome: EvaluationOutcome) => void } = {}): Promise<QueueWorker> {
  const runner = new TrialRunner();
  const worker = new Worker(
    TRIAL_QUEUE,
    async (job) => {
      const trial = { ...(job.data as TrialJob), ...(options.databaseFile === undefined ? {} : { databaseFile: options.databaseFile }) };
      const outcome = await runner.run(trial);
      options.onJob?.(trial, outcome);
      return outcome;
    },
    { connection: redisConnection(url), concurrency: 1 },
  );
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await runner.close();
    },
  };
}
