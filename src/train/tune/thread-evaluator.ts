/**
 * Trials in worker threads (`mlcycle tune --parallel P`): P threads, each with its own connection to the
 * metadata database and its own copy of the objective's data; the main thread only asks and tells, so it
 * stays free for the progress bar and Ctrl-C. Workers load the TypeScript module through tsx when mlcycle
 * runs from its sources (tests, benchmarks) and the built JavaScript otherwise.
 */
import { Worker } from 'node:worker_threads';
import { MlcycleError } from '../../error.js';
import type { EvaluationOutcome, TrialEvaluator, TrialJob } from './evaluate-trial.js';

interface Pending {
  resolve: (outcome: EvaluationOutcome) => void;
  reject: (error: Error) => void;
}

/** The code a worker starts with: register tsx for a .ts module, then import it. */
function bootstrap(moduleUrl: string): string {
  const loader = moduleUrl.endsWith('.ts') ? `(await import('tsx/esm/api')).register();` : '';
  return `(async () => { ${loader} await import(${JSON.stringify(moduleUrl)}); })();`;
}

/** A pool of `threads` workers evaluating one trial each at a time. */
export function threadEvaluator(threads: number): TrialEvaluator {
  if (!Number.isInteger(threads) || threads < 1) throw new MlcycleError('invalid_input', `parallel must be a whole number of at least 1, got ${threads}`);
  const own = new URL(import.meta.url);
  const moduleUrl = new URL(own.pathname.endsWith('.ts') ? './trial-thread.ts' : './trial-thread.js', own).href;
  const idle: Worker[] = [];
  const pending = new Map<Worker, Pending>();
  const all: Worker[] = [];
  let closed = false;
  const start = (): Worker => {
    const worker = new Worker(bootstrap(moduleUrl), { eval: true });
    worker.on('message', (outcome: EvaluationOutcome) => {
      const job = pending.get(worker);
      pending.delete(worker);
      idle.push(worker);
      job?.resolve(outcome);
    });
    const fail = (error: Error): void => {
      const job = pending.get(worker);
      pending.delete(worker);
      job?.reject(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new MlcycleError('internal', closed ? 'interrupted' : `a trial thread exited with code ${code}`)));
    all.push(worker);
    return worker;
  };
  return {
    capacity: threads,
    evaluate(job: TrialJob) {
      if (closed) return Promise.reject(new MlcycleError('internal', 'interrupted'));
      const worker = idle.pop() ?? (all.length < threads ? start() : undefined);
      if (worker === undefined) return Promise.reject(new MlcycleError('internal', `all ${threads} trial threads are busy`));
      return new Promise<EvaluationOutcome>((resolve, reject) => {
        pending.set(worker, { resolve, reject });
        worker.postMessage(job);
      });
    },
    async close() {
      closed = true;
      await Promise.all(all.map((worker) => worker.terminate()));
    },
  };
}
