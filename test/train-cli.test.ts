import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BANK_PIPELINE as PIPELINE, writeBankPipelineWorkspace } from './support/bank-pipeline.js';
import { CLI_PATH, runMlcycle } from './support/run-cli.js';
import { tempDir } from './support/temp-dir.js';

/** A workspace with every 8th bank row as dataset `bank` and the pipeline in pipeline.yaml. */
function bankWorkspace() {
  const dir = tempDir();
  const run = (...args: string[]) => runMlcycle(args, { cwd: dir });
  writeBankPipelineWorkspace(dir);
  const query = <T>(sql: string): T[] => {
    const db = new Sqlite(path.join(dir, '.mlcycle', 'metadata.db'), { readonly: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  };
  return { dir, run, query };
}

const cachedSteps = (json: { steps: { cached: boolean }[] }) => json.steps.map((step) => step.cached);

/** Starts `mlcycle train` in the background, waits until its features are cached, then sends a signal. */
async function interruptTraining(dir: string, query: <T>(sql: string) => T[], signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [CLI_PATH, 'train', '--set', 'train.params.rounds=1000000'], { cwd: dir, env: { ...process.env, TZ: 'UTC' } });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Polls the store (not a fixed sleep): the features row is written just before training starts.
  for (let tries = 0; tries < 600 && query<{ n: number }>("SELECT count(*) AS n FROM pipeline_steps WHERE step = 'features'")[0]?.n !== 1; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill(signal);
  return { code: await exited, stdout };
}

describe('mlcycle train', () => {
  it('runs a tracked pipeline, serves an unchanged rerun from the cache, and recomputes what --set changes', () => {
    const { run, query } = bankWorkspace();
    const first = run('train', '--json');
    expect(first.code).toBe(0);
    const firstJson = JSON.parse(first.stdout);
    expect(cachedSteps(firstJson)).toEqual([false, false, false, false]);
    expect(firstJson.metrics.roc_auc).toBeGreaterThan(0.6);
    expect(firstJson.datasets).toEqual({ training: 'bank-train@1', validation: 'bank-validation@1' });

    const second = run('train', '--json');
    expect(second.code).toBe(0);
    const secondJson = JSON.parse(second.stdout);
    expect(secondJson.cached).toBe(true);
    expect(secondJson.metrics).toEqual(firstJson.metrics);
    expect(secondJson.model.sha256).toBe(firstJson.model.sha256);

    const changed = run('train', 'pipeline.yaml', '--set', 'train.params.numLeaves=5', '--register', 'bank-model@champion');
    expect(changed.code).toBe(0);
    expect(changed.stdout).toMatch(/^ {2}split\s+cached\b/m);
    expect(changed.stdout).toMatch(/^ {2}features\s+cached\b/m);
    expect(changed.stdout).toMatch(/^ {2}train\s+computed\b/m);
    expect(changed.stdout).toMatch(/^ {2}evaluate\s+computed\b/m);
    expect(changed.stdout).toMatch(/registered models:\/bank-model\/1 \(@champion\)/);
    const lineage = run('models', 'show', 'models:/bank-model@champion');
    expect(lineage.stdout).toMatch(/training: bank-train@1/);
    expect(lineage.stdout).toMatch(/validation: bank-validation@1/);

    const shown = run('runs', 'show', secondJson.runId);
    expect(shown.stdout).toMatch(/mlcycle\.cached\s+true/);
    expect(shown.stdout).toMatch(/rounds\.validation_auc\s+[\d.]+\s+step 10/);
    expect(query<{ step: string }>('SELECT step FROM pipeline_steps ORDER BY step').map((row) => row.step)).toEqual(['evaluate', 'evaluate', 'features', 'split', 'train', 'train']);
  });

  it('reports bad pipelines and missing data with exit code 2 and stores nothing', () => {
    const { dir, run, query } = bankWorkspace();
    writeFileSync(path.join(dir, 'broken.yaml'), PIPELINE.replace('  - { name: job, type: categorical }', '  - { name: job, type: categorical'));
    const broken = run('train', 'broken.yaml');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^ {2}broken\.yaml:8: YAML: /m);
    const unknown = run('train', '--set', 'train.params.leaves=9');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--set: train\.params\.leaves: unknown field \(learner gbdt\)/);
    writeFileSync(path.join(dir, 'typo.yaml'), PIPELINE.replace('numLeaves: 7', 'numLeafs: 7'));
    expect(run('train', 'typo.yaml').stderr).toMatch(/typo\.yaml:12: train\.params\.numLeafs: unknown field \(did you mean numLeaves\?\) \(learner gbdt\)/);
    const missing = run('train', '--set', 'data.dataset=flights@2');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no dataset named "flights"/);
    expect(run('train', 'nope.yaml').code).toBe(2);
    expect(query('SELECT * FROM runs')).toEqual([]);
    expect(query('SELECT * FROM pipeline_steps')).toEqual([]);
  });

  it('ends the run KILLED on Ctrl-C and keeps the finished steps in the cache', async () => {
    const { dir, run, query } = bankWorkspace();
    const { code, stdout } = await interruptTraining(dir, query, 'SIGINT');
    expect(code).toBe(130);
    expect(stdout).toMatch(/^stopped: run \w{32} was stopped and ended KILLED/);
    expect(query<{ status: string }>('SELECT status FROM runs')).toEqual([{ status: 'KILLED' }]);
    expect(query<{ step: string }>('SELECT step FROM pipeline_steps ORDER BY step').map((row) => row.step)).toEqual(['features', 'split']);
    const again = JSON.parse(run('train', '--json').stdout);
    expect(cachedSteps(again)).toEqual([true, true, false, false]);
  });

  it('leaves only whole cache entries when killed outright', async () => {
    const { dir, run, query } = bankWorkspace();
    const { code } = await interruptTraining(dir, query, 'SIGKILL');
    expect(code).toBeNull();
    const rows = query<{ step: string; outputs: string }>('SELECT step, outputs FROM pipeline_steps ORDER BY step');
    expect(rows.map((row) => row.step)).toEqual(['features', 'split']);
    for (const row of rows) {
      for (const output of Object.values(JSON.parse(row.outputs) as Record<string, { sha256: string; size: number }>)) {
        const blob = path.join(dir, '.mlcycle', 'artifacts', 'blobs', output.sha256.slice(0, 2), output.sha256);
        expect(existsSync(blob)).toBe(true);
        expect(readFileSync(blob).length).toBe(output.size);
      }
    }
    const again = JSON.parse(run('train', '--json').stdout);
    expect(cachedSteps(again)).toEqual([true, true, false, false]);
  });
});
