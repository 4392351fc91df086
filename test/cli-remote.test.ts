/**
 * `mlcycle runs list|show|compare` and `models list|show` against a started `mlcycle server`, through the
 * built command from a folder with no workspace: the same answers as the local workspace gives.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWorkspace } from '../src/store/workspace.js';
import { registerModel, setModelAlias } from '../src/tracking/registry/register-model.js';
import { startRun } from '../src/tracking/start-run.js';
import { runMlcycle, startServerProcess } from './support/run-cli.js';
import { tempDir, testContext } from './support/temp-dir.js';

async function trackedWorkspace(): Promise<{ dir: string; ids: string[] }> {
  const dir = tempDir();
  const context = testContext('ana');
  const { workspace } = await createWorkspace(dir, 'remote', context);
  mkdirSync(path.join(dir, 'model'));
  writeFileSync(path.join(dir, 'model', 'model.json'), '{}');
  const ids: string[] = [];
  for (const [index, lr] of ['0.1', '0.3'].entries()) {
    const run = await startRun({ experiment: 'delays', name: `gbdt-${index}`, workspace, context, gitCommit: false, command: false });
    await run.logParams({ lr });
    run.logMetric('auc', 0.7 + index / 10);
    run.logMetric('odd', NaN);
    await run.logArtifact(path.join(dir, 'model'));
    await run.end();
    ids.push(run.id);
  }
  await registerModel(workspace, { name: 'delay-alert', run: ids[1] as string }, context);
  await setModelAlias(workspace, 'delay-alert', 'champion', 1, context);
  await workspace.close();
  return { dir, ids };
}

describe('the tracking commands against a server', () => {
  it('read runs and models from --server or MLCYCLE_SERVER with MLCYCLE_TOKEN, as they read them locally', async () => {
    const { dir, ids } = await trackedWorkspace();
    const token = 'remote-reader-token-0001';
    const server = await startServerProcess(dir, { MLCYCLE_TOKENS: `reader:read:${token}` });
    try {
      const elsewhere = tempDir();
      const remote = (...args: string[]) => runMlcycle(args, { cwd: elsewhere, env: { MLCYCLE_TOKEN: token } });
      const local = (...args: string[]) => runMlcycle(args, { cwd: dir });

      const list = remote('runs', 'list', '--server', server.url, '-f', "metrics.auc > 0.5 OR params.lr IN ('0.1')", '-o', 'metrics.auc DESC', '--json');
      expect(list.code, list.stderr).toBe(0);
      expect(JSON.parse(list.stdout)).toEqual(JSON.parse(local('runs', 'list', '-f', "metrics.auc > 0.5 OR params.lr IN ('0.1')", '-o', 'metrics.auc DESC', '--json').stdout));
      expect(JSON.parse(list.stdout).runs.map((run: any) => run.name)).toEqual(['gbdt-1', 'gbdt-0']);
      const text = remote('runs', 'list', '--server', server.url, '-o', 'metrics.auc DESC');
      expect(text.stdout).toMatch(/^run\s+experiment\s+name\s+status/);
      expect(text.stdout).toMatch(/delays\s+gbdt-1\s+FINISHED/);

      const viaEnv = (...args: string[]) => runMlcycle(args, { cwd: elsewhere, env: { MLCYCLE_TOKEN: token, MLCYCLE_SERVER: server.url } });
      const show = viaEnv('runs', 'show', (ids[0] as string).slice(0, 8));
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).toBe(local('runs', 'show', (ids[0] as string).slice(0, 8)).stdout);
      expect(show.stdout).toMatch(/odd\s+NaN/);
      expect(viaEnv('runs', 'compare', ids[0] as string, ids[1] as string).stdout).toBe(local('runs', 'compare', ids[0] as string, ids[1] as string).stdout);

      expect(viaEnv('models', 'list').stdout).toBe(local('models', 'list').stdout);
      expect(viaEnv('models', 'show', 'delay-alert').stdout).toBe(local('models', 'show', 'delay-alert').stdout);
      const lineage = viaEnv('models', 'show', 'models:/delay-alert@champion', '--json');
      expect(JSON.parse(lineage.stdout)).toEqual(JSON.parse(local('models', 'show', 'models:/delay-alert@champion', '--json').stdout));

      const noToken = runMlcycle(['models', 'list', '--server', server.url], { cwd: elsewhere });
      expect(noToken.code).toBe(2);
      expect(noToken.stderr).toMatch(/a valid token is required/);
      const missing = viaEnv('models', 'show', 'nothing');
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/no registered model named "nothing"/);
    } finally {
      await server.stop();
    }
    const down = runMlcycle(['runs', 'list', '--server', server.url], { cwd: dir });
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/cannot reach the mlcycle server at http:\/\/127\.0\.0\.1:\d+/);
  }, 240_000);
});
