import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exited, startRedis, startWorker, stopStarted } from './support/queue-processes.js';
import { runMlcycle } from './support/run-cli.js';
import { tempDir } from './support/temp-dir.js';

afterEach(stopStarted);

describe('mlcycle tune --queue with two mlcycle worker processes', () => {
  it('spreads the trials of a study over both workers through Redis and completes it', async () => {
    const dir = tempDir();
    expect(runMlcycle(['init', '.'], { cwd: dir }).code).toBe(0);
    writeFileSync(path.join(dir, 'space.yaml'), 'parameters:\n  x0: { type: float, low: -5, high: 10 }\n  x1: { type: float, low: 0, high: 15 }\n');
    const { url: queue } = await startRedis(dir);
    const workers = await Promise.all([1, 2].map(() => startWorker(dir, queue)));

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
