/**
 * A pipeline step as a queue job (`mlcycle train --queue`), and what a `mlcycle worker` does with it: open
 * the shared workspace, compute the step with the very code of a local run (compute-step.ts), store it as
 * its cache entry, and answer only who ran it. The coordinator reads the result from the cache, so the
 * job carries everything that determines the step (its compiled pipeline, dataset versions by content
 * hash, upstream outputs by content hash) and nothing it produces.
 *
 * A job whose entry is already in the cache (written by an earlier attempt whose worker died after
 * storing, or by another run) is answered from it. The worker checks that it runs the step code the
 * coordinator planned and that the key it would store under is the one the coordinator waits for.
 */
import { hostname } from 'node:os';
import { resolveDatasetRef } from '../../data/dataset-ref.js';
import { MlcycleError } from '../../error.js';
import type { ProblemSpec } from '../../problem/spec-schema.js';
import type { DatasetVersion } from '../../store/dataset-store.js';
import { openWorkspace, type Workspace } from '../../store/workspace.js';
import { computeStep } from './compute-step.js';
import { LazyEngine } from './execute-steps.js';
import { STEP_CODE_VERSIONS, type PlannedStep } from './plan-pipeline.js';
import type { NormalizedPipeline, StepName } from './pipeline-types.js';
import { StepCache, stepCacheKey, type StepOutput } from './step-cache.js';

type DataPart = 'source' | 'training' | 'validation';

/** Everything a worker needs to compute one step (JSON, as BullMQ stores it). */
export interface StepJob {
  kind: 'pipeline-step';
  /** The coordinator's workspace; a worker started with `-C DIR` uses DIR instead (another mount point). */
  workspaceRoot: string;
  runId: string;
  /** Who ran `mlcycle train`: the actor of what the step stores. */
  actor: string;
  spec: ProblemSpec;
  pipeline: NormalizedPipeline;
  step: PlannedStep;
  cacheKey: string;
  inputs: Record<string, string>;
  /** Dataset versions as `NAME@HASH`. */
  data: Partial<Record<DataPart, string>>;
  upstream: Partial<Record<StepName, Record<string, StepOutput>>>;
  /** `--no-cache`: compute even when the entry exists. */
  noCache: boolean;
}

/** A worker's answer: who computed the step (or found it cached) and in how many seconds. */
export interface StepJobResult {
  worker: string;
  seconds: number;
  reused: boolean;
}

/** The id runs record for a worker process: `HOST:PID`. */
export function workerId(): string {
  return `${hostname()}:${process.pid}`;
}

/** Tells a step job from a trial job in the shared queue. */
export function isStepJob(data: unknown): data is StepJob {
  return typeof data === 'object' && data !== null && (data as { kind?: unknown }).kind === 'pipeline-step';
}

/** The job for a step of a run, from the coordinator's state. */
export function stepJob(parts: Omit<StepJob, 'kind' | 'data'> & { data: Partial<Record<DataPart, DatasetVersion>> }): StepJob {
  const data: Partial<Record<DataPart, string>> = {};
  for (const [part, version] of Object.entries(parts.data) as [DataPart, DatasetVersion | undefined][]) if (version !== undefined) data[part] = `${version.dataset}@${version.hash}`;
  return { ...parts, kind: 'pipeline-step', data };
}

/** Runs step jobs in a worker process, keeping each workspace open between jobs. */
export class StepRunner {
  private readonly workspaces = new Map<string, Promise<Workspace>>();

  constructor(private readonly worker = workerId()) {}

  private workspace(root: string): Promise<Workspace> {
    let workspace = this.workspaces.get(root);
    if (workspace === undefined) {
      workspace = openWorkspace(root, { actor: 'mlcycle-worker', now: () => new Date() });
      this.workspaces.set(root, workspace);
      // A failed open is not kept: the next job tries again.
      workspace.catch(() => this.workspaces.delete(root));
    }
    return workspace;
  }

  /** Computes the job's step (or finds it cached) in the workspace at `root` (default: the job's). */
  async run(job: StepJob, root = job.workspaceRoot): Promise<StepJobResult> {
    const started = performance.now();
    const { step } = job;
    const ours = STEP_CODE_VERSIONS[step.name];
    if (step.codeVersion !== ours) {
      throw new MlcycleError('conflict', `the coordinator planned step ${step.name} as code ${step.codeVersion}, this worker runs ${ours}: run the same mlcycle version on both`);
    }
    const key = stepCacheKey({ step: step.name, codeVersion: step.codeVersion, params: step.params, inputs: job.inputs });
    if (key !== job.cacheKey) throw new MlcycleError('conflict', `step ${step.name}: the job's cache key ${job.cacheKey.slice(0, 12)} does not match its parts (${key.slice(0, 12)})`);
    const workspace = await this.workspace(root);
    const cache = new StepCache(workspace);
    const elapsed = (): number => (performance.now() - started) / 1000;
    if (!job.noCache && (await cache.lookup(job.cacheKey)) !== undefined) return { worker: this.worker, seconds: elapsed(), reused: true };
    const data: Partial<Record<DataPart, DatasetVersion>> = {};
    for (const [part, ref] of Object.entries(job.data) as [DataPart, string | undefined][]) if (ref !== undefined) data[part] = await resolveDatasetRef(workspace.datasets, ref);
    const engine = new LazyEngine();
    try {
      const context = { actor: job.actor, now: () => new Date() };
      await computeStep({ workspace, cache, engine, spec: job.spec, pipeline: job.pipeline, data, upstream: job.upstream, runId: job.runId, context }, step, { cacheKey: job.cacheKey, inputs: job.inputs });
    } finally {
      await engine.close();
    }
    return { worker: this.worker, seconds: elapsed(), reused: false };
  }

  async close(): Promise<void> {
    for (const workspace of this.workspaces.values()) await (await workspace.catch(() => undefined))?.close();
    this.workspaces.clear();
  }
}
