/**
 * Pipeline benchmarks (issue 7), on the full bank data (41,188 rows) through the built `mlcycle` command
 * (`npm run build` first), one process per run as a user would run it:
 * - pipeline.first-run-s: `mlcycle train` on an empty cache (split, features, 100 GBDT rounds, evaluation).
 * - pipeline.cached-rerun-s: the same command again, every step from the cache (median of 7); target well
 *   under 1 s. Reference: `mlcycle --version`, the full command line loading and doing nothing, which is
 *   what every other command pays before its work.
 * - pipeline.set-rerun-s: `--set train.params.numLeaves=15` (split and features cached, train and
 *   evaluate computed). Reference: the first run, which also splits and reads the features.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { medianSeconds, report } from './report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const BANK = path.resolve(ROOT, '../shared/data/bank-marketing.csv');

const SPEC = `version: 1
name: term-deposits
customerProblem: clients get calls about products they do not want
businessProblem: each call costs agent time; calls should go to clients likely to subscribe
task: binary
target: { column: y, positive: 1 }
randomizationUnit: client_id
`;

const PIPELINE = `name: bank-gbdt
data:
  dataset: bank
  split: { by: stratified, validation: 0.25, seed: 7 }
features:
${['age', 'campaign', 'pdays', 'previous', 'emp.var.rate', 'cons.price.idx', 'cons.conf.idx', 'euribor3m', 'nr.employed'].map((name) => `  - { name: ${name.replaceAll('.', '_')}, type: numeric, sql: '"${name}"' }`).join('\n')}
${['job', 'marital', 'education', 'default', 'housing', 'loan'].map((name) => `  - { name: ${name}, type: categorical, sql: '"${name}"' }`).join('\n')}
train:
  learner: gbdt
  params: { rounds: 100, numLeaves: 31 }
`;

function mlcycle(cwd: string, ...args: string[]): string {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`mlcycle ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** Wall time of one command, in seconds. */
function timed(cwd: string, ...args: string[]): number {
  const start = performance.now();
  mlcycle(cwd, ...args);
  return (performance.now() - start) / 1000;
}

export async function benchPipeline(): Promise<void> {
  readFileSync(CLI);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-bench-pipeline-'));
  try {
    mlcycle(dir, 'init', '.', '--name', 'bank');
    writeFileSync(path.join(dir, 'mlcycle.yaml'), SPEC);
    mlcycle(dir, 'data', 'add', BANK, '--name', 'bank', '--delimiter', ';');
    writeFileSync(path.join(dir, 'pipeline.yaml'), PIPELINE);
    const first = timed(dir, 'train');
    const cached = await medianSeconds(7, async () => timed(dir, 'train'));
    const startup = await medianSeconds(7, async () => timed(dir, '--version'));
    const set = timed(dir, 'train', '--set', 'train.params.numLeaves=15');
    report('pipeline.first-run-s', first);
    report('pipeline.cached-rerun-s', cached, startup);
    report('pipeline.set-rerun-s', set, first);
    console.log(`(load average ${os.loadavg().map((value) => value.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
