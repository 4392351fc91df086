/** Runs the train step in a worker thread (train-worker.ts) and relays its rounds. */
import { Worker } from 'node:worker_threads';
import { MlcycleError, type ErrorCode, ERROR_CODES } from '../../../error.js';
import { CONTROL, DECISION, type TrainWorkerMessage, type TrainWorkerStart } from './train-worker.js';

export interface TrainRequest extends Omit<TrainWorkerStart, 'control' | 'decide'> {
  /** Heard after each GBDT round; `prune` stops training there. */
  onRound?: (round: number, value: number) => 'continue' | 'prune';
  /** Heard after each round, deciding nothing (progress bars). */
  onProgress?: (round: number, value: number) => void;
  signal?: AbortSignal;
}

export type TrainOutcome = Extract<TrainWorkerMessage, { kind: 'done' }>;

function bootstrap(moduleUrl: string): string {
  // From TypeScript sources (tests, benchmarks) the worker loads through tsx, as the GBDT threads do.
  const loader = moduleUrl.endsWith('.ts') ? `(await import('tsx/esm/api')).register();` : '';
  return `(async () => { ${loader} await import(${JSON.stringify(moduleUrl)}); })().catch((error) => {
    return import('node:worker_threads').then(({ parentPort }) => parentPort.postMessage({ kind: 'error', message: String(error && error.stack || error) }));
  });`;
}

/** Trains in a worker; resolves with the outcome once the model file is written. */
export function trainInWorker(request: TrainRequest): Promise<TrainOutcome> {
  const { onRound, onProgress, signal, ...start } = request;
  const control = new SharedArrayBuffer(3 * 4);
  const cells = new Int32Array(control);
  const own = new URL(import.meta.url);
  const moduleUrl = new URL(own.pathname.endsWith('.ts') ? './train-worker.ts' : './train-worker.js', own).href;
  const trainWorker: TrainWorkerStart = { ...start, control, decide: onRound !== undefined };
  const worker = new Worker(bootstrap(moduleUrl), { eval: true, workerData: { trainWorker } });
  const stop = (): void => {
    Atomics.store(cells, CONTROL.stop, 1);
    Atomics.notify(cells, CONTROL.decidedRound);
  };
  if (signal?.aborted === true) stop();
  signal?.addEventListener('abort', stop);
  return new Promise<TrainOutcome>((resolve, reject) => {
    let settled = false;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', stop);
      action();
      void worker.terminate();
    };
    worker.on('message', (message: TrainWorkerMessage) => {
      if (message.kind === 'round') {
        onProgress?.(message.round, message.value);
        if (onRound !== undefined) {
          let decision: 'continue' | 'prune';
          try {
            decision = onRound(message.round, message.value);
          } catch (error) {
            stop();
            finish(() => reject(error));
            return;
          }
          Atomics.store(cells, CONTROL.decision, decision === 'prune' ? DECISION.prune : DECISION.continue);
          Atomics.store(cells, CONTROL.decidedRound, message.round);
          Atomics.notify(cells, CONTROL.decidedRound);
        }
      } else if (message.kind === 'done') finish(() => resolve(message));
      else {
        const code = message.code !== undefined && message.code in ERROR_CODES ? (message.code as ErrorCode) : 'internal';
        finish(() => reject(new MlcycleError(code, message.message)));
      }
    });
    worker.on('error', (error) => finish(() => reject(error)));
    worker.on('exit', (exitCode) => finish(() => reject(new MlcycleError('internal', `the training thread exited (code ${exitCode}) before it finished`))));
  });
}
