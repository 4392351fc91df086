/**
 * Pipeline benchmarks (issue 7), on the full bank data (41,188 rows) through the built `mlcycle` command
 * (`npm run build` first), one process per run as a user would run it:
 * - pipeline.first-run-s: `mlcycle train` on an empty cache (split, features, 100 GBDT rounds, evaluation).
 * - pipeline.cached-rerun-s: the same command again, every step from the cache (median of 7); target well
 *   under 1 s. Reference: `mlcycle --version`, the full command line loading and doing nothing, which is
 *   what every other command pays before its work.
 * - cli.version-s, cli.help-s: `mlcycle --version` and `mlcycle --help` (median of 7), which declare every
 *   command but load no command's implementation. Reference: Node starting and running an empty script.
 * - pipeline.set-rerun-s: `--set train.params.numLeaves=15` (split and features cached, train and
 *   evaluate computed). Reference: the first run, which also splits and reads the features.
 * - pipeline.round-metric-overhead-cpu-s: CPU seconds of GBDT training (30 rounds, 63 leaves) on 1,000,000 real flights
 *   (vega-datasets' flights-3m) while scoring 500,000 validation flights' AUC after every round, as the
 *   train step does. Reference: the same training without a validation set.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vegaDataFile } from '../src/demo/flight-data.js';
import { trainGbdt } from '../src/models/gbdt/train-gbdt.js';
import { quoteLiteral } from '../src/store/analytics.js';
import { openDuckDb } from '../src/store/duckdb/engine.js';
import { readFeatureTable } from '../src/train/feature-table.js';
import { BANK_CSV } from '../test/support/test-data.js';
import { medianSeconds, report } from './report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');

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

async function roundMetricOverhead(): Promise<void> {
  const engine = await openDuckDb();
  try {
    const features = [
      { name: 'hour', type: 'numeric' as const, sql: 'hour(date)' },
      { name: 'weekday', type: 'numeric' as const, sql: 'dayofweek(date)' },
      { name: 'distance', type: 'numeric' as const },
      { name: 'origin', type: 'categorical' as const },
      { name: 'destination', type: 'categorical' as const },
    ];
    const source = quoteLiteral(vegaDataFile('flights-3m.parquet'));
    const part = async (offset: number, rows: number, signature?: Awaited<ReturnType<typeof readFeatureTable>>['signature']) => {
      const file = path.join(os.tmpdir(), `mlcycle-bench-flights-${offset}.parquet`);
      await engine.run(`COPY (SELECT * FROM read_parquet(${source}) LIMIT ${rows} OFFSET ${offset}) TO ${quoteLiteral(file)} (FORMAT parquet)`);
      try {
        return await readFeatureTable(engine, file, features, 'delay > 15', signature);
      } finally {
        rmSync(file, { force: true });
      }
    };
    const train = await part(0, 1_000_000);
    const validation = await part(1_000_000, 500_000, train.signature);
    const data = { columns: train.columns, label: train.label, categorical: train.signature.map((feature) => feature.type === 'categorical') };
    const params = { objective: 'binary' as const, rounds: 30, numLeaves: 63 };
    // CPU seconds of this (single-threaded) training, alternating the two, so that a machine shared with
    // other work does not decide the comparison as it would wall time.
    const cpuSeconds = (body: () => unknown): number => {
      const start = process.cpuUsage();
      body();
      const used = process.cpuUsage(start);
      return (used.user + used.system) / 1e6;
    };
    const plain: number[] = [];
    const watched: number[] = [];
    for (let repeat = 0; repeat < 3; repeat++) {
      plain.push(cpuSeconds(() => trainGbdt(data, params)));
      watched.push(cpuSeconds(() => trainGbdt(data, params, { columns: validation.columns, label: validation.label, onRound: () => 'continue' })));
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[1] ?? NaN;
    report('pipeline.round-metric-overhead-cpu-s', median(watched), median(plain));
  } finally {
    await engine.close();
  }
}

export async function benchPipeline(): Promise<void> {
  await roundMetricOverhead();
  readFileSync(CLI);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-bench-pipeline-'));
  try {
    mlcycle(dir, 'init', '.', '--name', 'bank');
    writeFileSync(path.join(dir, 'mlcycle.yaml'), SPEC);
    mlcycle(dir, 'data', 'add', BANK_CSV, '--name', 'bank', '--delimiter', ';');
    writeFileSync(path.join(dir, 'pipeline.yaml'), PIPELINE);
    const first = timed(dir, 'train');
    const cached = await medianSeconds(7, async () => timed(dir, 'train'));
    const startup = await medianSeconds(7, async () => timed(dir, '--version'));
    const help = await medianSeconds(7, async () => timed(dir, '--help'));
    const bareNode = await medianSeconds(7, async () => {
      if (spawnSync(process.execPath, ['-e', ''], { cwd: dir }).status !== 0) throw new Error('node -e "" failed');
    });
    const set = timed(dir, 'train', '--set', 'train.params.numLeaves=15');
    report('pipeline.first-run-s', first);
    report('pipeline.cached-rerun-s', cached, startup);
    report('pipeline.set-rerun-s', set, first);
    report('cli.version-s', startup, bareNode);
    report('cli.help-s', help, bareNode);
    console.log(`(load average ${os.loadavg().map((value) => value.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
