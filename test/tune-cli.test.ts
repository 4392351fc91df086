import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BANK_CSV, BANK_SPEC } from './support/data-workspace.js';
import { CLI_PATH, runMlcycle, type CliRun } from './support/run-cli.js';

const SPACE = `# GBDT on the bank data, kept small so trials take a fraction of a second
parameters:
  rounds: { type: int, low: 5, high: 15 }
  learningRate: { type: float, low: 0.02, high: 0.3, log: true }
  numLeaves: { type: int, low: 4, high: 31 }
`;

const PIPELINE = `name: bank-gbdt
experiment: bank
data: { training: bank-train, validation: bank-validation }
features:
  - { name: age, type: numeric }
  - { name: job, type: categorical }
  - { name: campaign, type: numeric }
  - { name: euribor3m, type: numeric }
train:
  learner: gbdt
  params: { rounds: 8, minDataInLeaf: 10 }
`;

const PIPELINE_SPACE = `parameters:
  train.params.numLeaves: { type: int, low: 3, high: 15 }
  train.params.learningRate: { type: float, low: 0.05, high: 0.3, log: true }
`;

interface TuneJson {
  study: string;
  resumed: boolean;
  stoppedBy: string;
  abandoned: number[];
  counts: { trials: number; complete: number; pruned: number; failed: number };
  best: { number: number; value: number; params: Record<string, number> } | null;
  importances: { importances: { name: string; importance: number }[] };
  trials: { number: number; state: string; value: number | null; params: Record<string, number> }[];
  chart: string;
}

/** A workspace with the bank data split 30/20/50 (train, validation, rest), made once for the file. */
let template = '';
beforeAll(() => {
  // Not a tempDir: those go after each test, and this workspace serves the whole file.
  template = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-tune-cli-'));
  writeFileSync(path.join(template, 'mlcycle.yaml'), BANK_SPEC);
  const run = (...args: string[]): CliRun => runMlcycle(args, { cwd: template });
  expect(run('init', '.').code).toBe(0);
  expect(run('data', 'add', BANK_CSV, '--name', 'bank', '--delimiter', ';').code).toBe(0);
  const split = run('data', 'split', 'bank', '--by', 'random', '--parts', 'train=0.3,validation=0.2,rest=0.5');
  expect(split.code, split.stderr).toBe(0);
  writeFileSync(path.join(template, 'space.yaml'), SPACE);
  writeFileSync(path.join(template, 'pipeline.yaml'), PIPELINE);
  writeFileSync(path.join(template, 'pipeline-space.yaml'), PIPELINE_SPACE);
}, 120_000);
afterAll(() => rmSync(template, { recursive: true, force: true }));

const TUNE = ['tune', '--train', 'bank-train', '--validation', 'bank-validation', '--space', 'space.yaml'];

function tune(...args: string[]): { run: CliRun; json: TuneJson } {
  const run = runMlcycle([...TUNE, ...args, '--json'], { cwd: template, timeoutMs: 120_000 });
  expect(run.code, run.stderr + run.stdout).toBe(0);
  return { run, json: JSON.parse(run.stdout) as TuneJson };
}

/** Starts `mlcycle tune` in the background and resolves once `lines` trials have been reported on stderr. */
function startTune(args: string[], lines: number): Promise<{ child: ReturnType<typeof spawn>; exited: Promise<{ code: number | null; signal: string | null; stdout: string }> }> {
  const child = spawn(process.execPath, [CLI_PATH, ...TUNE, ...args], { cwd: template, env: { ...process.env, TZ: 'UTC' } });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout })));
  return new Promise((resolve, reject) => {
    let seen = 0;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      seen = stderr.split('\n').filter((line) => /^trial \d+ /.test(line)).length;
      if (seen >= lines) resolve({ child, exited });
    });
    child.on('exit', () => reject(new Error(`tune ended before ${lines} trials: ${stderr}`)));
  });
}

function storedStates(): { number: number; state: string; value: number | null }[] {
  const db = new Sqlite(path.join(template, '.mlcycle', 'metadata.db'), { readonly: true });
  try {
    return db.prepare(`SELECT t.number, t.state, t.value FROM tuning_trials t JOIN tuning_studies s ON s.id = t.study_id WHERE s.name = 'killed' ORDER BY t.number`).all() as never;
  } finally {
    db.close();
  }
}

describe('mlcycle tune', () => {
  it('tunes a GBDT on two dataset versions in worker threads: best trial, importances, history chart, nested runs', () => {
    const { json } = tune('--study', 'threads', '--trials', '8', '--parallel', '2', '--pruner', 'none', '--seed', '5');
    expect(json).toMatchObject({ study: 'threads', resumed: false, stoppedBy: 'trials', counts: { trials: 8, complete: 8, failed: 0 } });
    const values = json.trials.map((trial) => trial.value as number);
    expect(json.best?.value).toBe(Math.max(...values));
    expect(json.best?.value).toBeGreaterThan(0.7);
    expect(json.best?.value).toBeLessThan(1);
    expect(json.importances.importances.map((entry) => entry.name).sort()).toEqual(['learningRate', 'numLeaves', 'rounds']);
    const html = readFileSync(json.chart, 'utf8');
    expect(html).toMatch(/<svg/);
    const spec = JSON.parse(readFileSync(json.chart.replace(/\.html$/, '.vl.json'), 'utf8')) as { data: { values: { trial: number; value: number; series: string }[] } };
    expect(spec.data.values.filter((point) => point.series === 'objective value').map((point) => point.value)).toEqual(values);
    const runs = runMlcycle(['runs', 'list', '-e', 'tune', '--json', '-n', '100'], { cwd: template });
    const listed = JSON.parse(runs.stdout) as { runs: { name: string; parentRunId?: string; id: string }[] };
    const parent = listed.runs.find((run) => run.name === 'threads');
    expect(listed.runs.filter((run) => run.parentRunId === parent?.id)).toHaveLength(8);
    // The same command again resumes the study: nothing left to do.
    const again = tune('--study', 'threads', '--trials', '8', '--parallel', '2', '--pruner', 'none', '--seed', '5').json;
    expect(again).toMatchObject({ resumed: true, counts: { trials: 8 } });
    expect(again.best).toEqual(json.best);
  });

  it('resumes a study killed mid-way: finished trials kept, the running one failed, the total reached', async () => {
    const { child, exited } = await startTune(['--study', 'killed', '--trials', '10', '--pruner', 'median', '--seed', '9'], 3);
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    const before = storedStates();
    const finished = before.filter((trial) => trial.state !== 'RUNNING');
    const running = before.filter((trial) => trial.state === 'RUNNING').map((trial) => trial.number);
    expect(finished.length).toBeGreaterThanOrEqual(3);
    expect(finished.length).toBeLessThan(10);
    const { json } = tune('--study', 'killed', '--trials', '10', '--pruner', 'median', '--seed', '9');
    expect(json).toMatchObject({ resumed: true, stoppedBy: 'trials', abandoned: running });
    for (const trial of finished) expect(json.trials[trial.number]).toMatchObject({ number: trial.number, value: trial.value });
    expect(json.trials.filter((trial) => running.includes(trial.number)).every((trial) => trial.state === 'failed')).toBe(true);
    expect(json.trials.filter((trial) => !running.includes(trial.number))).toHaveLength(10);
  });

  it('stops cleanly on Ctrl-C, keeping finished trials', async () => {
    const { child, exited } = await startTune(['--study', 'interrupted', '--trials', '50'], 2);
    child.kill('SIGINT');
    const { code, stdout } = await exited;
    expect(code).toBe(130);
    expect(stdout).toMatch(/stopped because interrupted/);
    const resumed = tune('--study', 'interrupted', '--trials', '3').json;
    expect(resumed.resumed).toBe(true);
    expect(resumed.trials.filter((trial) => trial.state !== 'failed').length).toBeGreaterThanOrEqual(3);
  });

  it('tunes a pipeline: each trial a pipeline run nested under the study, the features step cached', () => {
    const run = runMlcycle(['tune', 'pipeline.yaml', '--space', 'pipeline-space.yaml', '--trials', '4', '--parallel', '2', '--pruner', 'none', '--json'], { cwd: template, timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as TuneJson;
    expect(json).toMatchObject({ study: 'pipeline-space', stoppedBy: 'trials', counts: { trials: 4, complete: 4 } });
    expect(json.best?.value).toBeGreaterThan(0.6);
    const listed = JSON.parse(runMlcycle(['runs', 'list', '-e', 'bank', '--json', '-n', '100'], { cwd: template }).stdout) as { runs: { name: string; id: string; parentRunId?: string }[] };
    const study = JSON.parse(runMlcycle(['runs', 'list', '-e', 'tune', '--json', '-n', '100'], { cwd: template }).stdout) as { runs: { name: string; id: string }[] };
    const parent = study.runs.find((entry) => entry.name === 'pipeline-space');
    const trials = listed.runs.filter((entry) => entry.parentRunId === parent?.id);
    expect(trials.map((entry) => entry.name).sort()).toEqual(['trial-0', 'trial-1', 'trial-2', 'trial-3']);
    const shown = JSON.parse(runMlcycle(['runs', 'show', trials[0]?.id ?? '', '--json'], { cwd: template }).stdout) as { tags: Record<string, string> };
    expect(shown.tags['mlcycle.pipeline']).toBe('bank-gbdt');
    // Four trials, one features step: the others came from the step cache.
    const db = new Sqlite(path.join(template, '.mlcycle', 'metadata.db'), { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) AS n FROM pipeline_steps WHERE step = 'features'").get()).toEqual({ n: 1 });
      expect((db.prepare("SELECT count(*) AS n FROM pipeline_steps WHERE step = 'train'").get() as { n: number }).n).toBe(4);
    } finally {
      db.close();
    }
    writeFileSync(path.join(template, 'pipeline-bad-space.yaml'), 'parameters:\n  train.params.numLeaves: { type: int, low: 3, high: 15 }\n  train.params.leafCount: { type: int, low: 3, high: 15 }\n');
    const bad = runMlcycle(['tune', 'pipeline.yaml', '--space', 'pipeline-bad-space.yaml', '--trials', '2'], { cwd: template });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/pipeline-bad-space\.yaml:3: parameters\.train\.params\.leafCount: the pipeline does not take "train\.params\.leafCount"/);
  });

  it('points at the line of a bad space file and of an unknown parameter', () => {
    writeFileSync(path.join(template, 'bad.yaml'), 'parameters:\n  learningRate: { type: float, low: 0.3, high: 0.1 }\n  numLeaves: { type: int, low: 0, high: 31, log: true }\n');
    const bad = runMlcycle([...TUNE.slice(0, 5), '--space', 'bad.yaml', '--trials', '2'], { cwd: template });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml:2: parameters\.learningRate\.high: must be at least low/);
    expect(bad.stderr).toMatch(/bad\.yaml:3: parameters\.numLeaves\.low: must be above 0 when log is true/);
    writeFileSync(path.join(template, 'unknown.yaml'), 'parameters:\n  learningRate: { type: float, low: 0.01, high: 0.3 }\n  leafCount: { type: int, low: 4, high: 31 }\n');
    const unknown = runMlcycle([...TUNE.slice(0, 5), '--space', 'unknown.yaml', '--trials', '2'], { cwd: template });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown\.yaml:3: parameters\.leafCount: unknown parameter "leafCount"; this objective takes rounds, learningRate/);
    // Nothing was stored for either.
    expect(runMlcycle(['runs', 'list', '-e', 'tune', '--json'], { cwd: template }).stdout).not.toMatch(/"name": "(bad|unknown)"/);
  });
});
