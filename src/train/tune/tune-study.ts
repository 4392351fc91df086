/**
 * `mlcycle tune` as one service call: read and check the search space, build the objective the caller
 * chose (a pipeline, a GBDT on two dataset versions, or a test function), run the study with the chosen
 * evaluator, write the optimisation-history chart and compute the parameter importances. The command
 * parses its options, calls `tuneStudy` and formats what it returns.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MlcycleError, type InputIssue } from '../../error.js';
import { optimizationHistory } from '../../optimizer/optimization-history.js';
import { parameterImportances, type ParameterImportances } from '../../optimizer/parameter-importance.js';
import type { SearchSpace } from '../../optimizer/search-space.js';
import type { TEST_FUNCTIONS } from '../../optimizer/test-functions.js';
import type { Direction, Trial } from '../../optimizer/trial.js';
import type { ChangeContext } from '../../store/audit-log.js';
import type { Workspace } from '../../store/workspace.js';
import type { TrialEvaluator } from './evaluate-trial.js';
import { checkSpaceAgainstObjective, objectiveDirection, type ObjectiveSpec } from './objective.js';
import { describePipelineObjective, type PipelineObjectiveSpec } from './pipeline-objective.js';
import { runStudy, type TuneResult } from './run-study.js';
import { checkSearchSpaceText } from './search-space-schema.js';
import type { PrunerSettings, SamplerSettings } from './study-settings.js';
import { threadEvaluator } from './thread-evaluator.js';

/** What the trials optimise, as the command's options name it. */
export type ObjectiveChoice =
  | { kind: 'function'; name: keyof typeof TEST_FUNCTIONS }
  | { kind: 'datasets'; train: string; validation: string; target?: string }
  /** A pipeline file (absolute), else the workspace's (mlcycle.yaml's pipeline:, else pipeline.yaml). */
  | { kind: 'pipeline'; file?: string; overrides?: Record<string, unknown> };

/** A checked search-space file: the space, its text (for line numbers) and how the user named it. */
export interface SpaceFile {
  /** Absolute. */
  file: string;
  label: string;
  space: SearchSpace;
  text: string;
}

export interface TuneStudyRequest {
  workspace: Workspace;
  space: SpaceFile;
  objective: ObjectiveChoice;
  /** Default: the space file's name without its extension. */
  study?: string;
  sampler: SamplerSettings;
  pruner: PrunerSettings;
  trials: number;
  /** Trials at once: worker threads, or jobs in flight on the queue. */
  parallel: number;
  /** A Redis queue served by `mlcycle worker` processes, instead of worker threads. */
  queue?: string;
  timeoutSeconds?: number;
  /** Where the chart goes (absolute); default `.mlcycle/studies/<study>/`. */
  outDir?: string;
  signal?: AbortSignal;
  context: ChangeContext;
  onTrial?: (trial: Trial, progress: { finished: number; target: number }) => void;
}

export interface TuneStudyOutcome {
  result: TuneResult;
  importances: ParameterImportances;
  /** The optimisation-history chart (HTML; its Vega-Lite spec beside it). */
  chart: string;
}

/** The line of a parameter's entry in the space file, for issues the schema cannot place. */
function lineOf(text: string, name: string): number | undefined {
  const index = text.split('\n').findIndex((line) => new RegExp(`(^|[\\s{,])["']?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*:`).test(line));
  return index < 0 ? undefined : index + 1;
}

/** Reads and checks a search-space file; read before the workspace opens, so a bad file changes nothing. */
export async function readSpaceFile(file: string, label: string): Promise<SpaceFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new MlcycleError('invalid_input', `cannot read the space file ${label}: ${(error as Error).message}`);
  }
  const checked = checkSearchSpaceText(text, label);
  if (checked.value === undefined) throw new MlcycleError('invalid_input', `${label}: ${checked.issues.length} problem(s) in the search space`, { issues: checked.issues });
  return { file, label, space: checked.value, text };
}

/** The objective's spec, its direction, and the space's parameters it does not take. */
async function objectiveOf(choice: ObjectiveChoice, workspace: Workspace, space: SearchSpace, spaceLabel: string): Promise<{ objective: ObjectiveSpec; direction: Direction; issues: InputIssue[] }> {
  const generic = (objective: Exclude<ObjectiveSpec, PipelineObjectiveSpec>) => ({ objective, direction: objectiveDirection(objective), issues: checkSpaceAgainstObjective(space, objective, spaceLabel) });
  if (choice.kind === 'function') return generic({ kind: 'function', name: choice.name, steps: 10 });
  if (choice.kind === 'datasets') {
    // Loaded only for this objective: DuckDB is large.
    const [{ loadSpec, requireValidSpec }, { openAnalyticsEngine }, { gbdtObjectiveFromDatasets }] = await Promise.all([
      import('../../problem/load-spec.js'),
      import('../../store/backends.js'),
      import('./dataset-objective.js'),
    ]);
    const specCheck = await loadSpec(workspace.specFile);
    const spec = specCheck.exists ? requireValidSpec(specCheck) : undefined;
    const engine = await openAnalyticsEngine();
    try {
      return generic(await gbdtObjectiveFromDatasets(workspace, engine, spec, { train: choice.train, validation: choice.validation, ...(choice.target === undefined ? {} : { target: choice.target }) }));
    } finally {
      await engine.close();
    }
  }
  const objective: PipelineObjectiveSpec = {
    kind: 'pipeline',
    ...(choice.file === undefined ? {} : { file: choice.file }),
    ...(choice.overrides === undefined ? {} : { overrides: choice.overrides }),
  };
  return { objective, ...(await describePipelineObjective(workspace.root, objective, space, spaceLabel)) };
}

async function writeHistoryChart(result: TuneResult, out: string): Promise<string> {
  await mkdir(out, { recursive: true });
  // Loaded here: vega is large.
  const { optimizationHistoryHtml, optimizationHistorySpec } = await import('./history-chart.js');
  const title = `Optimisation history: ${result.study.name}`;
  const spec = optimizationHistorySpec(optimizationHistory(result.trials, result.study.direction), result.study.direction, title);
  await writeFile(path.join(out, 'optimization-history.vl.json'), `${JSON.stringify(spec, null, 2)}\n`);
  const chart = path.join(out, 'optimization-history.html');
  await writeFile(chart, await optimizationHistoryHtml(spec, title));
  return chart;
}

/** Creates or resumes the study, runs its trials, and writes its chart; see TuneStudyRequest. */
export async function tuneStudy(request: TuneStudyRequest): Promise<TuneStudyOutcome> {
  const { workspace } = request;
  const { space, text, label } = request.space;
  const { objective, direction, issues } = await objectiveOf(request.objective, workspace, space, label);
  const unknown: InputIssue[] = issues.map((issue) => {
    const line = lineOf(text, issue.path.slice('parameters.'.length));
    return line === undefined ? issue : { ...issue, line };
  });
  if (unknown.length > 0) throw new MlcycleError('invalid_input', `${label}: ${unknown.length} unknown parameter(s)`, { issues: unknown });
  const name = request.study ?? path.basename(request.space.file).replace(/\.(ya?ml|json)$/i, '');
  // BullMQ is loaded only when trials go to the queue.
  const evaluator: TrialEvaluator = request.queue !== undefined ? await (await import('./queue-evaluator.js')).queueEvaluator(request.queue, request.parallel) : threadEvaluator(request.parallel);
  const result = await runStudy({
    workspace,
    settings: { name, direction, space, sampler: request.sampler, pruner: request.pruner, objective },
    trials: request.trials,
    evaluator,
    context: request.context,
    ...(request.signal === undefined ? {} : { signal: request.signal }),
    ...(request.onTrial === undefined ? {} : { onTrial: request.onTrial }),
    ...(request.timeoutSeconds === undefined ? {} : { timeoutSeconds: request.timeoutSeconds }),
  });
  const chart = await writeHistoryChart(result, request.outDir ?? path.join(workspace.stateDir, 'studies', name));
  return { result, importances: parameterImportances(result.study.space, result.trials), chart };
}
