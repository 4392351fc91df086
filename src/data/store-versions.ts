/**
 * The last step of every way to make a dataset version (add, derive, split): staged Parquet files become
 * content-addressed artifacts and registered versions, all in one transaction; content already registered
 * under the name is the existing version. On failure the artifacts this call added are removed again.
 */
import { stat } from 'node:fs/promises';
import type { ChangeContext } from '../store/audit-log.js';
import type { DatasetVersion, NewDatasetVersion } from '../store/dataset-store.js';
import type { Workspace } from '../store/workspace.js';
import { datasetArtifactKey } from './dataset-ref.js';

export interface StagedVersion {
  /** The staged Parquet file; it is moved into the artifact store or removed. */
  file: string;
  draft: Omit<NewDatasetVersion, 'artifactKey' | 'byteSize'>;
}

/** Stores and registers staged versions; returns each one's version, and whether it is new. */
export async function storeVersions(
  workspace: Workspace,
  staged: readonly StagedVersion[],
  context: ChangeContext,
): Promise<{ version: DatasetVersion; created: boolean }[]> {
  const existing = await Promise.all(staged.map(({ draft }) => workspace.datasets.findByHash(draft.dataset, draft.hash)));
  const fresh: NewDatasetVersion[] = [];
  const committed: string[] = [];
  try {
    for (const [index, { file, draft }] of staged.entries()) {
      if (existing[index] !== undefined) {
        await workspace.artifacts.discard(file);
        continue;
      }
      const artifactKey = datasetArtifactKey(draft.hash);
      const byteSize = (await stat(file)).size;
      if (await workspace.artifacts.commit(file, artifactKey)) committed.push(artifactKey);
      fresh.push({ ...draft, artifactKey, byteSize });
    }
    const registered = await workspace.datasets.registerVersions(fresh, context);
    let next = 0;
    return staged.map((_, index) => {
      const found = existing[index];
      if (found !== undefined) return { version: found, created: false };
      const version = registered[next++];
      if (version === undefined) throw new Error('a staged version was not registered');
      return { version, created: true };
    });
  } catch (error) {
    await Promise.all(committed.map((key) => workspace.artifacts.discard(key)));
    throw error;
  }
}
