/** `mlcycle train` reports every problem of a pipeline file in one pass, exits 2 and records no run. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeBankPipelineWorkspace } from './support/bank-pipeline.js';
import { runMlcycle } from './support/run-cli.js';
import { tempDir } from './support/temp-dir.js';

describe('mlcycle train on a pipeline with several problems', () => {
  it('lists a bad feature type and an unknown parameter together', { timeout: 180_000 }, () => {
    const dir = tempDir();
    writeBankPipelineWorkspace(dir);
    const file = path.join(dir, 'pipeline.yaml');
    const text = readFileSync(file, 'utf8');
    const bad = text.replace('{ name: job, type: categorical }', '{ name: job, type: text }').replace('numLeaves: 7', 'leaves: 7');
    expect(bad).not.toBe(text);
    writeFileSync(file, bad);
    const lineOf = (fragment: string) => bad.split('\n').findIndex((line) => line.includes(fragment)) + 1;

    const result = runMlcycle(['train'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pipeline.yaml has 2 problems');
    expect(result.stderr).toContain(`pipeline.yaml:${lineOf('type: text')}: features[1].type: expected one of numeric, categorical`);
    expect(result.stderr).toContain(`pipeline.yaml:${lineOf('leaves: 7')}: train.params.leaves: unknown field`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const runs = runMlcycle(['--json', 'runs', 'list'], { cwd: dir });
    expect(JSON.parse(runs.stdout)).toMatchObject({ runs: [] });
  });

  it('exits 2 naming the feature and the column, and records no run', { timeout: 180_000 }, () => {
    const dir = tempDir();
    writeBankPipelineWorkspace(dir);
    const file = path.join(dir, 'pipeline.yaml');
    const text = readFileSync(file, 'utf8');
    const bad = text.replace('{ name: job, type: categorical }', '{ name: jobb, type: categorical }');
    expect(bad).not.toBe(text);
    writeFileSync(file, bad);

    const result = runMlcycle(['train'], { cwd: dir });
    expect(result.stderr).toMatch(/features\[1\]/);
    expect(result.stderr).toMatch(/"jobb"/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(2);
    const runs = runMlcycle(['--json', 'runs', 'list'], { cwd: dir });
    expect(JSON.parse(runs.stdout)).toMatchObject({ runs: [] });
  });
});
