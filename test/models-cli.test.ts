import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWorkspace } from '../src/store/workspace.js';
import { registerModel, setModelAlias } from '../src/tracking/registry/register-model.js';
import { startRun } from '../src/tracking/start-run.js';
import { runMlcycle } from './support/run-cli.js';
import { tempDir, testContext } from './support/temp-dir.js';

/** A workspace with a dataset version and two runs that trained on it and logged a model folder. */
async function trainedWorkspace(): Promise<{ ids: string[]; cwd: string; run: (...args: string[]) => ReturnType<typeof runMlcycle> }> {
  const dir = tempDir();
  const context = testContext('ana');
  const { workspace } = await createWorkspace(dir, 'registry', context);
  const hash = '12'.repeat(32);
  await workspace.datasets.registerVersions(
    [{ dataset: 'flights', hash, artifactKey: `datasets/12/${hash}.parquet`, rowCount: 5, byteSize: 5, columns: [], lineage: { source: { path: '/data/flights.csv', size: 5, modifiedAt: '2026-01-01T00:00:00.000Z', format: 'csv', options: {} } } }],
    context,
  );
  mkdirSync(path.join(dir, 'model'));
  writeFileSync(path.join(dir, 'model', 'model.json'), '{}');
  const ids: string[] = [];
  for (const name of ['logistic', 'gbdt']) {
    const run = await startRun({ experiment: 'delays', name, workspace, context, gitCommit: false, command: false });
    await run.logInput('flights@1', 'training');
    await run.logArtifact(path.join(dir, 'model'));
    await run.end();
    ids.push(run.id);
  }
  await workspace.close();
  return { ids, cwd: dir, run: (...args) => runMlcycle(args, { cwd: dir }) };
}

describe('mlcycle models', () => {
  it('registers versions, moves aliases, shows lineage and moves the board', async () => {
    const { ids, run } = await trainedWorkspace();
    expect(run('models', 'list').stdout).toMatch(/no registered models yet/);
    const first = run('models', 'register', 'delay-alert', '--run', (ids[0] as string).slice(0, 8), '--description', 'logistic baseline');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`registered models:/delay-alert/1 from run ${ids[0]} \\(model\\)`));
    expect(run('models', 'register', 'delay-alert', '--run', ids[1] as string, '--reason', 'gbdt beats the baseline').code).toBe(0);
    expect(run('models', 'alias', 'delay-alert', 'champion', '1').stdout).toMatch(/models:\/delay-alert@champion now resolves to version 1/);
    run('models', 'alias', 'delay-alert', 'challenger', '2');
    run('models', 'alias', 'delay-alert', 'champion', '2');
    expect(run('models', 'alias', 'delay-alert', 'challenger', '--delete').code).toBe(0);

    const list = run('models', 'list');
    expect(list.stdout).toMatch(/delay-alert\s+2\s+champion=v2/);
    const show = run('models', 'show', 'delay-alert');
    expect(show.stdout).toMatch(/^delay-alert: no description/);
    expect(show.stdout).toMatch(/^2\s+\w{12}\s+model\s+champion/m);
    const lineage = run('models', 'show', 'models:/delay-alert@champion');
    expect(lineage.code).toBe(0);
    expect(lineage.stdout).toMatch(/^models:\/delay-alert\/2 \(@champion\): no description\nfrom run \w{32} "gbdt" \(FINISHED\), artifact model\ntraining: flights@1 \(121212121212\) from \/data\/flights.csv\n$/);
    const json = JSON.parse(run('models', 'show', 'models:/delay-alert/1', '--json').stdout);
    expect(json).toMatchObject({ version: { version: 1, description: 'logistic baseline' }, run: { id: ids[0] }, inputs: [{ datasetVersion: { ref: 'flights@1' } }] });

    const board = JSON.parse(run('status', '--json').stdout);
    expect(board.stages.find((stage: any) => stage.id === 'development')).toMatchObject({ state: 'done' });
    const log = JSON.parse(run('log', '--json', '--action', 'registry.model_version.created').stdout);
    expect(log.map((entry: any) => [entry.subject, entry.reason ?? null])).toEqual([
      ['models:/delay-alert/2', 'gbdt beats the baseline'],
      ['models:/delay-alert/1', null],
    ]);
  });

  it('writes a model card and deletes versions and models', async () => {
    const { ids, run, cwd } = await trainedWorkspace();
    const context = testContext('ana');
    const { workspace } = await createWorkspace(cwd, 'registry', context);
    await registerModel(workspace, { name: 'delay-alert', run: ids[0] as string }, context);
    await registerModel(workspace, { name: 'delay-alert', run: ids[1] as string }, context);
    await setModelAlias(workspace, 'delay-alert', 'champion', 2, context);
    await workspace.close();
    expect(run('models', 'card', 'models:/delay-alert@champion', '--out', 'card.md').stdout).toMatch(/wrote the model card of models:\/delay-alert\/2 to .*card\.md/);
    const card = readFileSync(path.join(cwd, 'card.md'), 'utf8');
    expect(card).toMatch(/^# Model card: delay-alert version 2\n/);
    expect(card).toContain('| training | flights@1 | 5 | 0 | 121212121212 | /data/flights.csv |');

    expect(run('models', 'delete', 'delay-alert', '1').stdout).toMatch(/deleted models:\/delay-alert\/1/);
    expect(JSON.parse(run('models', 'show', 'delay-alert', '--json').stdout).versions.map((version: any) => version.version)).toEqual([2]);
    expect(run('models', 'delete', 'delay-alert').code).toBe(0);
    expect(JSON.parse(run('models', 'list', '--json').stdout)).toEqual([]);
    expect(JSON.parse(run('log', '--json', '--action', 'registry.registered_model.deleted').stdout)).toMatchObject([{ subject: 'models:/delay-alert', details: { versions: 1 } }]);
  });

  it('refuses bad input with exit code 2', async () => {
    const { ids, run } = await trainedWorkspace();
    const cases: [string[], RegExp][] = [
      [['models', 'register', 'delay/alert', '--run', ids[0] as string], /name: "delay\/alert" must start with a letter or digit/],
      [['models', 'register', 'delay-alert', '--run', ids[0] as string, '--path', '../x'], /path: artifact path "..\/x" has a \.\. part/],
      [['models', 'register', 'delay-alert', '--run', ids[0] as string, '--path', 'weights'], /has no artifact at "weights"/],
      [['models', 'alias', 'delay-alert', 'champion', '1'], /no registered model named "delay-alert"/],
      [['models', 'alias', 'delay-alert', 'latest', '1'], /"latest" is reserved/],
      [['models', 'alias', 'delay-alert', 'champion'], /give the version number/],
      [['models', 'show', 'models:/delay-alert'], /name a version/],
      [['models', 'show', 'nothing'], /no registered model named "nothing"/],
      [['models', 'delete', 'nothing'], /no registered model named "nothing"/],
      [['models', 'delete', 'nothing', 'one'], /version: expected a positive whole number, got "one"/],
    ];
    for (const [args, message] of cases) {
      const result = run(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
    expect(JSON.parse(run('models', 'list', '--json').stdout)).toEqual([]);
  });
});
