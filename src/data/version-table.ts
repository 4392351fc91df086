/** The SQL table expression that reads a stored dataset version. */
import { quoteLiteral } from '../store/analytics.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import type { DatasetVersion } from '../store/dataset-store.js';

/** `read_parquet('...')` over the version's artifact (copied to this machine first when it is only in the shared store); `rowNumbers` adds `file_row_number` (0-based, stable). */
export async function versionTableSql(artifacts: ArtifactStore, version: DatasetVersion, rowNumbers = false): Promise<string> {
  const file = quoteLiteral(await artifacts.localCopy(version.artifactKey));
  return rowNumbers ? `read_parquet(${file}, file_row_number = true)` : `read_parquet(${file})`;
}
