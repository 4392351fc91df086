/**
 * A training worker thread: it views the shared memory it was given, then runs its share of each step the
 * main thread posts until told to stop (see training-threads.ts).
 */
import { workerData } from 'node:worker_threads';
import { makeObjective } from './objectives.js';
import { viewBuffers } from './training-buffers.js';
import { runStep, type Step } from './training-kernels.js';
import { CONTROL, reportFailure, STOP_STEP, type WorkerStart } from './training-threads.js';

const start = workerData as WorkerStart;
const control = new Int32Array(start.control);
const message = new Uint8Array(start.message);

function serve(): void {
  const buffers = viewBuffers(start.layout, start.memory);
  const { objective: name, huberDelta } = start.layout;
  const objective = makeObjective(name, buffers.label, buffers.weight, huberDelta, start.initScores);
  Atomics.add(control, CONTROL.ready, 1);
  Atomics.notify(control, CONTROL.ready);
  let seen = 0;
  for (;;) {
    // Only a new generation starts a step: a wake-up without one (which the memory model does not promise
    // never happens) must not run the last step twice.
    while (Atomics.load(control, CONTROL.generation) === seen) Atomics.wait(control, CONTROL.generation, seen);
    seen = Atomics.load(control, CONTROL.generation);
    const step = Atomics.load(control, CONTROL.step);
    if (step === STOP_STEP) return;
    runStep(step as Step, buffers, start.thread, objective);
    Atomics.add(control, CONTROL.done, 1);
    Atomics.notify(control, CONTROL.done);
  }
}

try {
  serve();
} catch (error) {
  reportFailure(control, message, error);
}
