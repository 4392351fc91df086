#!/usr/bin/env node
/** The `mlcycle` executable. */
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv);
