import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI_PATH, runMlcycle } from './support/run-cli.js';
import { tempDir } from './support/temp-dir.js';

describe('mlcycle server', () => {
  it('binds to loopback by default and serves the MLflow API until stopped', async () => {
    const dir = tempDir();
    expect(runMlcycle(['init'], { cwd: dir }).code).toBe(0);
    const child = spawn(process.execPath, [CLI_PATH, 'server', '--port', '0'], { cwd: dir, env: { ...process.env, MLCYCLE_USER: 'ana' } });
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /on (http:\/\/[^\s]+) /.exec(output);
          if (match !== null) resolve(match[1] as string);
        });
        child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
      });
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const created = await fetch(`${address}/api/2.0/mlflow/experiments/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": "churn"}' });
      expect(await created.json()).toEqual({ experiment_id: '1' });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    expect(JSON.parse(runMlcycle(['log', '--json', '--action', 'experiment.'], { cwd: dir }).stdout)).toMatchObject([{ subject: 'experiment/churn' }]);
  });

  it('refuses a bad port', () => {
    const dir = tempDir();
    runMlcycle(['init'], { cwd: dir });
    const result = runMlcycle(['server', '--port', 'http'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--port: expected 0 to 65535, got "http"/);
  });
});
