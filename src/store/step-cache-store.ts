/**
 * The pipeline step cache's index: one entry per computed step under the hash of what determines it
 * (src/train/pipeline/step-cache.ts computes the key and keeps the output files as blobs in the artifact
 * store). A backend writes an entry in one statement, after its caller has every blob in place.
 */

/** One output file of a step, by content. */
export interface StepOutput {
  sha256: string;
  size: number;
}

export interface StepCacheEntry {
  cacheKey: string;
  step: string;
  codeVersion: string;
  params: unknown;
  /** Content hashes of the inputs, by name. */
  inputs: Readonly<Record<string, string>>;
  outputs: Record<string, StepOutput>;
  /** Small results kept in the entry: metrics, histories, references. */
  summary: Record<string, unknown>;
  seconds: number;
  runId: string | undefined;
  /** ISO 8601 time, UTC. */
  createdAt: string;
  createdBy: string;
}

/** Finding and saving step cache entries. */
export interface StepCacheStore {
  /** The entry under a cache key, if there is one (whether its blobs still exist is the caller's question). */
  find(cacheKey: string): Promise<StepCacheEntry | undefined>;
  /** Saves an entry, replacing one under the same key (as `--no-cache` recomputes). */
  save(entry: StepCacheEntry): Promise<void>;
}
