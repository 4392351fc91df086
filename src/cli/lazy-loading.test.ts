/**
 * What the built `mlcycle` loads. Setting up the command line loads commander and the command
 * declarations, not the engines behind them; a `train` rerun served from the step cache loads the store
 * and the pipeline compiler, not DuckDB, the GBDT trainer or the queue. (How long that takes is measured by
 * `npm run bench -- pipeline`; this test checks the module graph that decides it.)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BANK_CSV } from '../../test/support/data-workspace.js';
import { CLI_PATH, runMlcycle } from '../../test/support/run-cli.js';
import { tempDir } from '../../test/support/temp-dir.js';

/** Loaded by an `--import` of this file, it writes every module URL the process loads to $MODULE_LIST. */
const TRACER = `import { register } from 'node:module';
import { writeFileSync } from 'node:fs';
const urls = [];
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => urls.push(url));
port1.unref();
const hooks = 'let port; export function initialize(data) { port = data.port; } export async function load(url, context, next) { port.postMessage(url); return next(url, context); }';
register('data:text/javascript,' + encodeURIComponent(hooks), { data: { port: port2 }, transferList: [port2] });
process.on('exit', () => writeFileSync(process.env.MODULE_LIST, JSON.stringify(urls)));
`;

/** Packages that take tens to hundreds of milliseconds to load, and the commands that need them. */
const ENGINES = ['@duckdb/node-api', 'apache-arrow', 'bullmq', 'ioredis', 'fastify', 'vega', 'vega-lite'];
const STORE = ['kysely', 'better-sqlite3', 'zod', 'yaml'];

/** The packages and own modules (paths under dist/) a run of `mlcycle ARGS` loads, besides its output. */
function loadedBy(args: string[], cwd: string): { code: number; stdout: string; packages: Set<string>; own: Set<string> } {
  const tracer = path.join(cwd, 'trace-modules.mjs');
  const list = path.join(cwd, 'modules.json');
  writeFileSync(tracer, TRACER);
  const result = spawnSync(process.execPath, ['--import', tracer, CLI_PATH, ...args], { cwd, env: { ...process.env, TZ: 'UTC', MODULE_LIST: list }, encoding: 'utf8', timeout: 60_000 });
  const urls = JSON.parse(readFileSync(list, 'utf8')) as string[];
  const packages = new Set(urls.flatMap((url) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []));
  const own = new Set(urls.flatMap((url) => /\/dist\/(.+)$/.exec(url)?.[1] ?? []));
  return { code: result.status ?? -1, stdout: result.stdout, packages, own };
}

describe('the mlcycle command loads lazily', () => {
  it.each([[['--version']], [['--help']], [['train', '--help']], [['tune', '--help']], [['data', 'split', '--help']]])('%j loads commander and no engine or store', (args) => {
    const run = loadedBy(args, tempDir());
    expect(run.code).toBe(0);
    expect(run.stdout).not.toBe('');
    expect(run.packages.has('commander')).toBe(true);
    for (const name of [...ENGINES, ...STORE]) expect(run.packages.has(name), name).toBe(false);
  });

  it('a cached train rerun loads the store and no DuckDB, GBDT trainer or queue', () => {
    const dir = tempDir();
    const run = (...args: string[]) => runMlcycle(args, { cwd: dir });
    expect(run('init', '.', '--name', 'bank').code).toBe(0);
    writeFileSync(path.join(dir, 'mlcycle.yaml'), 'version: 1\nname: term-deposits\ncustomerProblem: calls nobody wants\nbusinessProblem: calls cost agent time\ntask: binary\ntarget: { column: y, positive: 1 }\nrandomizationUnit: client_id\n');
    const lines = readFileSync(BANK_CSV, 'utf8').trimEnd().split('\n');
    writeFileSync(path.join(dir, 'bank.csv'), [lines[0], ...lines.slice(1).filter((_, index) => index % 20 === 0)].join('\n'));
    expect(run('data', 'add', 'bank.csv', '--name', 'bank', '--delimiter', ';').code).toBe(0);
    writeFileSync(
      path.join(dir, 'pipeline.yaml'),
      'name: bank-gbdt\ndata:\n  dataset: bank\n  split: { by: stratified, validation: 0.3, seed: 3 }\nfeatures:\n  - { name: age, type: numeric }\n  - { name: job, type: categorical }\ntrain:\n  learner: gbdt\n  params: { rounds: 5, numLeaves: 7, minDataInLeaf: 10 }\n',
    );
    const first = loadedBy(['train', '--json'], dir);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).cached).toBe(false);
    // The computing run is the control: it does load what the cached one must not.
    expect(first.packages.has('@duckdb/node-api')).toBe(true);
    expect(first.own.has('models/gbdt/train-gbdt.js')).toBe(true);

    const rerun = loadedBy(['train', '--json'], dir);
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout).cached).toBe(true);
    expect(rerun.packages.has('kysely')).toBe(true);
    for (const name of ENGINES) expect(rerun.packages.has(name), name).toBe(false);
    for (const file of ['models/gbdt/train-gbdt.js', 'store/duckdb/engine.js', 'train/pipeline/steps/train-in-worker.js', 'data/split.js']) expect(rerun.own.has(file), file).toBe(false);
  });
});
