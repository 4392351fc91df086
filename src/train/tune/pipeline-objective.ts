/**
 * Tuning a training pipeline (`mlcycle tune PIPELINE --space FILE`): each search-space parameter is a
 * dotted `--set` path of the pipeline (`train.params.numLeaves`), each trial one `runPipeline` call whose
 * tracked run nests under the study's run, reporting the watched validation metric round by round to the
 * pruner, and scored by the pipeline's first evaluation metric. Unchanged steps (the split, the features)
 * come from the step cache, so a trial recomputes only training and evaluation.
 */
import { MlcycleError, type InputIssue } from '../../error.js';
import { defaultChangeContext } from '../../store/audit-log.js';
import { openWorkspace, type Workspace } from '../../store/workspace.js';
import { loadPipeline } from '../pipeline/load-pipeline.js';
import { higherIsBetter } from '../pipeline/metric-names.js';
import type { PipelineSource } from '../pipeline/pipeline-types.js';
import { runPipeline } from '../pipeline/run-pipeline.js';
import type { ParameterValue, SearchSpace } from '../../optimizer/search-space.js';
import type { Direction } from '../../optimizer/trial.js';
import type { TrialObjective } from './objective.js';

export interface PipelineObjectiveSpec {
  kind: 'pipeline';
  /** The pipeline file (absolute); the workspace's default pipeline when absent. */
  file?: string;
  /** Fixed overrides, as `mlcycle train --set` gives them; a trial's parameters go on top. */
  overrides?: Record<string, unknown>;
}

function sourceOf(spec: PipelineObjectiveSpec): PipelineSource | undefined {
  return spec.file === undefined ? undefined : { file: spec.file };
}

/** A value of each parameter, to check that the pipeline accepts the space's paths. */
function sampleValues(space: SearchSpace): Record<string, ParameterValue> {
  return Object.fromEntries(Object.entries(space).map(([name, parameter]) => [name, parameter.type === 'categorical' ? (parameter.choices[0] as ParameterValue) : parameter.low]));
}

/**
 * Compiles the pipeline with the space's parameters set: its direction (the first metric's), or the
 * parameters the pipeline refuses, as issues against the space file.
 */
export async function describePipelineObjective(root: string, spec: PipelineObjectiveSpec, space: SearchSpace, spaceLabel: string): Promise<{ direction: Direction; issues: InputIssue[] }> {
  const overrides = { ...spec.overrides, ...sampleValues(space) };
  try {
    const { pipeline } = await loadPipeline(root, sourceOf(spec), overrides);
    return { direction: higherIsBetter(pipeline.metrics[0] ?? '') ? 'maximize' : 'minimize', issues: [] };
  } catch (error) {
    if (!(error instanceof MlcycleError) || error.code !== 'invalid_input') throw error;
    const names = Object.keys(space);
    const issues = error.issues.flatMap((issue) => {
      const name = names.find((candidate) => issue.file === '--set' && (issue.path === candidate || issue.path.startsWith(`${candidate}.`)));
      return name === undefined ? [] : [{ path: `parameters.${name}`, file: spaceLabel, message: `the pipeline does not take "${name}": ${issue.message}` }];
    });
    if (issues.length === 0) throw error;
    return { direction: 'maximize', issues };
  }
}

/** The objective: one pipeline run per trial, in the workspace whose metadata database the job names. */
export function pipelineObjective(spec: PipelineObjectiveSpec): TrialObjective {
  const workspaces = new Map<string, Promise<Workspace>>();
  return {
    async evaluate(params, report, trial) {
      if (trial?.workspaceRoot === undefined) throw new MlcycleError('internal', 'a pipeline trial needs its workspace');
      const root = trial.workspaceRoot;
      let workspace = workspaces.get(root);
      if (workspace === undefined) workspaces.set(root, (workspace = openWorkspace(root, defaultChangeContext())));
      let pruned = false;
      const result = await runPipeline({
        workspace: await workspace,
        ...(spec.file === undefined ? {} : { pipeline: { file: spec.file } }),
        overrides: { ...spec.overrides, ...params },
        context: defaultChangeContext(),
        runName: trial.runName,
        ...(trial.parentRunId === undefined ? {} : { parentRunId: trial.parentRunId }),
        tags: { 'mlcycle.trial': String(trial.number) },
        command: false,
        // Rounds are reported from step 0, as for the GBDT objective.
        onRound: (round, metrics) => {
          const value = Object.values(metrics)[0];
          if (value === undefined) return 'continue';
          pruned = report(round - 1, value);
          return pruned ? 'prune' : 'continue';
        },
      });
      return pruned || result.pruned ? { state: 'pruned', runId: result.runId } : { state: 'complete', value: result.objective.value, runId: result.runId };
    },
    async close() {
      for (const workspace of workspaces.values()) await (await workspace).close();
      workspaces.clear();
    },
  };
}
