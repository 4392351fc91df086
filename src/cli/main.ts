#!/usr/bin/env node
/**
 * The `mlcycle` executable. `train` loads only its own command: a rerun served from the step cache should
 * take a fraction of a second, and the other commands' modules (DuckDB, the server, charts) take more
 * than that to load.
 */
import { commandName } from './command-name.js';

process.exitCode =
  commandName(process.argv) === 'train'
    ? await import('./run-commands.js').then(async ({ runCommands }) => runCommands(process.argv, [(await import('./train.js')).registerTrain]))
    : await import('./program.js').then(({ runCli }) => runCli(process.argv));
