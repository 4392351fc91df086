/**
 * The spec's declarations for a dataset version: its own entry under `datasets`, else, for the parts of
 * a split, the entry of the dataset it was split from, so that checks declared once cover every part.
 */
import type { DataSpec } from '../problem/data-spec.js';
import type { DatasetSpec } from '../problem/spec-schema.js';
import type { DatasetVersion } from '../store/dataset-store.js';

/** The dataset entry that governs a version, if any. */
export function datasetSpecFor(spec: DataSpec | undefined, version: Pick<DatasetVersion, 'dataset' | 'lineage'>): DatasetSpec | undefined {
  if (spec === undefined) return undefined;
  const own = spec.datasets[version.dataset];
  if (own !== undefined) return own;
  const parent = version.lineage.parents?.[0];
  if (version.lineage.transformation?.kind !== 'split' || parent === undefined) return undefined;
  return spec.datasets[parent.ref.slice(0, parent.ref.lastIndexOf('@'))];
}
