/**
 * `mlcycle tune`: a hyperparameter study over a search-space file (stage 6). The study lives in the
 * metadata store: running the same command again resumes it. Trials run in this process, in worker threads
 * (`--parallel`), or on `mlcycle worker` processes fed through a Redis queue (`--queue`).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { MlcycleError, type InputIssue } from '../error.js';
import type { TrialEvaluator } from '../train/tune/evaluate-trial.js';
import type { ObjectiveSpec } from '../train/tune/objective.js';
import type { PipelineObjectiveSpec } from '../train/tune/pipeline-objective.js';
import type { Workspace } from '../store/workspace.js';
import type { Direction } from '../train/tuning/trial.js';
import type { TuneResult } from '../train/tune/run-study.js';
import { PRUNER_KINDS, SAMPLER_KINDS, type PrunerSettings, type SamplerSettings } from '../train/tune/study-settings.js';
import type { SearchSpace } from '../train/tuning/search-space.js';
import { TEST_FUNCTIONS } from '../train/tuning/test-functions.js';
import { formatTable } from './output.js';
import { checkOutputFolder, writeOutputFile } from './output-path.js';
import type { CommandEnvironment, RegisterCommands } from './program.js';
import { parsePositiveInteger, withWorkspace } from './workspace-option.js';
import { progressReporter } from './tune-progress.js';

interface TuneOptions {
  space: string;
  trials: string;
  parallel?: string;
  timeout?: string;
  study?: string;
  sampler: string;
  pruner: string;
  seed: string;
  train?: string;
  validation?: string;
  target?: string;
  function?: string;
  queue?: string;
  out?: string;
  set: string[];
}

function choice<T extends string>(value: string, allowed: readonly T[], option: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new MlcycleError('usage', `${option}: expected one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/** The line of a parameter's entry in the space file, for issues the schema cannot place. */
function lineOf(text: string, name: string): number | undefined {
  const index = text.split('\n').findIndex((line) => new RegExp(`(^|[\\s{,])["']?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*:`).test(line));
  return index < 0 ? undefined : index + 1;
}

async function readSpace(file: string, label: string): Promise<{ space: SearchSpace; text: string }> {
  let text: string;
  try {
    const { readInputText } = await import('../input-file.js');
    text = await readInputText(file, 'searchSpace', label);
  } catch (error) {
    if (error instanceof MlcycleError) throw error;
    throw new MlcycleError('invalid_input', `cannot read the space file ${label}: ${(error as Error).message}`);
  }
  const { checkSearchSpaceText } = await import('../train/tuning/search-space-schema.js');
  const checked = checkSearchSpaceText(text, label);
  if (checked.value === undefined) throw new MlcycleError('invalid_input', `${label}: ${checked.issues.length} problem(s) in the search space`, { issues: checked.issues });
  return { space: checked.value, text };
}

/** What the trials optimise, its direction, and the space's parameters it does not take. */
async function objectiveOf(
  pipeline: string | undefined,
  options: TuneOptions,
  workspace: Workspace,
  environment: CommandEnvironment,
  space: SearchSpace,
): Promise<{ objective: ObjectiveSpec; direction: Direction; issues: InputIssue[] }> {
  const { checkSpaceAgainstObjective, objectiveDirection } = await import('../train/tune/objective.js');
  const generic = (objective: Exclude<ObjectiveSpec, PipelineObjectiveSpec>) => ({ objective, direction: objectiveDirection(objective), issues: checkSpaceAgainstObjective(space, objective, options.space) });
  if (options.function !== undefined) {
    return generic({ kind: 'function', name: choice(options.function, Object.keys(TEST_FUNCTIONS) as (keyof typeof TEST_FUNCTIONS)[], '--function'), steps: 10 });
  }
  if (options.train !== undefined || options.validation !== undefined) {
    if (options.train === undefined || options.validation === undefined) throw new MlcycleError('usage', '--train and --validation go together');
    const [{ loadSpec, requireValidSpec }, { openDuckDb }, { gbdtObjectiveFromDatasets }] = await Promise.all([
      import('../problem/load-spec.js'),
      import('../store/duckdb/engine.js'),
      import('../train/tune/dataset-objective.js'),
    ]);
    const specCheck = await loadSpec(workspace.specFile);
    const spec = specCheck.exists ? requireValidSpec(specCheck) : undefined;
    const engine = await openDuckDb();
    try {
      return generic(await gbdtObjectiveFromDatasets(workspace, engine, spec, { train: options.train, validation: options.validation, ...(options.target === undefined ? {} : { target: options.target }) }));
    } finally {
      await engine.close();
    }
  }
  // A pipeline: the one named, else the workspace's (mlcycle.yaml's pipeline:, else pipeline.yaml).
  const [{ parseOverrides }, { describePipelineObjective }] = await Promise.all([import('../train/pipeline/overrides.js'), import('../train/tune/pipeline-objective.js')]);
  const objective: PipelineObjectiveSpec = {
    kind: 'pipeline',
    ...(pipeline === undefined ? {} : { file: path.resolve(environment.cwd, pipeline) }),
    ...(options.set.length === 0 ? {} : { overrides: parseOverrides(options.set) }),
  };
  return { objective, ...(await describePipelineObjective(workspace.root, objective, space, options.space)) };
}

function formatValue(value: unknown): string {
  return typeof value === 'number' ? String(Number(value.toPrecision(6))) : String(value);
}

async function summarize(result: TuneResult, chart: string): Promise<{ text: string; json: unknown }> {
  const { parameterImportances } = await import('../train/tuning/parameter-importance.js');
  const count = (state: string) => result.trials.filter((trial) => trial.state === state).length;
  const importances = parameterImportances(result.study.space, result.trials);
  const stopped = { trials: 'the trial count was reached', timeout: 'the time was up', interrupt: 'interrupted' }[result.stoppedBy];
  const lines = [
    `study ${result.study.name} (${result.study.sampler.kind} sampler, ${result.study.pruner.kind} pruner, ${result.study.direction})${result.resumed ? ', resumed' : ''}: ${result.trials.length} trials, ${count('complete')} complete, ${count('pruned')} pruned, ${count('failed')} failed; stopped because ${stopped}`,
  ];
  if (result.abandoned.length > 0) lines.push(`trials ${result.abandoned.join(', ')} were left running by a process that is gone: marked failed`);
  if (result.best === undefined) lines.push('no trial completed');
  else {
    lines.push(`best trial ${result.best.number}: value ${formatValue(result.best.value)}`);
    lines.push(formatTable(Object.entries(result.best.params).map(([name, value]) => [`  ${name}`, formatValue(value)])));
  }
  lines.push(importances.degenerate === undefined ? 'parameter importances:' : `parameter importances: none (${importances.degenerate})`);
  if (importances.degenerate === undefined) lines.push(formatTable(importances.importances.map(({ name, importance }) => [`  ${name}`, importance.toFixed(3)])));
  lines.push(`optimisation history: ${chart}`);
  return {
    text: lines.join('\n'),
    json: {
      study: result.study.name,
      direction: result.study.direction,
      resumed: result.resumed,
      stoppedBy: result.stoppedBy,
      abandoned: result.abandoned,
      counts: { trials: result.trials.length, complete: count('complete'), pruned: count('pruned'), failed: count('failed') },
      best: result.best === undefined ? null : { number: result.best.number, value: result.best.value, params: result.best.params },
      importances,
      trials: result.trials.map((trial) => ({ number: trial.number, state: trial.state, value: trial.value ?? null, params: trial.params, steps: trial.intermediateValues.size })),
      chart,
    },
  };
}

export const registerTune: RegisterCommands = (program, action) => {
  program
    .command('tune')
    .description('tune hyperparameters: a resumable study with TPE or random sampling and median or successive-halving pruning')
    .argument('[pipeline]', 'the pipeline file to tune (default: mlcycle.yaml\'s pipeline:, else pipeline.yaml); space parameters are its --set paths, e.g. train.params.numLeaves')
    .requiredOption('--space <file>', 'the search space (YAML or JSON)')
    .requiredOption('--trials <n>', 'run until the study holds this many finished trials')
    .option('--parallel <p>', 'trials at once, each in a worker thread (or in flight on the queue)')
    .option('--timeout <seconds>', 'stop asking for new trials after this many seconds')
    .option('--study <name>', 'the study name; an existing study of this name resumes (default: the space file\'s name)')
    .option('--sampler <kind>', `${SAMPLER_KINDS.join(' or ')}`, 'tpe')
    .option('--pruner <kind>', `${PRUNER_KINDS.join(', ')} (asha: asynchronous successive halving)`, 'median')
    .option('--seed <n>', 'the sampler\'s seed', '0')
    .option('--set <key=value>', 'a fixed pipeline override, as for mlcycle train (repeatable)', (value: string, list: string[]) => [...list, value], [] as string[])
    .option('--train <ref>', 'instead of a pipeline: tune a GBDT trained on this dataset version')
    .option('--validation <ref>', 'scored on this dataset version')
    .option('--target <column>', 'the label column (default: the spec\'s target)')
    .option('--function <name>', `tune a standard test function instead (${Object.keys(TEST_FUNCTIONS).join(', ')})`)
    .option('--queue <url>', 'send trials to `mlcycle worker` processes through this Redis queue (redis://HOST:PORT)')
    .option('--out <folder>', 'where to write the optimisation-history chart (default: .mlcycle/studies/<study>/)')
    .action(
      action(async (environment, positional, command: Command) => {
        const [pipeline] = positional as [string | undefined];
        const options = command.opts<TuneOptions>();
        const trials = parsePositiveInteger(options.trials, '--trials');
        const parallel = options.parallel === undefined ? 1 : parsePositiveInteger(options.parallel, '--parallel');
        const timeout = options.timeout === undefined ? undefined : Number(options.timeout);
        if (timeout !== undefined && !(timeout >= 0)) throw new MlcycleError('usage', `--timeout: expected a number of seconds, got "${options.timeout}"`);
        const seed = Number(options.seed);
        if (!Number.isInteger(seed)) throw new MlcycleError('usage', `--seed: expected a whole number, got "${options.seed}"`);
        const sampler: SamplerSettings = { kind: choice(options.sampler, SAMPLER_KINDS, '--sampler'), seed };
        const pruner: PrunerSettings = { kind: choice(options.pruner, PRUNER_KINDS, '--pruner') };
        const outFolder = options.out === undefined ? undefined : await checkOutputFolder(environment.cwd, options.out, '--out');
        const spaceFile = path.resolve(environment.cwd, options.space);
        const { space, text } = await readSpace(spaceFile, options.space);
        const [{ runStudy }, { threadEvaluator }, { optimizationHistory }] = await Promise.all([
          import('../train/tune/run-study.js'),
          import('../train/tune/thread-evaluator.js'),
          import('../train/tuning/optimization-history.js'),
        ]);
        return withWorkspace(environment, async (workspace) => {
          const { objective, direction, issues } = await objectiveOf(pipeline, options, workspace, environment, space);
          const unknown: InputIssue[] = issues.map((issue) => {
            const line = lineOf(text, issue.path.slice('parameters.'.length));
            return line === undefined ? issue : { ...issue, line };
          });
          if (unknown.length > 0) throw new MlcycleError('invalid_input', `${options.space}: ${unknown.length} unknown parameter(s)`, { issues: unknown });
          const name = options.study ?? path.basename(spaceFile).replace(/\.(ya?ml|json)$/i, '');
          const evaluator: TrialEvaluator = options.queue !== undefined ? await (await import('../train/tune/queue.js')).queueEvaluator(options.queue, parallel) : threadEvaluator(parallel);
          const controller = new AbortController();
          const onSigint = (): void => {
            if (controller.signal.aborted) process.exit(130);
            environment.streams.stderr('\ninterrupted: stopping; finished trials are kept (Ctrl-C again to quit at once)\n');
            controller.abort();
          };
          process.on('SIGINT', onSigint);
          const progress = progressReporter(trials, environment.streams);
          let result: TuneResult;
          try {
            result = await runStudy({
              workspace,
              settings: { name, direction, space, sampler, pruner, objective },
              trials,
              evaluator,
              signal: controller.signal,
              context: environment.context,
              onTrial: progress.trial,
              ...(timeout === undefined ? {} : { timeoutSeconds: timeout }),
            });
          } finally {
            process.off('SIGINT', onSigint);
            progress.done();
          }
          const out = outFolder ?? path.join(workspace.stateDir, 'studies', name);
          await mkdir(out, { recursive: true });
          // Loaded here: vega is large, and other commands should not pay for it.
          const { optimizationHistoryHtml, optimizationHistorySpec } = await import('../train/tune/history-chart.js');
          const title = `Optimisation history: ${name}`;
          const spec = optimizationHistorySpec(optimizationHistory(result.trials, result.study.direction), result.study.direction, title);
          await writeOutputFile(path.join(out, 'optimization-history.vl.json'), `${JSON.stringify(spec, null, 2)}\n`);
          const chart = path.join(out, 'optimization-history.html');
          await writeOutputFile(chart, await optimizationHistoryHtml(spec, title));
          return { ...(await summarize(result, chart)), exitCode: result.stoppedBy === 'interrupt' ? 130 : 0 };
        });
      }),
    );
};
