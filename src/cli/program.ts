/**
 * The `mlcycle` command: global options, one registration per command group, and the single place where
 * errors become exit codes (0 ok, 1 a check failed, 2 bad input or usage).
 */
import { Command, CommanderError } from 'commander';
import { asMlcycleError, ERROR_CODES } from '../error.js';
import { defaultChangeContext, type ChangeContext } from '../store/audit-log.js';
import { registerData } from './data.js';
import { registerDemo } from './demo.js';
import { registerExplore } from './explore.js';
import { registerInit } from './init.js';
import { registerLog } from './log.js';
import { printError, printOutput, processStreams, type CommandOutput, type OutputStreams } from './output.js';
import { registerModels } from './models.js';
import { registerRuns } from './runs.js';
import { registerServer } from './server.js';
import { registerSpec } from './spec.js';
import { registerStats } from './stats.js';
import { registerStatus } from './status.js';
import { registerTune } from './tune.js';
import { registerWorker } from './worker.js';

export interface GlobalOptions {
  json: boolean;
  /** The workspace folder; by default the nearest one at or above the current folder. */
  dir?: string;
  reason?: string;
}

/** What every command body receives besides its own arguments. */
export interface CommandEnvironment {
  options: GlobalOptions;
  context: ChangeContext;
  cwd: string;
  streams: OutputStreams;
}

/** A command body: positional arguments first, then the command's own options. */
export type CommandBody = (environment: CommandEnvironment, positional: unknown[], command: Command) => Promise<CommandOutput>;

/** Turns a command body into a commander action handler. */
export type ActionFactory = (body: CommandBody) => (...args: unknown[]) => Promise<void>;

/** Each command group registers its commands with this signature. */
export type RegisterCommands = (program: Command, action: ActionFactory) => void;

const REGISTRATIONS: readonly RegisterCommands[] = [registerInit, registerSpec, registerStatus, registerData, registerExplore, registerRuns, registerModels, registerServer, registerStats, registerLog, registerDemo, registerTune, registerWorker];

/** Runs the CLI on an argument vector (`process.argv` form) and returns the exit code. */
export async function runCli(argv: readonly string[], streams: OutputStreams = processStreams): Promise<number> {
  let exitCode = 0;
  const action: ActionFactory = (body) => async (...args) => {
    const command = args.at(-1) as Command;
    const options = command.optsWithGlobals<GlobalOptions>();
    const environment = { options, context: defaultChangeContext(options.reason), cwd: process.cwd(), streams };
    const output = await body(environment, args.slice(0, -2), command);
    printOutput(output, options.json, streams);
    exitCode = output.exitCode ?? 0;
  };
  const program = new Command('mlcycle')
    .description('The lifecycle of a machine-learning product, from problem spec to maintenance, in one tool.')
    .version('0.1.0')
    .option('--json', 'print machine-readable JSON', false)
    .option('-C, --dir <folder>', 'the workspace folder (default: the nearest one at or above the current folder)')
    .option('--reason <text>', 'why you make this change; kept in the audit log')
    .showHelpAfterError()
    .configureOutput({ writeOut: streams.stdout, writeErr: streams.stderr });
  for (const register of REGISTRATIONS) register(program, action);
  for (const command of withSubcommands(program)) command.exitOverride();
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (thrown) {
    // Help and version end with exit code 0; every other commander error is a usage error.
    if (thrown instanceof CommanderError) return thrown.exitCode === 0 ? 0 : ERROR_CODES.usage.exitCode;
    const error = asMlcycleError(thrown);
    printError(error, argv.includes('--json'), streams);
    if (error.code === 'internal' && thrown instanceof Error) streams.stderr(`${thrown.stack ?? ''}\n`);
    return error.exitCode;
  }
}

function withSubcommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(withSubcommands)];
}
