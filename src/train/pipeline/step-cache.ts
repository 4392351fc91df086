/**
 * The step cache: a step's outputs under the hash of what determines them (the step's code version, its
 * parameters, the content hashes of its inputs), as Metaflow and ZenML cache steps. Output files are
 * blobs in the artifact store, addressed by their SHA-256 and moved into place whole; the entry in the
 * workspace's step cache store (src/store/step-cache-store.ts) is written after every blob is in place, in
 * one statement. So a crash or a failure leaves at most an unreferenced blob, never an entry whose outputs
 * are missing or half-written; and an entry whose blob has gone is treated as absent and recomputed.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { ChangeContext } from '../../store/audit-log.js';
import { stableJson } from '../../store/stable-json.js';
import type { StepOutput } from '../../store/step-cache-store.js';
import type { Workspace } from '../../store/workspace.js';
import { artifactBlobKey, storeBlob } from '../../tracking/run-artifacts.js';

export { stableJson } from '../../store/stable-json.js';
export type { StepOutput } from '../../store/step-cache-store.js';

/** What determines a step's result. */
export interface StepKey {
  step: string;
  codeVersion: string;
  params: unknown;
  /** Content hashes of the inputs, by name. */
  inputs: Readonly<Record<string, string>>;
}

export interface CachedStep {
  key: string;
  step: string;
  outputs: Record<string, StepOutput>;
  /** Small results kept in the row: metrics, histories, references. */
  summary: Record<string, unknown>;
  seconds: number;
  runId: string | undefined;
  createdAt: string;
}

/** The cache key of a step: SHA-256 of its determining parts. */
export function stepCacheKey(key: StepKey): string {
  return createHash('sha256').update(stableJson({ step: key.step, code: key.codeVersion, params: key.params, inputs: key.inputs })).digest('hex');
}

/** A content hash for results that live in the row rather than in files. */
export function summaryHash(summary: unknown): string {
  return createHash('sha256').update(stableJson(summary)).digest('hex');
}

export class StepCache {
  constructor(private readonly workspace: Workspace) {}

  /** The cached result under a key, if it is there with all its output files. */
  async lookup(key: string): Promise<CachedStep | undefined> {
    const entry = await this.workspace.stepCache.find(key);
    if (entry === undefined) return undefined;
    const { outputs } = entry;
    for (const output of Object.values(outputs)) if (!(await this.workspace.artifacts.has(artifactBlobKey(output.sha256)))) return undefined;
    return { key, step: entry.step, outputs, summary: entry.summary, seconds: entry.seconds, runId: entry.runId, createdAt: entry.createdAt };
  }

  /** Copies a file into the artifact store by content; opened first, so a missing file fails here. */
  private async storeFile(file: string): Promise<StepOutput> {
    const handle = await open(file);
    try {
      return await storeBlob(this.workspace.artifacts, handle.createReadStream({ autoClose: false }));
    } finally {
      await handle.close();
    }
  }

  /** The local path of an output's bytes (copied to this machine first when only the shared store holds them). */
  async file(output: StepOutput): Promise<string> {
    return await this.workspace.artifacts.localCopy(artifactBlobKey(output.sha256));
  }

  /**
   * Stores a computed step: its files become blobs first, then the row is written (replacing an older row
   * under the same key, as `--no-cache` recomputes).
   */
  async store(
    key: StepKey & { cacheKey: string },
    files: Readonly<Record<string, string>>,
    summary: Record<string, unknown>,
    seconds: number,
    runId: string | undefined,
    context: ChangeContext,
  ): Promise<CachedStep> {
    const outputs: Record<string, StepOutput> = {};
    for (const [name, file] of Object.entries(files)) outputs[name] = await this.storeFile(file);
    const createdAt = context.now().toISOString();
    await this.workspace.stepCache.save({
      cacheKey: key.cacheKey,
      step: key.step,
      codeVersion: key.codeVersion,
      params: key.params,
      inputs: key.inputs,
      outputs,
      summary,
      seconds,
      runId,
      createdAt,
      createdBy: context.actor,
    });
    return { key: key.cacheKey, step: key.step, outputs, summary, seconds, runId, createdAt };
  }

  /** Stores a step's files as blobs without a cache row: a result to keep (a pruned model) but never reuse. */
  async detached(key: string, step: string, files: Readonly<Record<string, string>>, summary: Record<string, unknown>, seconds: number, runId: string | undefined): Promise<CachedStep> {
    const outputs: Record<string, StepOutput> = {};
    for (const [name, file] of Object.entries(files)) outputs[name] = await this.storeFile(file);
    return { key, step, outputs, summary, seconds, runId, createdAt: '' };
  }
}
