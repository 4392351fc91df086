/**
 * The `mlcycle` command: global options, one registration per command group, and the single place where
 * errors become exit codes (0 ok, 1 a check failed, 2 bad input or usage).
 *
 * Every command pays for loading every registration, so a registration file imports only commander, types
 * and small helpers; each action loads its implementation (DuckDB, the store, learners, the server,
 * charts) with `await import(...)` when that command runs. lazy-loading.test.ts checks that `--help`
 * loads no engine and no store.
 */
import type { Command } from 'commander';
import type { ChangeContext } from '../store/audit-log.js';
import { registerData } from './data.js';
import { registerDemo } from './demo.js';
import { registerEvaluate } from './evaluate.js';
import { registerExperiment } from './experiment.js';
import { registerExplore } from './explore.js';
import { registerInit } from './init.js';
import { registerLog } from './log.js';
import { processStreams, type CommandOutput, type OutputStreams } from './output.js';
import { runCommands } from './run-commands.js';
import { registerModels } from './models.js';
import { registerRollout } from './rollout.js';
import { registerRuns } from './runs.js';
import { registerServe } from './serve.js';
import { registerServer } from './server.js';
import { registerMigrate } from './migrate.js';
import { registerSimulate } from './simulate.js';
import { registerDoctor } from './doctor.js';
import { registerMonitor } from './monitor.js';
import { registerEvents } from './events.js';
import { registerSpec } from './spec.js';
import { registerStats } from './stats.js';
import { registerStatus } from './status.js';
import { registerSurvey } from './survey.js';
import { registerDesign } from './design.js';
import { registerTrain } from './train.js';
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

const REGISTRATIONS: readonly RegisterCommands[] = [registerInit, registerSpec, registerStatus, registerData, registerExplore, registerRuns, registerModels, registerServer, registerServe, registerSimulate, registerRollout, registerEvents, registerDoctor, registerMigrate, registerStats, registerExperiment, registerLog, registerDemo, registerTrain, registerEvaluate, registerTune, registerWorker, registerSurvey, registerDesign, registerMonitor];

/** Runs the CLI on an argument vector (`process.argv` form) and returns the exit code. */
export async function runCli(argv: readonly string[], streams: OutputStreams = processStreams): Promise<number> {
  return runCommands(argv, REGISTRATIONS, streams);
}
