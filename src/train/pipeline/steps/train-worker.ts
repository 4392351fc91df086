/**
 * The train step in a worker thread, so that the main thread stays free to draw progress, hear Ctrl-C and
 * answer a pruner while a learner's synchronous loop runs. Control cells in shared memory: the main thread
 * sets STOP to end training after the current round, and with `decide` answers each reported round
 * (DECIDED_ROUND, DECISION) while the worker waits for it.
 */
import { writeFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import type { TrainingChoice } from '../learner-params.js';
import { readFeatureColumns } from './feature-file.js';
import { fitModel } from './fit-model.js';

export const CONTROL = { stop: 0, decidedRound: 1, decision: 2 } as const;
export const DECISION = { continue: 0, prune: 1 } as const;

export interface TrainWorkerStart {
  choice: TrainingChoice;
  sampleStride: number;
  trainingFile: string;
  validationFile: string | undefined;
  outputFile: string;
  control: SharedArrayBuffer;
  /** Wait for the main thread's decision after each round. */
  decide: boolean;
}

export type TrainWorkerMessage =
  | { kind: 'round'; round: number; value: number }
  | { kind: 'done'; history: { round: number; value: number }[]; rounds: number; stopped: boolean; trainingRows: number }
  | { kind: 'error'; message: string; code: string | undefined };

async function main(start: TrainWorkerStart): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  const control = new Int32Array(start.control);
  try {
    const training = await readFeatureColumns(start.trainingFile);
    const validation = start.validationFile === undefined ? undefined : await readFeatureColumns(start.validationFile);
    const fitted = fitModel(start.choice, start.sampleStride, training, validation, (round, value) => {
      port.postMessage({ kind: 'round', round, value } satisfies TrainWorkerMessage);
      if (start.decide) {
        while (Atomics.load(control, CONTROL.decidedRound) < round && Atomics.load(control, CONTROL.stop) === 0) {
          Atomics.wait(control, CONTROL.decidedRound, Atomics.load(control, CONTROL.decidedRound), 1000);
        }
        if (Atomics.load(control, CONTROL.decision) === DECISION.prune) return 'stop';
      }
      return Atomics.load(control, CONTROL.stop) === 1 ? 'stop' : 'continue';
    });
    await writeFile(start.outputFile, fitted.text);
    port.postMessage({ kind: 'done', history: fitted.history, rounds: fitted.rounds, stopped: fitted.stopped, trainingRows: fitted.trainingRows } satisfies TrainWorkerMessage);
  } catch (error) {
    port.postMessage({ kind: 'error', message: error instanceof Error ? error.message : String(error), code: (error as { code?: string }).code } satisfies TrainWorkerMessage);
  }
}

if (parentPort !== null && (workerData as { trainWorker?: TrainWorkerStart } | null)?.trainWorker !== undefined) {
  await main((workerData as { trainWorker: TrainWorkerStart }).trainWorker);
}
