/** `mlcycle survey` on a real workspace: import, compare with linked runs, and bad input that stores nothing. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWorkspace, openWorkspace } from '../src/store/workspace.js';
import { runMlcycle } from './support/run-cli.js';
import { tempDir, testContext } from './support/temp-dir.js';

const BIBTEX = `@article{first2019,
  title = {Flight delay prediction with gradient boosting},
  author = {Doe, Jane and Roe, Richard},
  year = {2019},
  journal = {Journal of Air Transport}
}

@inproceedings{second2020,
  title = {Logistic models of departure delay},
  author = {Smith, Ann},
  year = 2020,
  booktitle = {Proceedings}
}
`;

async function workspaceWithRun(): Promise<{ root: string; runId: string }> {
  const root = tempDir();
  const context = testContext();
  const { workspace } = await createWorkspace(root, 'survey', context);
  const experiment = await workspace.runs.ensureExperiment('e', context);
  const run = await workspace.runs.createRun({ experimentId: experiment.id, name: 'gbdt', startTime: 1 }, context);
  const series = (key: string, value: number) => ({ key, steps: Float64Array.of(0), timestamps: Float64Array.of(1), values: Float64Array.of(value) });
  await workspace.runs.logBatch(run.id, { metrics: [series('accuracy', 0.81), series('roc_auc', 0.74)] }, context);
  await workspace.close();
  return { root, runId: run.id };
}

/** The board's state of stage 4. */
function surveyStage(root: string): string | undefined {
  const board = JSON.parse(runMlcycle(['status', '--json'], { cwd: root }).stdout) as { stages: Array<{ id: string; state: string }> };
  return board.stages.find((stage) => stage.id === 'literature-survey')?.state;
}

const survey = (root: string, ...args: string[]) => runMlcycle(['survey', ...args], { cwd: root });

describe('mlcycle survey', () => {
  it('imports BibTeX entries, links a run and puts its numbers beside the reported ones', async () => {
    const { root, runId } = await workspaceWithRun();
    writeFileSync(path.join(root, 'refs.bib'), BIBTEX);
    expect(surveyStage(root)).toBe('not-started');
    const added = survey(root, 'add', '--from', 'refs.bib', '--task', 'binary departure delay > 15 min', '--dataset', 'US BTS on-time', '--metric', 'accuracy=0.85');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('added first2019');
    expect(added.stdout).toContain('added second2020');
    expect(surveyStage(root)).toBe('done');
    expect(survey(root, 'link', 'first2019', runId).code).toBe(0);
    const shown = survey(root, 'show', 'first2019', '--json');
    const { reference, comparison } = JSON.parse(shown.stdout) as { reference: { authors: string[]; year: number; venue: string }; comparison: unknown[] };
    expect(reference.authors).toEqual(['Jane Doe', 'Richard Roe']);
    expect(reference.year).toBe(2019);
    expect(reference.venue).toBe('Journal of Air Transport');
    expect(comparison).toEqual([{ reference: 'first2019', approach: '', metric: 'accuracy', reported: 0.85, ours: 0.81, bestRun: runId }]);
    const listed = JSON.parse(survey(root, 'list', '--json').stdout) as { comparison: Array<{ reference: string; ours?: number }> };
    expect(listed.comparison.map((row) => [row.reference, row.ours])).toEqual([['first2019', 0.81], ['second2020', undefined]]);
    const workspace = await openWorkspace(root, testContext());
    const actions = (await workspace.audit.list({ actionPrefix: 'survey.' })).map((entry) => entry.action);
    await workspace.close();
    expect(actions.sort()).toEqual(['survey.reference_added', 'survey.reference_added', 'survey.run_linked']);
    expect(survey(root, 'remove', 'second2020').code).toBe(0);
    expect(survey(root, 'show', 'second2020').code).toBe(2);
  });

  it('adds a reference by fields, and imports RIS and CSL-JSON with metrics of their own', async () => {
    const { root } = await workspaceWithRun();
    expect(survey(root, 'add', '--key', 'k1', '--title', 'A title', '--author', 'A Person', '--year', '2021', '--metric', 'rmse=12.5').code).toBe(0);
    writeFileSync(path.join(root, 'one.ris'), 'TY  - JOUR\nTI  - A RIS paper\nAU  - Doe, J\nPY  - 2018\nER  - \n');
    expect(survey(root, 'add', '--from', 'one.ris', '--key', 'ris1').code).toBe(0);
    writeFileSync(path.join(root, 'one.json'), JSON.stringify([{ id: 'csl1', type: 'article-journal', title: 'A CSL paper', mlcycle: { approach: 'random forest', reported: { accuracy: 0.9 } } }]));
    expect(survey(root, 'add', '--from', 'one.json').code).toBe(0);
    const listed = JSON.parse(survey(root, 'list', '--json').stdout) as { references: Array<{ key: string; title: string; approach: string; reported: unknown }> };
    expect(listed.references.map((reference) => [reference.key, reference.title, reference.approach, reference.reported])).toEqual([
      ['csl1', 'A CSL paper', 'random forest', [{ name: 'accuracy', value: 0.9 }]],
      ['k1', 'A title', '', [{ name: 'rmse', value: 12.5 }]],
      ['ris1', 'A RIS paper', '', []],
    ]);
  });

  it('reports a BibTeX syntax error with its line and stores nothing', async () => {
    const { root } = await workspaceWithRun();
    writeFileSync(path.join(root, 'bad.bib'), `${BIBTEX}\n@article{broken,\n  title = {Unclosed,\n  year = 2019\n}\n`);
    const result = survey(root, 'add', '--from', 'bad.bib');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.bib line \d+: bibtex syntax error/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(JSON.parse(survey(root, 'list', '--json').stdout)).toEqual({ references: [], comparison: [] });
  });

  it('refuses a link to an unknown run or reference, a duplicate key and a bad metric, storing nothing', async () => {
    const { root } = await workspaceWithRun();
    expect(survey(root, 'add', '--key', 'k1', '--title', 'T').code).toBe(0);
    expect(surveyStage(root)).toBe('in-progress');
    const unknownRun = survey(root, 'link', 'k1', 'no-such-run');
    expect(unknownRun.code).toBe(2);
    expect(unknownRun.stderr).toContain('no run no-such-run');
    expect(survey(root, 'link', 'nope', 'no-such-run').code).toBe(2);
    expect(survey(root, 'add', '--key', 'k1', '--title', 'Again').code).toBe(2);
    const badMetric = survey(root, 'add', '--key', 'k2', '--title', 'T', '--metric', 'accuracy=high');
    expect(badMetric.code).toBe(2);
    expect(badMetric.stderr).toContain('--metric accuracy=high');
    const listed = JSON.parse(survey(root, 'list', '--json').stdout) as { references: Array<{ key: string; title: string; links: unknown[] }> };
    expect(listed.references.map((reference) => [reference.key, reference.title, reference.links])).toEqual([['k1', 'T', []]]);
  });
});
