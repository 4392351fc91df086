/**
 * The CLI's frame: global options, the given command registrations, and the single place where errors
 * become exit codes (0 ok, 1 a check failed, 2 bad input or usage). program.ts runs it with every
 * command; main.ts runs `train` with its own registration alone, so that a cached rerun starts fast.
 */
import { Command, CommanderError } from 'commander';
import { ERROR_CODES } from '../error.js';
import { defaultChangeContext } from '../store/audit-log.js';
import { classifyFailure, internalErrorDetails, wantsTrace } from './failure.js';
import { printError, printOutput, processStreams, type OutputStreams } from './output.js';
import type { ActionFactory, GlobalOptions, RegisterCommands } from './program.js';

/** Runs the registered commands on an argument vector (`process.argv` form) and returns the exit code. */
export async function runCommands(argv: readonly string[], registrations: readonly RegisterCommands[], streams: OutputStreams = processStreams): Promise<number> {
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
    .option('--verbose', 'print the stack trace of an internal error (or set MLCYCLE_DEBUG=1)', false)
    .showHelpAfterError()
    // Subcommands inherit this (commander copies help settings at .command()), so each one's help lists the global options.
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: streams.stdout, writeErr: streams.stderr });
  for (const register of registrations) register(program, action);
  for (const command of withSubcommands(program)) command.exitOverride();
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (thrown) {
    // Help and version end with exit code 0; every other commander error is a usage error.
    if (thrown instanceof CommanderError) return thrown.exitCode === 0 ? 0 : ERROR_CODES.usage.exitCode;
    const error = classifyFailure(thrown);
    const json = argv.includes('--json');
    printError(error, json, streams);
    const trace = error.code === 'internal' && wantsTrace(argv);
    if (error.code === 'internal' && (trace || !json)) streams.stderr(internalErrorDetails(error, trace));
    return error.exitCode;
  }
}

function withSubcommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(withSubcommands)];
}
