/** `mlcycle data validate`: the spec's checks for a dataset, run on one version and stored with it. */
import type { DataSpec } from '../problem/data-spec.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { DatasetValidation, DatasetVersion } from '../store/dataset-store.js';
import type { Workspace } from '../store/workspace.js';
import { runChecks } from './checks.js';
import { resolveDatasetRef } from './dataset-ref.js';
import { datasetSpecFor } from './dataset-spec.js';
import { expectedTarget, resolveTarget } from './target.js';
import { versionTableSql } from './version-table.js';

/** Runs and records the checks of the version's dataset (none declared is a pass with a note). */
export async function validateDataset(
  workspace: Workspace,
  engine: AnalyticsEngine,
  spec: DataSpec | undefined,
  specHash: string | undefined,
  version: DatasetVersion,
  context: ChangeContext,
): Promise<DatasetValidation> {
  const table = await versionTableSql(workspace.artifacts, version);
  const datasetSpec = datasetSpecFor(spec, version);
  const checks = datasetSpec?.checks ?? [];
  const outcomes = await runChecks(
    { engine, table, version, now: context.now(), resolveReference: (ref) => resolveDatasetRef(workspace.datasets, ref) },
    checks,
  );
  const expected = expectedTarget(spec, datasetSpec);
  const target =
    expected === undefined ? undefined : await resolveTarget(engine, table, version.columns.map((column) => column.name), expected, spec);
  const passed = outcomes.every((outcome) => outcome.passed || outcome.severity === 'warning');
  return workspace.datasets.recordValidation(
    { ref: version.ref, passed, targetPresent: target !== undefined, ...(specHash === undefined ? {} : { specHash }), outcomes },
    context,
  );
}
