import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMlcycle, startServerProcess } from './support/run-cli.js';
import { tempDir } from './support/temp-dir.js';

describe('mlcycle server', () => {
  it('binds to loopback by default and serves the MLflow API until stopped', async () => {
    const dir = tempDir();
    expect(runMlcycle(['init'], { cwd: dir }).code).toBe(0);
    const server = await startServerProcess(dir);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const created = await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": "churn"}' });
      expect(await created.json()).toEqual({ experiment_id: '1' });
    } finally {
      await server.stop();
    }
    expect(JSON.parse(runMlcycle(['log', '--json', '--action', 'experiment.'], { cwd: dir }).stdout)).toMatchObject([{ subject: 'experiment/churn' }]);
  });

  it('fails closed: a tokens file or MLCYCLE_TOKENS holding no token is an error at start-up', () => {
    const dir = tempDir();
    runMlcycle(['init'], { cwd: dir });
    writeFileSync(join(dir, 'tokens.txt'), '# nobody yet\n\n');
    const empty = runMlcycle(['server', '--port', '0', '--tokens-file', 'tokens.txt'], { cwd: dir });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/tokens\.txt: holds no token/);
    const variable = runMlcycle(['server', '--port', '0'], { cwd: dir, env: { MLCYCLE_TOKENS: '' } });
    expect(variable.code).toBe(2);
    expect(variable.stderr).toMatch(/MLCYCLE_TOKENS: holds no token/);
    writeFileSync(join(dir, 'tokens.txt'), 'ana:write:0123456789abcdef0\nana-read-only\n');
    const malformed = runMlcycle(['server', '--port', '0', '--tokens-file', 'tokens.txt'], { cwd: dir });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/tokens\.txt:2/);
  });

  it('refuses a bad port', () => {
    const dir = tempDir();
    runMlcycle(['init'], { cwd: dir });
    const result = runMlcycle(['server', '--port', 'http'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--port: expected 0 to 65535, got "http"/);
  });
});
