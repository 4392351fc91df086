/**
 * `mlcycle tune`: a hyperparameter study over a search-space file (stage 6). The study lives in the
 * metadata store: running the same command again resumes it. Trials run in this process, in worker threads
 * (`--parallel`), or on `mlcycle worker` processes fed through a Redis queue (`--queue`).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { MlcycleError } from '../error.js';
import type { ParameterImportances } from '../optimizer/parameter-importance.js';
import { TEST_FUNCTIONS } from '../optimizer/test-functions.js';
import type { TuneResult } from '../train/tune/run-study.js';
import { PRUNER_KINDS, SAMPLER_KINDS, type PrunerSettings, type SamplerSettings } from '../train/tune/study-settings.js';
import type { ObjectiveChoice } from '../train/tune/tune-study.js';
import { formatTable } from './output.js';
import { checkOutputFolder } from './output-path.js';
import type { RegisterCommands } from './program.js';
import { INTERRUPTED_EXIT_CODE, listenForInterrupt } from './interrupt.js';
import { parsePositiveInteger, parseSeed } from './option-parsers.js';
import { withWorkspace } from './workspace-option.js';
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

/** The objective the options choose: a test function, a GBDT on two dataset versions, or a pipeline. */
async function objectiveChoice(pipeline: string | undefined, options: TuneOptions, cwd: string): Promise<ObjectiveChoice> {
  if (options.function !== undefined) return { kind: 'function', name: choice(options.function, Object.keys(TEST_FUNCTIONS) as (keyof typeof TEST_FUNCTIONS)[], '--function') };
  if (options.train !== undefined || options.validation !== undefined) {
    if (options.train === undefined || options.validation === undefined) throw new MlcycleError('usage', '--train and --validation go together');
    return { kind: 'datasets', train: options.train, validation: options.validation, ...(options.target === undefined ? {} : { target: options.target }) };
  }
  const { parseOverrides } = await import('../train/pipeline/overrides.js');
  return {
    kind: 'pipeline',
    ...(pipeline === undefined ? {} : { file: path.resolve(cwd, pipeline) }),
    ...(options.set.length === 0 ? {} : { overrides: parseOverrides(options.set) }),
  };
}

function formatValue(value: unknown): string {
  return typeof value === 'number' ? String(Number(value.toPrecision(6))) : String(value);
}

function summarize(result: TuneResult, importances: ParameterImportances, chart: string): { text: string; json: unknown } {
  const count = (state: string) => result.trials.filter((trial) => trial.state === state).length;
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
        const seed = parseSeed(options.seed, '--seed');
        const sampler: SamplerSettings = { kind: choice(options.sampler, SAMPLER_KINDS, '--sampler'), seed };
        const pruner: PrunerSettings = { kind: choice(options.pruner, PRUNER_KINDS, '--pruner') };
        const outDir = options.out === undefined ? undefined : await checkOutputFolder(environment.cwd, options.out, '--out');
        const { readSpaceFile, tuneStudy } = await import('../train/tune/tune-study.js');
        const space = await readSpaceFile(path.resolve(environment.cwd, options.space), options.space);
        return withWorkspace(environment, async (workspace) => {
          const objective = await objectiveChoice(pipeline, options, environment.cwd);
          const interrupt = listenForInterrupt(() => environment.streams.stderr('\ninterrupted: stopping; finished trials are kept (Ctrl-C again to quit at once)\n'));
          const progress = progressReporter(trials, environment.streams);
          try {
            const { result, importances, chart } = await tuneStudy({
              workspace,
              space,
              objective,
              ...(options.study === undefined ? {} : { study: options.study }),
              sampler,
              pruner,
              trials,
              parallel,
              ...(options.queue === undefined ? {} : { queue: options.queue }),
              ...(timeout === undefined ? {} : { timeoutSeconds: timeout }),
              ...(outDir === undefined ? {} : { outDir }),
              signal: interrupt.signal,
              context: environment.context,
              onTrial: progress.trial,
            });
            return { ...summarize(result, importances, chart), exitCode: result.stoppedBy === 'interrupt' ? INTERRUPTED_EXIT_CODE : 0 };
          } finally {
            interrupt.dispose();
            progress.done();
          }
        });
      }),
    );
};
