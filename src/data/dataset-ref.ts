/** Dataset names and references: `flights`, `flights@3`, `flights@latest`, `flights@3f2a9c`. */
import { MlcycleError } from '../error.js';
import type { DatasetStore, DatasetVersion, VersionSelector } from '../store/dataset-store.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Refuses a dataset name that would not work in a reference, a path or SQL. */
export function validateDatasetName(name: string): void {
  if (!NAME.test(name) || name.includes('@')) {
    throw new MlcycleError('usage', `dataset name "${name}": must start with a letter or _ and hold only letters, digits, _, . and -`);
  }
}

/** Splits `name@selector`; no selector means the latest version. */
export function parseDatasetRef(ref: string): { dataset: string; selector: VersionSelector } {
  const at = ref.indexOf('@');
  const dataset = at < 0 ? ref : ref.slice(0, at);
  validateDatasetName(dataset);
  if (at < 0) return { dataset, selector: 'latest' };
  const raw = ref.slice(at + 1);
  if (raw === 'latest') return { dataset, selector: 'latest' };
  if (/^\d+$/.test(raw) && raw.length < 6) return { dataset, selector: Number(raw) };
  if (/^[0-9a-f]{6,64}$/.test(raw)) return { dataset, selector: { hashPrefix: raw } };
  throw new MlcycleError('usage', `dataset reference "${ref}": after @ give a version number, latest, or at least 6 hex digits of the hash`);
}

/** The version a reference names, or a not-found error that says what exists. */
export async function resolveDatasetRef(store: DatasetStore, ref: string): Promise<DatasetVersion> {
  const { dataset, selector } = parseDatasetRef(ref);
  const version = await store.findVersion(dataset, selector);
  if (version !== undefined) return version;
  const versions = await store.listVersions(dataset);
  if (versions.length === 0) throw new MlcycleError('not_found', `no dataset named "${dataset}" (see \`mlcycle data list\`)`);
  throw new MlcycleError('not_found', `${ref}: no such version of ${dataset} (versions 1 to ${versions.length}, or a unique hash prefix)`);
}

/** Where a dataset version's Parquet file lives in the artifact store: addressed by content. */
export function datasetArtifactKey(hash: string): string {
  return `datasets/${hash.slice(0, 2)}/${hash}.parquet`;
}
