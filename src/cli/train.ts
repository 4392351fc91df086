/**
 * `mlcycle train [PIPELINE] [--set key=value ...] [--register NAME[@ALIAS]] [--queue redis://...]`: runs a
 * pipeline as a tracked run, each step from the cache when nothing it depends on changed, and the others
 * here or, with `--queue`, on `mlcycle worker` processes. On a terminal, a progress bar follows the
 * boosting rounds on stderr; Ctrl-C stops training and ends the run KILLED.
 */
import type { Command } from 'commander';
import { MlcycleError } from '../error.js';
import type { PipelineEvent, PipelineResult } from '../train/pipeline/pipeline-types.js';
import type { ModelRegistration } from '../train/pipeline/train-and-register.js';
import { INTERRUPTED_EXIT_CODE, listenForInterrupt } from './interrupt.js';
import { collect, resolveFromCwd } from './option-parsers.js';
import { formatTable } from './output.js';
import type { RegisterCommands } from './program.js';
import { drawProgress } from './train-progress.js';
import { withWorkspace } from './workspace-option.js';

interface TrainOptions {
  set: string[];
  register?: string;
  cache: boolean;
  queue?: string;
}

function parseRegistration(value: string): ModelRegistration {
  const [name, alias, extra] = value.split('@');
  if (name === undefined || name === '' || alias === '' || extra !== undefined) throw new MlcycleError('usage', `--register ${value}: expected NAME or NAME@ALIAS`);
  return alias === undefined ? { name } : { name, alias };
}

function formatResult(result: PipelineResult, registered: string | undefined): string {
  const state = result.pruned ? 'FINISHED (pruned)' : 'FINISHED';
  const lines = [`run ${result.runId} (${result.experiment}): ${state}${result.cached ? ', every step from the cache' : ''}`];
  lines.push(formatTable(result.steps.map((step) => [`  ${step.step}`, step.cached ? 'cached' : 'computed', `${step.seconds.toFixed(2)} s`, step.worker === undefined ? '' : `on worker ${step.worker}`])));
  lines.push(`data: training ${result.datasets.training}, validation ${result.datasets.validation}`);
  lines.push(`validation: ${Object.entries(result.metrics).map(([name, value]) => `${name} ${value.toFixed(4)}`).join(', ')}`);
  lines.push(`model: runs:/${result.runId}/${result.model.artifactPath}`);
  if (registered !== undefined) lines.push(`registered ${registered}`);
  return lines.join('\n');
}

export const registerTrain: RegisterCommands = (program, action) => {
  program
    .command('train')
    .description('run a training pipeline as a tracked run; unchanged steps come from the cache')
    .argument('[pipeline]', 'the pipeline file (default: mlcycle.yaml\'s pipeline:, else pipeline.yaml)')
    .option('--set <key=value>', 'override a pipeline value, e.g. train.params.numLeaves=31 (repeatable)', collect, [])
    .option('--register <name[@alias]>', 'register the model as a new version of NAME (and point ALIAS at it)')
    .option('--no-cache', 'recompute every step (and refresh the cache)')
    .option('--queue <url>', 'compute the steps the cache misses on `mlcycle worker` processes serving this BullMQ queue, redis://HOST:PORT')
    .action(
      action(async (environment, positional, command: Command) => {
        const [file] = positional as [string | undefined];
        const options = command.opts<TrainOptions>();
        const [{ parseOverrides }, { PipelineAborted }, { trainAndRegister }] = await Promise.all([
          import('../train/pipeline/overrides.js'),
          import('../train/pipeline/run-pipeline.js'),
          import('../train/pipeline/train-and-register.js'),
        ]);
        const overrides = parseOverrides(options.set);
        const registration = options.register === undefined ? undefined : parseRegistration(options.register);
        return withWorkspace(environment, async (workspace) => {
          const showProgress = process.stderr.isTTY && !environment.options.json;
          const interrupt = listenForInterrupt();
          const onEvent = showProgress ? (event: PipelineEvent) => drawProgress(event, (text) => process.stderr.write(text)) : undefined;
          try {
            const { result, registered } = await trainAndRegister(
              {
                workspace,
                ...(file === undefined ? {} : { pipeline: { file: resolveFromCwd(environment.cwd, file) } }),
                overrides,
                context: environment.context,
                signal: interrupt.signal,
                noCache: !options.cache,
                ...(options.queue === undefined ? {} : { queue: options.queue }),
                ...(onEvent === undefined ? {} : { onEvent }),
              },
              registration,
            );
            return { text: formatResult(result, registered), json: { ...result, ...(registered === undefined ? {} : { registered }) } };
          } catch (error) {
            // Stopped by Ctrl-C: the run is recorded as KILLED; 130 is the shell's code for an interrupt.
            if (error instanceof PipelineAborted) return { text: `stopped: ${error.message}`, json: { stopped: true, runId: error.runId, status: 'KILLED' }, exitCode: INTERRUPTED_EXIT_CODE };
            throw error;
          } finally {
            interrupt.dispose();
          }
        });
      }),
    );
};
