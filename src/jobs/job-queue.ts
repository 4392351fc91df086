/**
 * Background jobs over one BullMQ queue on Redis (DESIGN.md section 3: no home-made distributed system).
 * A coordinator adds jobs and waits for their results (`connectJobQueue`); `mlcycle worker` processes take
 * one job at a time (each job already uses a core) and hand it to the first handler that accepts it
 * (`startJobWorker`). The stages bring the handlers: tuning trials (src/train/tune/queue-evaluator.ts) and
 * pipeline steps (src/train/pipeline/step-queue.ts), composed in src/train/queue-worker.ts; later jobs add
 * theirs. This module knows no stage.
 */
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job } from 'bullmq';
import { checkRedisReachable, JOB_QUEUE, redisConnection } from './redis-url.js';

export { JOB_QUEUE, redisConnection } from './redis-url.js';

/** A coordinator's connection: the queue, its completion events, and `add` with the retention options. */
export interface JobQueueConnection {
  queue: Queue;
  events: QueueEvents;
  add: (name: string, data: object) => Promise<Job>;
}

/**
 * The coordinators' connection to the job queue that `mlcycle worker` serves, listening for completions
 * before the first job is added; a Redis that does not answer is a usage error. Finished jobs stay an
 * hour, failed ones a day.
 */
export async function connectJobQueue(url: string): Promise<JobQueueConnection> {
  await checkRedisReachable(url);
  const connection = redisConnection(url);
  const queue = new Queue(JOB_QUEUE, { connection });
  const events = new QueueEvents(JOB_QUEUE, { connection });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  return { queue, events, add: (name, data) => queue.add(name, data, { removeOnComplete: { age: 3600 }, removeOnFail: { age: 86400 } }) };
}

/** One kind of job a worker runs: which payloads are its own, how to run one, what to release at the end. */
export interface JobHandler {
  accepts(data: unknown): boolean;
  /** The job's result, sent back to the coordinator; throwing `permanentJobFailure` stops retries. */
  run(data: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** The error a handler throws for a job that would fail again: BullMQ does not retry it, and the coordinator reads `reason`. */
export function permanentJobFailure(reason: string): Error {
  return new UnrecoverableError(reason);
}

export interface JobWorkerOptions {
  /** `HOST:PID`, as the worker names itself to the queue. */
  id: string;
  /**
   * Seconds a job's lock lasts without renewal (renewed at half that while the job runs), and between
   * checks for jobs whose worker died: after about this long (twice at most), another worker takes such a
   * job again. BullMQ's default is 30 s.
   */
  stallSeconds?: number;
}

export interface JobWorker {
  readonly id: string;
  /** Finishes the job in hand, then stops and closes the handlers. */
  close(): Promise<void>;
}

/** A worker process's loop: one job at a time, run by the first handler that accepts it. */
export async function startJobWorker(url: string, handlers: readonly JobHandler[], options: JobWorkerOptions): Promise<JobWorker> {
  await checkRedisReachable(url);
  const worker = new Worker(
    JOB_QUEUE,
    async (job) => {
      const data: unknown = job.data;
      const handler = handlers.find((candidate) => candidate.accepts(data));
      if (handler === undefined) throw permanentJobFailure(`no handler for job ${job.name}`);
      return handler.run(data);
    },
    {
      connection: redisConnection(url),
      concurrency: 1,
      name: options.id,
      ...(options.stallSeconds === undefined ? {} : { lockDuration: options.stallSeconds * 1000, stalledInterval: options.stallSeconds * 1000 }),
    },
  );
  await worker.waitUntilReady();
  return {
    id: options.id,
    async close() {
      await worker.close();
      for (const handler of handlers) await handler.close();
    },
  };
}
