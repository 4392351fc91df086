import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWorkspace } from '../src/store/workspace.js';
import { startRun } from '../src/tracking/start-run.js';
import { runMlcycle } from './support/run-cli.js';
import { tempDir, testContext } from './support/temp-dir.js';

/** A workspace with four runs of a small learning-rate sweep, logged through the library. */
async function sweepWorkspace(): Promise<{ dir: string; ids: string[]; run: (...args: string[]) => ReturnType<typeof runMlcycle> }> {
  const dir = tempDir();
  const context = testContext('ana');
  const { workspace } = await createWorkspace(dir, 'sweep', context);
  const ids: string[] = [];
  const sweep: [number, number][] = [[0.1, 0.81], [0.01, 0.74], [0.3, 0.86], [0.03, 0.79]];
  for (const [lr, auc] of sweep) {
    const run = await startRun({ experiment: lr === 0.03 ? 'other' : 'churn', name: `gbdt-${lr}`, workspace, context, gitCommit: 'f'.repeat(40), command: 'node train.js' });
    await run.logParams({ lr, depth: 6 });
    for (let step = 0; step < 3; step++) run.logMetrics({ auc: auc - (2 - step) / 100, loss: 1 - auc }, step);
    await run.setTag('team', lr < 0.05 ? 'Growth' : 'risk');
    if (lr === 0.1) {
      writeFileSync(path.join(dir, 'model.json'), '{"trees":[]}');
      await run.logArtifact(path.join(dir, 'model.json'), 'model');
    }
    await run.end();
    ids.push(run.id);
  }
  await workspace.close();
  return { dir, ids, run: (...args) => runMlcycle(args, { cwd: dir }) };
}

describe('mlcycle runs', () => {
  it('lists, filters with OR and IN, orders by a metric and pages', async () => {
    const { ids, run } = await sweepWorkspace();
    const all = run('runs', 'list', '--json');
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout).runs).toHaveLength(4);

    const filtered = run('runs', 'list', '-f', "metrics.auc > 0.8 or tags.team ILIKE 'grow%'", '-o', 'metrics.auc DESC', '-e', 'churn');
    expect(filtered.code).toBe(0);
    const lines = filtered.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^run\s+experiment\s+name\s+status\s+started\s+duration\s+metrics.auc\s+tags.team$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[2])).toEqual(['gbdt-0.3', 'gbdt-0.1', 'gbdt-0.01']);
    expect(filtered.stdout).toMatch(/gbdt-0.3 .* 0.86\s+risk/);

    const json = JSON.parse(run('runs', 'list', '-f', "params.lr IN ('0.1', '0.3') and attributes.status = 'FINISHED'", '-o', 'params.lr', '--json').stdout);
    expect(json.runs.map((found: any) => found.params.lr)).toEqual(['0.1', '0.3']);
    expect(json.runs[0]).toMatchObject({ id: ids[0], metrics: { auc: { value: 0.81, step: 2 } }, gitCommit: 'f'.repeat(40), userId: 'ana' });

    const first = JSON.parse(run('runs', 'list', '-o', 'metrics.loss ASC', '-n', '3', '--json').stdout);
    expect(first.runs).toHaveLength(3);
    const second = JSON.parse(run('runs', 'list', '-o', 'metrics.loss ASC', '-n', '3', '--page-token', first.nextPageToken, '--json').stdout);
    expect(second).toMatchObject({ nextPageToken: null });
    expect([...first.runs, ...second.runs].map((found: any) => found.name)).toEqual(['gbdt-0.3', 'gbdt-0.1', 'gbdt-0.03', 'gbdt-0.01']);
    expect(run('runs', 'list', '-o', 'metrics.loss ASC', '-n', '3').stdout).toMatch(/more runs match: add --page-token \S+/);
  });

  it('shows a run by id prefix and compares runs', async () => {
    const { ids, run } = await sweepWorkspace();
    const show = run('runs', 'show', (ids[0] as string).slice(0, 8));
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^run ${ids[0]} "gbdt-0.1" in experiment churn`));
    expect(show.stdout).toMatch(/FINISHED: started .* by ana, ended/);
    expect(show.stdout).toMatch(/params\n {2}depth {2}6\n {2}lr {5}0.1/);
    expect(show.stdout).toMatch(/auc {3}0.81 {2}step 2/);
    expect(show.stdout).toMatch(/artifacts\n {2}model\//);
    const shown = JSON.parse(run('runs', 'show', ids[0] as string, '--json').stdout);
    expect(shown).toMatchObject({ experimentName: 'churn', artifacts: [{ path: 'model', isDir: true }], command: 'node train.js' });

    const compare = run('runs', 'compare', ids[0] as string, ids[1] as string);
    expect(compare.code).toBe(0);
    expect(compare.stdout).toMatch(/^ {3}params.depth\s+6\s+6$/m);
    expect(compare.stdout).toMatch(/^\* {2}params.lr\s+0.1\s+0.01$/m);
    const compared = JSON.parse(run('runs', 'compare', ids[0] as string, ids[1] as string, '--json').stdout);
    expect(compared.differing).toEqual(['params.lr', 'metrics.auc', 'metrics.loss']);
  });

  it('refuses bad input with exit code 2 and a message naming the place', async () => {
    const { run } = await sweepWorkspace();
    const cases: [string[], RegExp][] = [
      [['runs', 'list', '-f', 'metrics.auc >> 1'], /^error: filter: column 14 at ">": metrics.auc holds numbers: expected a number such as 0.8\n$/],
      [['runs', 'list', '-f', "params.lr = 0.1"], /filter: column 13 at "0.1": params.lr holds strings/],
      [['runs', 'list', '-o', 'metrics.auc DOWN'], /orderBy: column 13 at "DOWN": expected ASC, DESC/],
      [['runs', 'list', '-n', 'ten'], /--max: expected a positive whole number, got "ten"/],
      [['runs', 'list', '-e', 'nothing'], /no experiment named "nothing"/],
      [['runs', 'list', '--page-token', 'garbage'], /pageToken: not a page token mlcycle issued/],
      [['runs', 'list', '--columns', 'metrics.'], /columns|orderBy: column 1 at "metrics.": the field has no key after the dot/],
      [['runs', 'show', 'xyz'], /run "xyz": give a run id or at least 6 of its hex digits/],
      [['runs', 'show', 'abcdef'], /no run id starts with abcdef/],
      [['runs', 'compare', 'abcdef'], /compare needs at least two runs/],
    ];
    for (const [args, message] of cases) {
      const result = run(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
    const json = run('runs', 'list', '-f', "tags.x = 'open", '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'invalid_input', message: expect.stringMatching(/unterminated string/), issues: [{ path: 'filter', column: 10, message: expect.any(String) }] },
    });
  });
});
