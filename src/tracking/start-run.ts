/** `startRun` and `withRun`: the library's way to track a training run (`mlcycle.startRun(...)`). */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { MlcycleError } from '../error.js';
import { defaultChangeContext, type ChangeContext } from '../store/audit-log.js';
import { findWorkspaceRoot, openWorkspace, type Workspace } from '../store/workspace.js';
import { ActiveRun } from './active-run.js';
import { validateExperimentName, validateRunId, validateRunName, validateTags } from './limits.js';

export interface StartRunOptions {
  /** The experiment's name; created on first use. */
  experiment: string;
  /** The run's name; `run-` and the id's first 8 digits by default. */
  name?: string;
  /** The parent run, for nested runs (a tuning trial under its study, a fold under its cross-validation). */
  parent?: string | ActiveRun;
  tags?: Record<string, string>;
  /** The git commit of the code; detected in the current folder unless given, `false` to record none. */
  gitCommit?: string | false;
  /** The command that produced the run; `process.argv` unless given, `false` to record none. */
  command?: string | false;
  /** An open workspace (the caller closes it), or its folder; by default the nearest at or above the current folder. */
  workspace?: Workspace | string;
  /** Who acts and on what clock; the current user and the system clock by default. */
  context?: ChangeContext;
  /** Buffered metric points that start a write (default 100,000). */
  flushEvery?: number;
}

/** The HEAD commit of the git repository around `cwd`, if there is one. */
export function detectGitCommit(cwd: string): string | undefined {
  const result = spawnSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', timeout: 5000 });
  const commit = result.status === 0 ? result.stdout.trim() : '';
  return /^[0-9a-f]{40,64}$/.test(commit) ? commit : undefined;
}

function currentCommand(): string {
  return process.argv.map((part) => (/^[\w./=:@-]+$/.test(part) ? part : `'${part.replaceAll("'", "'\\''")}'`)).join(' ');
}

async function resolveWorkspace(option: Workspace | string | undefined, context: ChangeContext): Promise<{ workspace: Workspace; owned: boolean }> {
  if (option !== undefined && typeof option !== 'string') return { workspace: option, owned: false };
  const root = option ?? findWorkspaceRoot(process.cwd());
  if (root === undefined) throw new MlcycleError('not_found', `no mlcycle workspace at or above ${process.cwd()}: run \`mlcycle init\` or pass { workspace }`);
  return { workspace: await openWorkspace(root, context), owned: true };
}

/** Starts a run in an experiment (created if new) and returns it for logging; end it with `run.end()`. */
export async function startRun(options: StartRunOptions): Promise<ActiveRun> {
  validateExperimentName(options.experiment);
  if (options.name !== undefined) validateRunName(options.name);
  if (options.tags !== undefined) validateTags(options.tags);
  const parentRunId = options.parent === undefined ? undefined : typeof options.parent === 'string' ? options.parent : options.parent.id;
  if (parentRunId !== undefined) validateRunId(parentRunId, 'parent');
  const context = options.context ?? defaultChangeContext();
  const { workspace, owned } = await resolveWorkspace(options.workspace, context);
  try {
    const experiment = await workspace.runs.ensureExperiment(options.experiment, context);
    const id = randomUUID().replaceAll('-', '');
    const gitCommit = options.gitCommit === false ? undefined : (options.gitCommit ?? detectGitCommit(process.cwd()));
    const command = options.command === false ? undefined : (options.command ?? currentCommand());
    const info = await workspace.runs.createRun(
      {
        id,
        experimentId: experiment.id,
        name: options.name ?? `run-${id.slice(0, 8)}`,
        startTime: context.now().getTime(),
        ...(parentRunId === undefined ? {} : { parentRunId }),
        ...(gitCommit === undefined ? {} : { gitCommit }),
        ...(command === undefined ? {} : { command }),
        ...(options.tags === undefined ? {} : { tags: options.tags }),
      },
      context,
    );
    return new ActiveRun(workspace, info, {
      context,
      // Without an injected clock, metric timestamps read Date.now: the hot path makes no Date per point.
      ...(options.context === undefined ? { clock: Date.now } : {}),
      ...(options.flushEvery === undefined ? {} : { flushEvery: options.flushEvery }),
      ...(owned ? { onEnd: () => workspace.close() } : {}),
    });
  } catch (error) {
    if (owned) await workspace.close();
    throw error;
  }
}

/** Runs `body` inside a run that ends FINISHED when it returns and FAILED when it throws. */
export async function withRun<T>(options: StartRunOptions, body: (run: ActiveRun) => Promise<T>): Promise<T> {
  const run = await startRun(options);
  let result: T;
  try {
    result = await body(run);
  } catch (error) {
    // The body's error is the one to report; a failure to record FAILED must not hide it.
    await run.end('FAILED').catch(() => undefined);
    throw error;
  }
  await run.end('FINISHED');
  return result;
}
