/**
 * A model card for a registered model version, generated from what mlcycle already holds: the problem
 * spec (problem, target, success and ML metrics, value model), the training data (the run's dataset
 * versions and, through their lineage, where they came from), the run (params, metrics, code) and offline
 * evaluations when there are any. After "Model Cards for Model Reporting" (Mitchell et al., 2019), keeping
 * the sections mlcycle can fill from evidence rather than prose.
 */
import { loadSpec } from '../../problem/load-spec.js';
import type { ProblemSpec, SuccessMetric } from '../../problem/spec-schema.js';
import type { EvaluationRecord } from '../../store/evaluation-store.js';
import type { Workspace } from '../../store/workspace.js';
import { findLoggedMetric } from '../metric-keys.js';
import { modelLineage } from './register-model.js';

export interface ModelCardDataset {
  context: string;
  dataset: string;
  ref?: string;
  digest: string;
  rows?: number;
  columns?: number;
  /** The file it was read from, for a version added from a file. */
  sourcePath?: string;
  /** The versions it was derived from, for a derived or split version. */
  parents?: string[];
  transformation?: Record<string, unknown>;
  /** Where an outside dataset (not an mlcycle version) came from, as the client said. */
  externalSource?: string;
}

export interface ModelCard {
  uri: string;
  model: string;
  version: number;
  aliases: string[];
  description: string;
  tags: Record<string, string>;
  createdAt: string;
  createdBy: string;
  /** The spec's problem, or why it is missing. */
  problem:
    | {
        name: string;
        customerProblem: string;
        businessProblem: string;
        task: ProblemSpec['task'];
        target: ProblemSpec['target'];
        successMetrics: Pick<SuccessMetric, 'id' | 'description' | 'kind' | 'direction' | 'role' | 'minimumDetectableEffect'>[];
        /**
         * Targets of ML metrics with the value this run logged, when it did: under the metric's own key, or
         * (a pipeline run) as `validation_NAME`, which `loggedAs` then names.
         */
        mlMetrics: { metric: string; target: number; k?: number | undefined; achieved?: number; loggedAs?: string }[];
        valueModel?: ProblemSpec['valueModel'];
        modelOwner?: { owner: string; onCall: string };
      }
    | { missing: string };
  trainingData: ModelCardDataset[];
  run: {
    id: string;
    name: string;
    experiment: string;
    status: string;
    startTime: number;
    endTime?: number;
    userId: string;
    gitCommit?: string;
    command?: string;
    artifact: string;
    params: Record<string, string>;
    metrics: Record<string, number>;
  };
  /** Offline evaluations of this version (`mlcycle evaluate`), newest first. */
  evaluations: EvaluationRecord[];
  generatedAt: string;
}

async function describeProblem(workspace: Workspace, metrics: Record<string, number>): Promise<ModelCard['problem']> {
  const check = await loadSpec(workspace.specFile);
  if (!check.exists) return { missing: `no spec at ${check.file}` };
  if (check.spec === undefined) return { missing: `${check.file} has ${check.issues.length} problem(s); run mlcycle spec check` };
  const spec = check.spec;
  return {
    name: spec.name,
    customerProblem: spec.customerProblem,
    businessProblem: spec.businessProblem,
    task: spec.task,
    target: spec.target,
    successMetrics: spec.successMetrics.map(({ id, description, kind, direction, role, minimumDetectableEffect }) => ({ id, description, kind, direction, role, minimumDetectableEffect })),
    mlMetrics: spec.mlMetrics.map((target) => {
      const logged = findLoggedMetric(metrics, target.metric);
      if (logged === undefined) return { ...target };
      return { ...target, achieved: logged.value, ...(logged.key === target.metric ? {} : { loggedAs: logged.key }) };
    }),
    ...(spec.valueModel === undefined ? {} : { valueModel: spec.valueModel }),
    ...(spec.owners.model === undefined ? {} : { modelOwner: spec.owners.model }),
  };
}

/** Builds the card of the version a model URI names (`models:/name@champion`, `models:/name/3`). */
export async function buildModelCard(workspace: Workspace, uri: string, now: () => Date = () => new Date()): Promise<ModelCard> {
  const { version, run, inputs } = await modelLineage(workspace, uri);
  const experiment = await workspace.runs.findExperiment({ id: run.experimentId });
  const metrics = Object.fromEntries(Object.entries(run.metrics).map(([key, metric]) => [key, metric.value]));
  const trainingData = inputs.map(({ input, datasetVersion }): ModelCardDataset => ({
    context: input.context,
    dataset: input.dataset,
    digest: input.digest,
    ...(datasetVersion === undefined
      ? input.source === undefined
        ? {}
        : { externalSource: input.source }
      : {
          ref: datasetVersion.ref,
          rows: datasetVersion.rowCount,
          columns: datasetVersion.columns.length,
          ...(datasetVersion.lineage.source === undefined ? {} : { sourcePath: datasetVersion.lineage.source.path }),
          ...(datasetVersion.lineage.parents === undefined ? {} : { parents: datasetVersion.lineage.parents.map((parent) => parent.ref) }),
          ...(datasetVersion.lineage.transformation === undefined ? {} : { transformation: datasetVersion.lineage.transformation }),
        }),
  }));
  return {
    uri: `models:/${version.model}/${version.version}`,
    model: version.model,
    version: version.version,
    aliases: version.aliases,
    description: version.description,
    tags: version.tags,
    createdAt: version.createdAt,
    createdBy: version.createdBy,
    problem: await describeProblem(workspace, metrics),
    trainingData,
    run: {
      id: run.id,
      name: run.name,
      experiment: experiment?.name ?? run.experimentId,
      status: run.status,
      startTime: run.startTime,
      ...(run.endTime === undefined ? {} : { endTime: run.endTime }),
      userId: run.userId,
      ...(run.gitCommit === undefined ? {} : { gitCommit: run.gitCommit }),
      ...(run.command === undefined ? {} : { command: run.command }),
      artifact: version.source,
      params: run.params,
      metrics,
    },
    evaluations: (await workspace.evaluations.list()).filter((evaluation) => evaluation.candidate.model === version.model && evaluation.candidate.version === version.version),
    generatedAt: now().toISOString(),
  };
}
