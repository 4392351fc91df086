/**
 * Compiling and running a pipeline, in phases (as vega-lite compiles):
 *   1. spec       pipeline-spec.ts       the file's shape
 *   2. normalise  normalize-pipeline.ts  defaults from the problem spec, learner params checked
 *   3. plan       plan-pipeline.ts       steps, code versions, cache-key parameters
 *   4. run        this file              datasets resolved, each step served from the cache or computed
 *                                        (compute-step.ts), here or on a `mlcycle worker` through the queue
 *                                        (step-queue.ts, step-job.ts), everything recorded in one tracked run
 * Problems of phases 1 to 3 and a missing dataset are reported before the run opens, so they store nothing.
 * The run opens before any step runs, so its duration is real; a run served wholly from the cache is
 * still a run (tag `mlcycle.cached`), its model artifact pointing at the cached bytes.
 *
 * With `queue`, a step that misses the cache is a job: a worker stores it as its cache entry, and this run
 * reads it back from the cache, as if it had been a hit (its rounds replayed), recording the worker's id
 * (tag `step.NAME.worker`). Steps run in plan order: the plan is a chain, each step reading the one before.
 */
import { resolveDatasetRef } from '../../data/dataset-ref.js';
import { MlcycleError } from '../../error.js';
import type { DatasetVersion } from '../../store/dataset-store.js';
import { startRun } from '../../tracking/start-run.js';
import { computeStep } from './compute-step.js';
import { LazyEngine } from './execute-steps.js';
import { redisConnection } from '../../jobs/redis-url.js';
import { loadPipeline } from './load-pipeline.js';
import { planPipeline, type PlannedStep } from './plan-pipeline.js';
import type { NormalizedPipeline, PipelineResult, RunPipelineOptions, StepName, StepOutcome } from './pipeline-types.js';
import { recordPipelineRun } from './record-run.js';
import { StepCache, stepCacheKey, summaryHash, type CachedStep } from './step-cache.js';
import { STEP_DEFINITIONS, type PipelineData } from './step-definitions.js';
import { stepJob } from './step-job.js';
import type { StepQueue } from './step-queue.js';

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
  // A malformed queue URL is a usage error before anything runs (reaching Redis waits for the first miss).
  if (options.queue !== undefined) redisConnection(options.queue);
  const { spec, pipeline } = await loadPipeline(workspace.root, options.pipeline, options.overrides ?? {});
  const plan = planPipeline(pipeline);
  const data: PipelineData = {};
  if (pipeline.data.split === undefined) {
    data.training = await resolveDatasetRef(workspace.datasets, pipeline.data.training);
    data.validation = await resolveDatasetRef(workspace.datasets, pipeline.data.validation);
  } else data.source = await resolveDatasetRef(workspace.datasets, pipeline.data.dataset);
  // A feature read straight from a column must name one: a user error before any run is recorded.
  for (const version of Object.values(data)) {
    if (version === undefined) continue;
    const columns = new Set(version.columns.map((column) => column.name));
    const missing = pipeline.features.flatMap((feature, index) =>
      feature.sql === undefined && !columns.has(feature.name) ? [`features[${index}] "${feature.name}": dataset ${version.ref} has no column "${feature.name}"`] : [],
    );
    if (missing.length > 0) throw new MlcycleError('invalid_input', `${pipeline.sourceLabel}: ${missing.join('; ')}`);
  }

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
  let remote: Promise<StepQueue> | undefined;
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
      const definition = STEP_DEFINITIONS[step.name];
      const inputs = hashOf(step);
      const key = stepCacheKey({ step: step.name, codeVersion: step.codeVersion, params: step.params, inputs });
      const started = performance.now();
      const hit = options.noCache === true ? undefined : await cache.lookup(key);
      options.onEvent?.({ kind: 'step-start', step: step.name, cached: hit !== undefined });
      let stored = hit;
      let worker: string | undefined;
      const upstream = Object.fromEntries([...done].map(([name, cached]) => [name, cached.outputs]));
      if (stored === undefined && options.queue !== undefined) {
        remote ??= import('./step-queue.js').then(({ openStepQueue }) => openStepQueue(options.queue as string));
        const job = stepJob({ workspaceRoot: workspace.root, runId: run.id, actor: context.actor, spec, pipeline, step, cacheKey: key, inputs, data, upstream, noCache: options.noCache === true });
        worker = (await (await remote).run(job, options.signal)).worker;
        checkAbort();
        // The cache is the hand-off: the worker's result is its cache entry.
        stored = await cache.lookup(key);
        if (stored === undefined) throw new MlcycleError('internal', `step ${step.name}: worker ${worker} finished but its cache entry ${key.slice(0, 12)} is not in this workspace's store; start workers with this workspace (-C ${workspace.root})`);
      }
      if (stored !== undefined && definition.replaysRounds) {
        // Replaying cached (or remotely computed) rounds lets a pruner decide as if training ran here.
        for (const point of (stored.summary.history ?? []) as { round: number; value: number }[]) if (onRound(point.round, point.value) === 'prune') break;
      }
      if (stored === undefined) {
        // A pruned model is not what these parameters give: it is kept by the run, not by the cache.
        const cacheable = (): boolean => !(pruned && definition.followsPruning);
        const environment = { workspace, cache, engine, spec, pipeline, data, upstream, runId: run.id, context };
        stored = await computeStep(environment, step, { cacheKey: key, inputs }, { onRound, cacheable, ...(options.signal === undefined ? {} : { signal: options.signal }) });
        checkAbort();
      }
      if (definition.producesData !== undefined) Object.assign(data, await definition.producesData(stored, workspace));
      done.set(step.name, stored);
      const seconds = (performance.now() - started) / 1000;
      outcomes.push({ step: step.name, cacheKey: key, cached: hit !== undefined, seconds, inputs, outputs: outputHashes(stored), ...(worker === undefined ? {} : { worker }) });
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
    await (await remote?.catch(() => undefined))?.close();
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

