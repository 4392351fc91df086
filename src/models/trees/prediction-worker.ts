/**
 * The prediction worker thread: it waits for a job (prediction-threads.ts), scores its rows with the
 * packed forest and says it is done. Forests it has seen are kept by id, the last few of them.
 */
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { addPackedScores, PACKED_BLOCK_ROWS, type PackedForest } from './packed-forest.js';
import { PREDICT_CONTROL, unshareForest, type PredictJob } from './prediction-threads.js';

const start = workerData as { control: SharedArrayBuffer; port: MessagePort };
const control = new Int32Array(start.control);
/** Forests kept for later batches (a service predicts with a few models). */
const KEPT_FORESTS = 8;
const forests = new Map<number, PackedForest>();

function forestOf(job: PredictJob): PackedForest {
  let forest = forests.get(job.forest.id);
  if (forest === undefined) {
    forest = unshareForest(job.forest, PACKED_BLOCK_ROWS);
    forests.set(job.forest.id, forest);
    if (forests.size > KEPT_FORESTS) forests.delete(forests.keys().next().value as number);
  }
  return forest;
}

function serve(): void {
  Atomics.add(control, PREDICT_CONTROL.ready, 1);
  Atomics.notify(control, PREDICT_CONTROL.ready);
  let seen = 0;
  for (;;) {
    // Only a new generation starts a job: a wake-up without one must not run the last job twice.
    while (Atomics.load(control, PREDICT_CONTROL.generation) === seen) Atomics.wait(control, PREDICT_CONTROL.generation, seen);
    seen = Atomics.load(control, PREDICT_CONTROL.generation);
    // The job was posted before the generation moved, so it is in the port's queue.
    let message = receiveMessageOnPort(start.port);
    while (message === undefined) {
      Atomics.wait(control, PREDICT_CONTROL.done, 0, 1);
      message = receiveMessageOnPort(start.port);
    }
    const job = message.message as PredictJob;
    const x = new Float64Array(job.x, 0, job.rows * job.forest.featureCount);
    const scores = new Float64Array(job.scores, 0, job.rows * job.outputs);
    addPackedScores(forestOf(job), x, job.rows, job.outputs, scores);
    Atomics.store(control, PREDICT_CONTROL.done, 1);
    Atomics.notify(control, PREDICT_CONTROL.done);
  }
}

try {
  serve();
} catch {
  Atomics.store(control, PREDICT_CONTROL.failed, 1);
  Atomics.notify(control, PREDICT_CONTROL.done);
  Atomics.notify(control, PREDICT_CONTROL.ready);
}
