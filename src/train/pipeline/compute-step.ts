/**
 * Computing one step on a cache miss and storing its result as its cache entry. The same function serves
 * a local run (run-pipeline.ts) and a `mlcycle worker` that took the step from the queue (step-job.ts):
 * a step's result IS its cache entry (files as blobs, then the row), so where a step ran leaves no trace
 * in what it produced, and the coordinator of a remote step reads the result back from the cache.
 */
import { rm } from 'node:fs/promises';
import { MlcycleError } from '../../error.js';
import type { PlannedStep } from './plan-pipeline.js';
import type { CachedStep } from './step-cache.js';
import { STEP_DEFINITIONS, type StepControl, type StepEnvironment } from './step-definitions.js';

export type { StepControl, StepEnvironment } from './step-definitions.js';

/** Computes a step and stores it under its cache key; the staged files are removed either way. */
export async function computeStep(environment: StepEnvironment, step: PlannedStep, key: { cacheKey: string; inputs: Record<string, string> }, control: StepControl = {}): Promise<CachedStep> {
  const started = performance.now();
  const result = await STEP_DEFINITIONS[step.name].execute(environment, control);
  try {
    if (control.signal?.aborted === true) throw new MlcycleError('internal', `step ${step.name} was stopped`);
    const seconds = (performance.now() - started) / 1000;
    const { cache, runId, context } = environment;
    return control.cacheable?.() === false
      ? await cache.detached(key.cacheKey, step.name, result.files, result.summary, seconds, runId)
      : await cache.store({ cacheKey: key.cacheKey, step: step.name, codeVersion: step.codeVersion, params: step.params, inputs: key.inputs }, result.files, result.summary, seconds, runId, context);
  } finally {
    await Promise.all(result.scratch.map((file) => rm(file, { force: true })));
  }
}
