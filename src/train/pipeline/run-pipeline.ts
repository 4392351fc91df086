/**
 * Compiling and running a pipeline, in phases (as vega-lite compiles):
 *   1. spec       pipeline-spec.ts       the file's shape
 *   2. normalise  normalize-pipeline.ts  defaults from the problem spec, learner params checked
 *   3. plan       plan-pipeline.ts       steps, code versions, cache-key parameters
 *   4. run        this file              datasets resolved, each step served from the cache or computed,
 *                                        everything recorded in one tracked run
 * Problems of phases 1 to 3 and a missing dataset are reported before the run opens, so they store nothing.
 * The run opens before any step runs, so its duration is real; a run served wholly from the cache is
 * still a run (tag `mlcycle.cached`), its model artifact pointing at the cached bytes.
 */
import { rm } from 'node:fs/promises';
import { resolveDatasetRef } from '../../data/dataset-ref.js';
import { MlcycleError } from '../../error.js';
import type { DatasetVersion } from '../../store/dataset-store.js';
import { startRun } from '../../tracking/start-run.js';
import { executeEvaluation, executeFeatures, executeSplit, executeTraining, LazyEngine, type StepResult } from './execute-steps.js';
import { loadPipeline } from './load-pipeline.js';
import { planPipeline, type PlannedStep } from './plan-pipeline.js';
import type { NormalizedPipeline, PipelineResult, RunPipelineOptions, StepName, StepOutcome } from './pipeline-types.js';
import { recordPipelineRun } from './record-run.js';
import { StepCache, stepCacheKey, summaryHash, type CachedStep } from './step-cache.js';

/** Aborted by Ctrl-C (or the caller's signal). */
export class PipelineAborted extends MlcycleError {
  constructor(readonly runId: string) {
    super('internal', `run ${runId} was stopped and ended KILLED`);
  }
}

function outputHashes(step: CachedStep): Record<string, string> {
  const hashes: Record<string, string> = Object.fromEntries(Object.entries(step.outputs).map(([name, output]) => [name, output.sha256]));
  const extra = step.summary.hashes as Record<string, string> | undefined;
  return { ...hashes, ...extra, summary: summaryHash(step.summary) };
}

/** Runs a pipeline as one tracked run; see RunPipelineOptions and PipelineResult. */
export async function runPipeline(options: RunPipelineOptions): Promise<PipelineResult> {
  const { workspace, context } = options;
  const { spec, pipeline } = await loadPipeline(workspace.root, options.pipeline, options.overrides ?? {});
  const plan = planPipeline(pipeline);
  const data: Partial<Record<'source' | 'training' | 'validation', DatasetVersion>> = {};
  if (pipeline.data.split === undefined) {
    data.training = await resolveDatasetRef(workspace.datasets, pipeline.data.training);
    data.validation = await resolveDatasetRef(workspace.datasets, pipeline.data.validation);
  } else data.source = await resolveDatasetRef(workspace.datasets, pipeline.data.dataset);

  const run = await startRun({
    experiment: pipeline.experiment,
    name: options.runName ?? pipeline.name,
    workspace,
    context,
    tags: { 'mlcycle.pipeline': pipeline.name, 'mlcycle.pipeline.source': pipeline.sourceLabel, ...options.tags },
    ...(options.parentRunId === undefined ? {} : { parent: options.parentRunId }),
    ...(options.command === undefined ? {} : { command: options.command }),
  });
  const engine = new LazyEngine();
  const cache = new StepCache(workspace);
  const done = new Map<StepName, CachedStep>();
  const outcomes: StepOutcome[] = [];
  const history: { round: number; value: number }[] = [];
  const roundMetric = pipeline.train.learner === 'gbdt' ? pipeline.train.params.validationMetric : undefined;
  let pruned = false;
  const checkAbort = (): void => {
    if (options.signal?.aborted === true) throw new PipelineAborted(run.id);
  };
  try {
    await run.logParams(runParams(pipeline));
    const hashOf = (step: PlannedStep): Record<string, string> =>
      Object.fromEntries(
        Object.entries(step.inputs).map(([name, source]) => {
          if ('dataset' in source) return [name, (data[source.dataset] as DatasetVersion).hash];
          const hash = outputHashes(done.get(source.step) as CachedStep)[source.output];
          if (hash === undefined) throw new MlcycleError('internal', `step ${source.step} has no output ${source.output}`);
          return [name, hash];
        }),
      );
    const fileOf = (step: StepName, output: string): string => {
      const stored = done.get(step)?.outputs[output];
      if (stored === undefined) throw new MlcycleError('internal', `step ${step} has no output file ${output}`);
      return cache.file(stored);
    };
    const onRound = (round: number, value: number): 'continue' | 'prune' => {
      history.push({ round, value });
      const metrics = { [`validation_${roundMetric ?? 'metric'}`]: value };
      run.logMetric(`rounds.validation_${roundMetric ?? 'metric'}`, value, round);
      options.onEvent?.({ kind: 'round', round, rounds: pipeline.train.learner === 'gbdt' ? (pipeline.train.params.rounds ?? 100) : 0, metrics });
      const decision = options.onRound?.(round, metrics) ?? 'continue';
      if (decision === 'prune') pruned = true;
      return decision;
    };

    for (const step of plan) {
      checkAbort();
      const inputs = hashOf(step);
      const key = stepCacheKey({ step: step.name, codeVersion: step.codeVersion, params: step.params, inputs });
      const started = performance.now();
      const hit = options.noCache === true ? undefined : await cache.lookup(key);
      options.onEvent?.({ kind: 'step-start', step: step.name, cached: hit !== undefined });
      let stored = hit;
      if (hit !== undefined && step.name === 'train') {
        // Replaying the cached rounds lets a pruner decide as if training ran.
        for (const point of (hit.summary.history ?? []) as { round: number; value: number }[]) if (onRound(point.round, point.value) === 'prune') break;
      }
      if (stored === undefined) {
        let result: StepResult;
        if (step.name === 'split') {
          result = await executeSplit(workspace, engine, spec, pipeline, data.source as DatasetVersion, context);
        } else if (step.name === 'features') {
          if (data.training === undefined || data.validation === undefined) throw new MlcycleError('internal', 'features without datasets');
          result = await executeFeatures(workspace, engine, pipeline, { training: data.training, validation: data.validation });
        } else if (step.name === 'train') {
          result = await executeTraining(workspace, pipeline, {
            trainingFile: fileOf('features', 'training'),
            validationFile: pipeline.train.learner === 'gbdt' ? fileOf('features', 'validation') : undefined,
            onProgress: () => undefined,
            onRound,
            ...(options.signal === undefined ? {} : { signal: options.signal }),
          });
          checkAbort();
        } else {
          result = await executeEvaluation(pipeline, fileOf('train', 'model'), fileOf('features', 'validation'));
        }
        const seconds = (performance.now() - started) / 1000;
        // A pruned model is not what these parameters give: it is kept by the run, not by the cache.
        const cacheable = !(pruned && (step.name === 'train' || step.name === 'evaluate'));
        stored = cacheable
          ? await cache.store({ cacheKey: key, step: step.name, codeVersion: step.codeVersion, params: step.params, inputs }, result.files, result.summary, seconds, run.id, context)
          : await cache.detached(key, step.name, result.files, result.summary, seconds, run.id);
        await Promise.all(result.scratch.map((file) => rm(file, { force: true })));
      }
      if (step.name === 'split') {
        const parts = stored.summary as { training: { dataset: string; hash: string }; validation: { dataset: string; hash: string } };
        data.training = await resolveDatasetRef(workspace.datasets, `${parts.training.dataset}@${parts.training.hash}`);
        data.validation = await resolveDatasetRef(workspace.datasets, `${parts.validation.dataset}@${parts.validation.hash}`);
      }
      done.set(step.name, stored);
      const seconds = (performance.now() - started) / 1000;
      outcomes.push({ step: step.name, cacheKey: key, cached: hit !== undefined, seconds, inputs, outputs: outputHashes(stored) });
      options.onEvent?.({ kind: 'step-end', step: step.name, cached: hit !== undefined, seconds });
    }
    const result = await recordPipelineRun(run, { pipeline, data, done, outcomes, history, pruned, cache, context });
    await run.end('FINISHED');
    return result;
  } catch (error) {
    const aborted = error instanceof PipelineAborted || options.signal?.aborted === true;
    await run.end(aborted ? 'KILLED' : 'FAILED').catch(() => undefined);
    throw aborted && !(error instanceof PipelineAborted) ? new PipelineAborted(run.id) : error;
  } finally {
    await engine.close();
  }
}

function runParams(pipeline: NormalizedPipeline): Record<string, string | number | boolean> {
  const params: Record<string, string | number | boolean> = {
    pipeline: pipeline.name,
    learner: pipeline.train.learner,
    label: pipeline.label,
    features: pipeline.features.map((feature) => feature.name).join(', '),
    metrics: pipeline.metrics.join(', '),
    sampleStride: pipeline.train.sampleStride,
  };
  for (const [key, value] of Object.entries(pipeline.train.params)) if (value !== undefined) params[key] = Array.isArray(value) ? value.join(', ') : (value as string | number | boolean);
  if (pipeline.data.split !== undefined) for (const [key, value] of Object.entries(pipeline.data.split)) if (value !== undefined) params[`split.${key}`] = value;
  return params;
}

