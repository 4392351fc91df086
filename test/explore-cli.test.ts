import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BANK_CSV, BANK_SPEC } from './support/data-workspace.js';
import { runMlcycle } from './support/run-cli.js';
import { tempDir } from './support/temp-dir.js';

function bankWorkspace(): { dir: string; run: (...args: string[]) => ReturnType<typeof runMlcycle> } {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'mlcycle.yaml'), BANK_SPEC);
  const run = (...args: string[]) => runMlcycle(args, { cwd: dir });
  expect(run('init').code).toBe(0);
  expect(run('data', 'add', BANK_CSV, '--name', 'bank').code).toBe(0);
  return { dir, run };
}

describe('mlcycle explore', () => {
  it('profiles once, writes a self-contained report, and completes the exploration stage', () => {
    const { dir, run } = bankWorkspace();
    expect(JSON.parse(run('status', '--json').stdout).stages[2].state).toBe('not-started');
    const first = run('explore', 'bank', '--out', 'bank.html');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^bank@1: 41,188 rows, 17 columns/);
    expect(first.stdout).toMatch(/leak: duration is a suspected leak/);
    expect(first.stdout).toMatch(/strawman: signal: auc 0\.7\d\d/);
    expect(first.stdout).toMatch(/profiled; report: .*bank.html/);
    const html = readFileSync(path.join(dir, 'bank.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThan(15);
    // Offline: no script, and nothing fetched from elsewhere (the SVG namespace is a name, not a request).
    expect(html).not.toMatch(/<script|src="http|href="http|@import|url\(http/);
    const again = run('explore', 'bank', '--json');
    expect(JSON.parse(again.stdout).profile.rows).toBe(41188);
    expect(again.stdout).not.toBe('');
    const second = run('explore', 'bank');
    expect(second.stdout).toMatch(/stored profile; report: .*bank-1.html/);
    const board = JSON.parse(run('status', '--json').stdout);
    expect(board.stages[2]).toMatchObject({ id: 'exploratory-analysis', state: 'done' });
  });

  it('shows two versions side by side', () => {
    const { dir, run } = bankWorkspace();
    const shorter = path.join(dir, 'bank-2010.csv');
    const lines = readFileSync(BANK_CSV, 'utf8').split('\n');
    writeFileSync(shorter, [lines[0], ...lines.slice(30000)].join('\n'));
    expect(run('data', 'add', shorter, '--name', 'bank').code).toBe(0);
    const compared = run('explore', 'bank@1', '--compare', 'bank@2', '--out', 'compare.html');
    expect(compared.code).toBe(0);
    expect(compared.stdout).toMatch(/bank@1: 41,188 rows[\s\S]*bank@2: 11,189 rows/);
    const html = readFileSync(path.join(dir, 'compare.html'), 'utf8');
    expect(html).toMatch(/<h1>bank@1 vs bank@2<\/h1>/);
  });

  it('refuses an unknown target with exit code 2', () => {
    const { run } = bankWorkspace();
    const result = run('explore', 'bank', '--target', 'nope');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/target "nope" is not a column/);
  });
});
