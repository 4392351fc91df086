/**
 * The GBDT objective of `mlcycle tune --train REF --validation REF`: two dataset versions of the workspace,
 * the spec's target as the label, and every column that may be a feature (not the target, not an
 * identifier or free text, not declared `availableAt: after-outcome`). Pipelines will describe this later.
 */
import { MlcycleError } from '../../error.js';
import { resolveDatasetRef } from '../../data/dataset-ref.js';
import { datasetSpecFor } from '../../data/dataset-spec.js';
import { binaryLabelSql, columnsInTarget, inferTask } from '../../data/feasibility.js';
import { expectedTarget, resolveTarget } from '../../data/target.js';
import { versionTableSql } from '../../data/version-table.js';
import type { ProblemSpec } from '../../problem/spec-schema.js';
import type { AnalyticsEngine } from '../../store/analytics.js';
import type { Workspace } from '../../store/workspace.js';
import type { FeatureDefinition } from '../feature-table.js';
import type { GbdtObjectiveSpec } from './gbdt-objective.js';

export interface DatasetObjectiveOptions {
  train: string;
  validation: string;
  /** The label column, when not the spec's target. */
  target?: string;
}

/** Resolves two dataset versions into a GBDT objective over their Parquet files. */
export async function gbdtObjectiveFromDatasets(workspace: Workspace, engine: AnalyticsEngine, spec: ProblemSpec | undefined, options: DatasetObjectiveOptions): Promise<GbdtObjectiveSpec> {
  const train = await resolveDatasetRef(workspace.datasets, options.train);
  const validation = await resolveDatasetRef(workspace.datasets, options.validation);
  const datasetSpec = datasetSpecFor(spec, train);
  const expected = expectedTarget(spec, datasetSpec, options.target);
  if (expected === undefined) throw new MlcycleError('usage', `no target for ${train.ref}: name it with --target or in mlcycle.yaml`);
  const target = await resolveTarget(engine, await versionTableSql(workspace.artifacts, train), train.columns.map((column) => column.name), expected, spec);
  if (target === undefined) throw new MlcycleError('invalid_input', `the target "${expected.column}" is not in ${train.ref}`);
  const leaks = Object.entries(datasetSpec?.columns ?? {}).flatMap(([name, column]) => (column.availableAt === 'after-outcome' ? [name] : []));
  const excluded = new Set([...leaks, ...columnsInTarget(target, train.columns)]);
  const features: FeatureDefinition[] = train.columns
    .filter((column) => !excluded.has(column.name) && !['identifier', 'text', 'datetime'].includes(column.semanticType))
    .map((column) => ({ name: column.name, type: column.semanticType === 'categorical' ? 'categorical' : 'numeric' }));
  const missing = features.filter((feature) => !validation.columns.some((column) => column.name === feature.name));
  if (missing.length > 0) throw new MlcycleError('invalid_input', `${validation.ref} lacks the feature column(s) ${missing.map((f) => f.name).join(', ')} of ${train.ref}`);
  const task = spec?.task ?? inferTask(train.columns.find((column) => column.name === target.column));
  if (task !== 'binary' && task !== 'regression') throw new MlcycleError('invalid_input', `tuning from datasets supports binary and regression targets, not ${task}`);
  return {
    kind: 'gbdt',
    trainFile: await workspace.artifacts.localCopy(train.artifactKey),
    validationFile: await workspace.artifacts.localCopy(validation.artifactKey),
    features,
    labelSql: task === 'binary' ? binaryLabelSql(target, spec?.target.positive) : target.sql,
    params: { objective: task === 'binary' ? 'binary' : 'regression' },
  };
}
