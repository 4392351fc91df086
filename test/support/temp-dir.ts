/** Temporary folders for tests, removed after each test. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new empty folder that is removed when the current test ends. */
export function tempDir(prefix = 'mlcycle-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A change context with a fixed actor and a clock that ticks one second per call. */
export function testContext(actor = 'tester', start = Date.parse('2026-01-01T00:00:00Z'), reason?: string) {
  let tick = 0;
  return { actor, now: () => new Date(start + 1000 * tick++), ...(reason === undefined ? {} : { reason }) };
}
