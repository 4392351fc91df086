#!/usr/bin/env node
/**
 * The `mlcycle` executable. Every command declares itself cheaply and loads its implementation when it
 * runs (program.ts); `train` goes further and declares only itself, since a rerun served from the step
 * cache should take a fraction of a second and declaring every command costs some tens of milliseconds.
 */
import { commandName } from './command-name.js';

process.exitCode =
  commandName(process.argv) === 'train'
    ? await import('./run-commands.js').then(async ({ runCommands }) => runCommands(process.argv, [(await import('./train.js')).registerTrain]))
    : await import('./program.js').then(({ runCli }) => runCli(process.argv));
