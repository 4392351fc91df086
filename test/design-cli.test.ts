/** `mlcycle design` on a real workspace: store, version, decide, the board; bad input stores nothing. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWorkspace, openWorkspace } from '../src/store/workspace.js';
import { estimateTestSize } from '../src/design/test-size.js';
import { runMlcycle } from './support/run-cli.js';
import { tempDir, testContext } from './support/temp-dir.js';

const candidate = (name: string, pipeline: string, extra: Record<string, unknown> = {}) => ({ name, approach: name, metric: 'roc_auc', target: 0.7, pipeline, developerDays: 2, dataScientistDays: 3, risks: ['late data'], ...extra });

async function workspace(): Promise<string> {
  const root = tempDir();
  const { workspace: opened } = await createWorkspace(root, 'design', testContext());
  await opened.close();
  writeFileSync(path.join(root, 'pipeline.yaml'), 'steps: []\n');
  return root;
}

const design = (root: string, ...args: string[]) => runMlcycle(['design', ...args], { cwd: root });
const designStage = (root: string) => (JSON.parse(runMlcycle(['status', '--json'], { cwd: root }).stdout) as { stages: Array<{ id: string; state: string }> }).stages.find((stage) => stage.id === 'design')?.state;

describe('mlcycle design', () => {
  it('stores versions, decides, and the board is done once the chosen candidate has evidence', async () => {
    const root = await workspace();
    expect(designStage(root)).toBe('not-started');
    const testSize = estimateTestSize({ baseline: { kind: 'rate', rate: 0.2 }, minimumDetectableEffect: 0.05, alpha: 0.05, power: 0.8, ratio: 1, alternative: 'two-sided', dailyUnits: 20_000 });
    writeFileSync(path.join(root, 'design.json'), JSON.stringify({ name: 'iteration-1', candidates: [candidate('baseline', 'pipeline.yaml'), candidate('gbdt', 'pipeline.yaml', { feasibility: { testSize } })] }));
    expect(design(root, 'new', '--file', 'design.json').code).toBe(0);
    expect(designStage(root)).toBe('in-progress');
    const decided = design(root, 'decide', 'iteration-1', 'gbdt', '--reason', 'best extrapolated AUC');
    expect(decided.stdout).toContain('version 2');
    expect(designStage(root)).toBe('done');
    const shown = design(root, 'show', 'iteration-1');
    expect(shown.stdout).toContain('## gbdt (chosen)');
    expect(shown.stdout).toContain('decided: gbdt by ana');
    expect(design(root, 'show', 'iteration-1@1').stdout).toContain('not decided');
    const opened = await openWorkspace(root, testContext());
    const actions = (await opened.audit.list({ actionPrefix: 'design.' })).map((entry) => entry.action);
    await opened.close();
    expect(actions.sort()).toEqual(['design.created', 'design.decided']);
  });

  it('refuses a missing pipeline, an unknown run, a bad field and an unknown candidate, storing nothing', async () => {
    const root = await workspace();
    writeFileSync(path.join(root, 'missing.json'), JSON.stringify({ name: 'd', candidates: [candidate('a', 'nope.yaml')] }));
    const missing = design(root, 'new', '--file', 'missing.json');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('candidates[0].pipeline: no pipeline file nope.yaml');
    writeFileSync(path.join(root, 'run.json'), JSON.stringify({ name: 'd', candidates: [candidate('a', 'pipeline.yaml', { runs: ['no-such-run'] })] }));
    const run = design(root, 'new', '--file', 'run.json');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('candidates[0].runs[0]: no run no-such-run');
    writeFileSync(path.join(root, 'field.json'), JSON.stringify({ name: 'd', candidates: [{ ...candidate('a', 'pipeline.yaml'), developerDays: 'two' }] }));
    const field = design(root, 'new', '--file', 'field.json');
    expect(field.code).toBe(2);
    expect(field.stderr).toContain('candidates[0].developerDays');
    // YAML: every problem with its line, as the spec reports them.
    writeFileSync(
      path.join(root, 'design.yaml'),
      ['name: d', 'candidates:', '  - name: a', '    approach: a', '    metric: roc_auc', '    pipeline: nope.yaml', '    developerDays: two', '    dataScientistDays: 1', '  - name: a', '    approach: b', '    metric: roc_auc', '    pipeline: pipeline.yaml', '    developerDays: 1', '    dataScientistDays: 1', ''].join('\n'),
    );
    const yaml = design(root, 'new', '--file', 'design.yaml');
    expect(yaml.code).toBe(2);
    expect(yaml.stderr).toContain('design.yaml has 2 problems; nothing stored');
    expect(yaml.stderr).toContain('design.yaml:7: candidates[0].developerDays: a number of days, 0 or more');
    expect(yaml.stderr).toContain('design.yaml:9: candidates[1].name: a second candidate named a');
    writeFileSync(path.join(root, 'broken.yaml'), 'name: d\ncandidates: [\n');
    const broken = design(root, 'new', '--file', 'broken.yaml');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.yaml:3: YAML: /);
    expect(design(root, 'new', '--file', 'absent.yaml').stderr).toContain('absent.yaml: file not found');
    expect(JSON.parse(design(root, 'list', '--json').stdout)).toEqual([]);
    writeFileSync(path.join(root, 'ok.yaml'), ['name: d', 'candidates:', '  - { name: a, approach: a, metric: roc_auc, pipeline: pipeline.yaml, developerDays: 1, dataScientistDays: 1, risks: [late data] }', ''].join('\n'));
    expect(design(root, 'new', '--file', 'ok.yaml').code).toBe(0);
    expect((JSON.parse(design(root, 'show', 'd', '--json').stdout) as { document: { candidates: { risks: string[] }[] } }).document.candidates[0]?.risks).toEqual(['late data']);
    writeFileSync(path.join(root, 'ok.json'), JSON.stringify({ name: 'd', candidates: [candidate('a', 'pipeline.yaml')] }));
    expect(design(root, 'new', '--file', 'ok.json').code).toBe(0);
    expect(design(root, 'decide', 'd', 'zzz', '--reason', 'r').code).toBe(2);
    expect((JSON.parse(design(root, 'list', '--json').stdout) as Array<{ version: number }>).map((record) => record.version)).toEqual([2]);
  }, 120_000);
});
