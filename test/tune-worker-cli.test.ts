import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_PATH, runMlcycle } from './support/run-cli.js';
import { tempDir } from './support/temp-dir.js';

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts a process and resolves when a line of its output matches `ready`. */
function startUntil(command: string, args: string[], cwd: string, ready: RegExp): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(command, args, { cwd, env: { ...process.env, TZ: 'UTC' } });
  started.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      if (ready.test(output)) resolve({ child, output: () => output });
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.on('error', (error) => reject(new Error(`${command}: ${error.message} (Debian's redis-server must be installed: .ci/run installs it)`)));
    child.on('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready: ${output}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('mlcycle tune --queue with two mlcycle worker processes', () => {
  it('spreads the trials of a study over both workers through Redis and completes it', async () => {
    const dir = tempDir();
    expect(runMlcycle(['init', '.'], { cwd: dir }).code).toBe(0);
    writeFileSync(path.join(dir, 'space.yaml'), 'parameters:\n  x0: { type: float, low: -5, high: 10 }\n  x1: { type: float, low: 0, high: 15 }\n');
    const port = await freePort();
    await startUntil('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], dir, /Ready to accept connections/);
    const queue = `redis://127.0.0.1:${port}`;
    const workers = await Promise.all([1, 2].map(() => startUntil(process.execPath, [CLI_PATH, 'worker', '--queue', queue], dir, /waiting for trials/)));

    const tune = runMlcycle(['tune', '--function', 'branin', '--space', 'space.yaml', '--trials', '16', '--parallel', '2', '--queue', queue, '--json'], { cwd: dir, timeoutMs: 120_000 });
    expect(tune.code, tune.stderr).toBe(0);
    const result = JSON.parse(tune.stdout) as { stoppedBy: string; counts: { trials: number; complete: number; pruned: number; failed: number }; best: { value: number } };
    expect(result.stoppedBy).toBe('trials');
    expect(result.counts.trials).toBe(16);
    expect(result.counts.complete + result.counts.pruned).toBe(16);
    expect(result.best.value).toBeLessThan(20);

    const counts: number[] = [];
    for (const { child, output } of workers) {
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
      counts.push(output().split('\n').filter((line) => /: space trial \d+ (complete|pruned)/.test(line)).length);
    }
    expect(counts.every((count) => count > 0)).toBe(true);
    expect(counts[0]! + counts[1]!).toBe(16);
  });
});
