/**
 * A child process of bench/tune-bank.ts: runs the bank task's studies for the seeds given as arguments and
 * prints their outcomes as JSON, so that the seeds spread over the machine's cores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedStudies } from './tune-bank.js';

const folder = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-bench-bank-seeds-'));
try {
  const seeds = process.argv.slice(2).map(Number);
  process.stdout.write(JSON.stringify(await seedStudies(folder, seeds)));
} finally {
  rmSync(folder, { recursive: true, force: true });
}
