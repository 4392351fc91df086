/**
 * What a tuning study optimises. A `TrialObjective` turns one trial's parameters into a value, reporting
 * intermediate values on the way (a validation metric per boosting round) and stopping when the pruner says
 * so. Objectives are described by a JSON `ObjectiveSpec`, so that a worker thread or a worker process on
 * another machine can rebuild the same objective from the stored study; `createObjective` does that.
 */
import { MlcycleError, type InputIssue } from '../../error.js';
import type { ParameterValue, SearchSpace } from '../../optimizer/search-space.js';
import { TEST_FUNCTIONS } from '../../optimizer/test-functions.js';
import type { Direction } from '../../optimizer/trial.js';
import { pipelineObjective, type PipelineObjectiveSpec } from './pipeline-objective.js';
import { GBDT_TUNABLE_PARAMETERS, gbdtMetric, loadGbdtObjective, type GbdtObjectiveSpec } from './gbdt-objective.js';

/** Records an intermediate value at a step; true means the pruner wants the trial stopped now. */
export type ReportIntermediate = (step: number, value: number) => boolean;

/**
 * A finished evaluation: the objective's value, or pruned at the step the pruner stopped it; `runId` when
 * the objective recorded the trial's tracked run itself (see `objectiveTracksRuns`).
 */
export type ObjectiveResult = ({ state: 'complete'; value: number } | { state: 'pruned' }) & { runId?: string };

/** Which trial is evaluated: what an objective that records its own run names and nests it by. */
export interface TrialContext {
  number: number;
  runName: string;
  parentRunId?: string;
  /** The workspace whose metadata database holds the study (as the evaluator sees it). */
  workspaceRoot?: string;
}

export interface TrialObjective {
  evaluate(params: Readonly<Record<string, ParameterValue>>, report: ReportIntermediate, trial?: TrialContext): Promise<ObjectiveResult>;
  /** Releases what the objective holds open (workspaces). */
  close?(): Promise<void>;
}

/**
 * One of the standard test functions (src/optimizer/test-functions.ts). With `steps`, it reports
 * f(x) + (steps - 1 - step) at steps 0..steps-1 (a curve that ends at f(x)), so pruners have something to judge.
 */
export interface FunctionObjectiveSpec {
  kind: 'function';
  name: keyof typeof TEST_FUNCTIONS;
  steps?: number;
}

export type ObjectiveSpec = FunctionObjectiveSpec | GbdtObjectiveSpec | PipelineObjectiveSpec;

/** Whether the objective records each trial's tracked run itself; otherwise the study runner does. */
export function objectiveTracksRuns(spec: ObjectiveSpec): boolean {
  return spec.kind !== 'function' && spec.kind !== 'gbdt';
}

/** The direction an objective's value improves in (a pipeline's comes from its metric: describePipelineObjective). */
export function objectiveDirection(spec: Exclude<ObjectiveSpec, PipelineObjectiveSpec>): Direction {
  if (spec.kind === 'function') return 'minimize';
  return gbdtMetric(spec) === 'auc' ? 'maximize' : 'minimize';
}

/** Problems between a search space and the objective: parameters the objective does not know, by name. */
export function checkSpaceAgainstObjective(space: SearchSpace, spec: Exclude<ObjectiveSpec, PipelineObjectiveSpec>, file: string): InputIssue[] {
  const known: readonly string[] = spec.kind === 'function' ? Object.keys(TEST_FUNCTIONS[spec.name].space) : GBDT_TUNABLE_PARAMETERS;
  return Object.keys(space)
    .filter((name) => !known.includes(name))
    .map((name) => ({ path: `parameters.${name}`, file, message: `unknown parameter "${name}"; this objective takes ${known.join(', ')}` }));
}

/** Builds the objective a spec describes (reading its data once). */
export async function createObjective(spec: ObjectiveSpec): Promise<TrialObjective> {
  if (spec.kind === 'gbdt') return loadGbdtObjective(spec);
  if (spec.kind === 'pipeline') return pipelineObjective(spec);
  const fn = TEST_FUNCTIONS[spec.name];
  if (fn === undefined) throw new MlcycleError('invalid_input', `unknown test function "${String(spec.name)}"`);
  return {
    async evaluate(params, report) {
      const value = fn.evaluate(params);
      const steps = spec.steps ?? 0;
      for (let step = 0; step < steps; step++) if (report(step, value + (steps - 1 - step))) return { state: 'pruned' };
      return { state: 'complete', value };
    },
  };
}
