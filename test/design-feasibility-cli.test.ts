/**
 * `mlcycle design feasibility` on a real workspace (every 8th bank row, split 70/30): learning curves and
 * cost measured from two candidates' pipeline files, the online test sized from the spec's primary metric,
 * all stored as the design's next version; bad candidates store nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DesignDocument } from '../src/design/design-document.js';
import { estimateTestSize } from '../src/design/test-size.js';
import { writeBankPipelineWorkspace } from './support/bank-pipeline.js';
import { runMlcycle } from './support/run-cli.js';
import { tempDir } from './support/temp-dir.js';

const FEATURES = `data: { training: bank-train, validation: bank-test }
features:
  - { name: age, type: numeric }
  - { name: job, type: categorical }
  - { name: campaign, type: numeric }
  - { name: euribor3m, type: numeric }
`;

const PIPELINES: Record<string, string> = {
  'rate.yaml': `name: job-rate\n${FEATURES}train:\n  learner: grouped-rate\n  params: { groups: [job], smoothing: 20 }\n`,
  'trees.yaml': `name: trees\n${FEATURES}train:\n  learner: gbdt\n  params: { rounds: 10, numLeaves: 7, minDataInLeaf: 10 }\n`,
};

const candidate = (name: string, pipeline: string, extra: Record<string, unknown> = {}) => ({ name, approach: name, metric: 'roc_auc', target: 0.7, pipeline, developerDays: 1, dataScientistDays: 2, ...extra });

function workspace(): { dir: string; run: (...args: string[]) => ReturnType<typeof runMlcycle> } {
  const dir = tempDir();
  const run = (...args: string[]) => runMlcycle(args, { cwd: dir });
  writeBankPipelineWorkspace(dir);
  expect(run('data', 'split', 'bank', '--by', 'stratified', '--parts', 'train=0.7,test=0.3', '--seed', '7').code).toBe(0);
  for (const [file, text] of Object.entries(PIPELINES)) writeFileSync(path.join(dir, file), text);
  return { dir, run };
}

describe('mlcycle design feasibility', () => {
  it('measures each candidate, sizes the online test and stores the evidence as the next version', () => {
    const { dir, run } = workspace();
    writeFileSync(path.join(dir, 'design.json'), JSON.stringify({ name: 'it-1', candidates: [candidate('rate', 'rate.yaml'), candidate('trees', 'trees.yaml', { target: undefined })] }));
    expect(run('design', 'new', '--file', 'design.json').code).toBe(0);
    const assessed = run('design', 'feasibility', 'it-1', '--rows', '2000', '--validation-rows', '1000', '--daily-units', '500');
    expect(assessed.stderr).toBe('');
    expect(assessed.code).toBe(0);
    expect(assessed.stdout).toMatch(/^rate: roc_auc 0\.\d{4} on 2,000 rows/m);
    expect(assessed.stdout).toContain('stored design it-1 version 2');
    const record = JSON.parse(run('design', 'show', 'it-1', '--json').stdout) as { version: number; document: DesignDocument };
    expect(record.version).toBe(2);
    const [rate, trees] = record.document.candidates;
    for (const entry of [rate, trees]) {
      const curve = entry?.feasibility?.learningCurve;
      if (curve === undefined) throw new Error(`no learning curve for ${entry?.name}`);
      // Six sizes of the 2,000-row sample, three seeds each, scored on every k-th of the ~1,545 test rows.
      expect(curve.points).toHaveLength(18);
      expect([...new Set(curve.points.map((point) => point.rows))]).toEqual([100, 200, 400, 800, 1400, 2000]);
      expect(curve.measuredRows).toBe(2000);
      expect(curve.trainingRows).toBeGreaterThan(3500);
      expect(curve.validationRows).toBeLessThanOrEqual(1000);
      for (const point of curve.points) expect(point.value).toBeGreaterThan(0.4);
      expect(curve.fit.flags.includes('too-few-points')).toBe(false);
      const cost = entry?.feasibility?.computeCost;
      expect(cost?.measurements).toHaveLength(18);
      expect(cost?.projections.map((projection) => projection.rows)).toEqual([curve.trainingRows, 10 * curve.trainingRows]);
    }
    // The rate candidate's own target; the trees take the spec's (none for roc_auc in this spec).
    expect(rate?.feasibility?.learningCurve?.target).toBe(0.7);
    expect(rate?.feasibility?.learningCurve?.verdicts.map((verdict) => verdict.multiple)).toEqual([2, 5, 10]);
    expect(trees?.feasibility?.learningCurve?.target).toBeUndefined();
    // The primary metric is column y: its rate in the training part is the baseline.
    const size = rate?.feasibility?.testSize as { baseline: { kind: string; rate: number }; baselineSource: string; fixedHorizon: { controlUnits: number; days: number } };
    expect(size.baselineSource).toBe('bank-train@1');
    expect(size.baseline.rate).toBeGreaterThan(0.08);
    expect(size.baseline.rate).toBeLessThan(0.15);
    const expected = estimateTestSize({ baseline: { kind: 'rate', rate: size.baseline.rate }, minimumDetectableEffect: 0.05, alpha: 0.05, power: 0.8, ratio: 1, alternative: 'two-sided', dailyUnits: 500 });
    expect(size.fixedHorizon).toEqual(expected.fixedHorizon);
    expect(trees?.feasibility?.testSize).toEqual(rate?.feasibility?.testSize);
    // Markdown and an offline HTML page with a learning-curve chart per candidate.
    const shown = run('design', 'show', 'it-1', '--out', 'design.html');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('| rows | mean roc_auc | seeds |');
    expect(shown.stdout).toMatch(/\| 2,000 \| 0\.\d+ \| 3 \|/);
    expect(shown.stdout).toContain('| 20,000 | 10x |');
    const html = readFileSync(path.join(dir, 'design.html'), 'utf8');
    expect(html.match(/<svg/g)).toHaveLength(2);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(run('design', 'show', 'it-1', '--out', 'nofolder/design.html').code).toBe(2);
    // Deciding keeps the evidence, and the board's design stage is done.
    expect(run('design', 'decide', 'it-1', 'trees', '--reason', 'higher AUC').code).toBe(0);
    const board = JSON.parse(run('status', '--json').stdout) as { stages: { id: string; state: string }[] };
    expect(board.stages.find((stage) => stage.id === 'design')?.state).toBe('done');
    const given = run('design', 'feasibility', 'it-1', '--candidate', 'rate', '--rows', '1000', '--validation-rows', '500', '--seeds', '2', '--daily-units', '500', '--baseline-rate', '0.2', '--json');
    expect(given.code).toBe(0);
    const third = JSON.parse(given.stdout) as { version: number; document: DesignDocument };
    expect(third.version).toBe(4);
    expect(third.document.decision?.candidate).toBe('trees');
    expect(third.document.candidates[0]?.feasibility?.learningCurve?.points).toHaveLength(12);
    expect(third.document.candidates[1]?.feasibility).toEqual(trees?.feasibility);
    expect((third.document.candidates[0]?.feasibility?.testSize as { baselineSource: string }).baselineSource).toBe('given');
  }, 180_000);

  it("measures a pipeline that splits its dataset on the split's parts, made as its split step makes them", () => {
    const { dir, run } = workspace();
    // pipeline.yaml (test/support/bank-pipeline.ts) splits bank stratified, 30% validation, seed 3.
    writeFileSync(path.join(dir, 'design.json'), JSON.stringify({ name: 's', candidates: [candidate('split', 'pipeline.yaml')] }));
    expect(run('design', 'new', '--file', 'design.json').code).toBe(0);
    const assessed = run('design', 'feasibility', 's', '--rows', '1000', '--validation-rows', '500', '--seeds', '1', '--daily-units', '500', '--baseline-rate', '0.1');
    expect(assessed.stderr).toBe('');
    expect(assessed.code).toBe(0);
    const curve = (JSON.parse(run('design', 'show', 's', '--json').stdout) as { document: DesignDocument }).document.candidates[0]?.feasibility?.learningCurve;
    if (curve === undefined) throw new Error('no learning curve for the split candidate');
    const listed = () => JSON.parse(run('data', 'list', '--json').stdout) as { name: string; versions: number; latest: { ref: string; rowCount: number } }[];
    const before = listed();
    const latest = (name: string) => before.find((entry) => entry.name === name)?.latest;
    // The parts are bank-train and bank-validation; bank-train@1 is the 70/30 split of the set-up, so the
    // pipeline's own split is its version 2. About 70% of bank's rows train.
    expect(curve.datasets).toEqual({ training: 'bank-train@2', validation: 'bank-validation@1' });
    expect(latest('bank-train')?.ref).toBe('bank-train@2');
    expect(curve.trainingRows).toBe(latest('bank-train')?.rowCount);
    expect(Math.abs(curve.trainingRows - 0.7 * (latest('bank')?.rowCount ?? 0))).toBeLessThanOrEqual(2);
    // Training the pipeline afterwards finds its split's parts in place: the same versions, none added.
    expect(run('train', 'pipeline.yaml').code).toBe(0);
    expect(listed()).toEqual(before);
  }, 180_000);

  it('refuses an unknown candidate, an unmeasurable metric and bad options, storing nothing', () => {
    const { dir, run } = workspace();
    writeFileSync(path.join(dir, 'design.json'), JSON.stringify({ name: 'd', candidates: [candidate('rate', 'rate.yaml'), candidate('split', 'pipeline.yaml'), candidate('brier', 'trees.yaml', { metric: 'brier' })] }));
    expect(run('design', 'new', '--file', 'design.json').code).toBe(0);
    const cases: [string[], string][] = [
      [['--candidate', 'nope'], 'design d has no candidate nope (it has rate, split, brier)'],
      [['--candidate', 'brier'], 'candidates[2].metric: a learning curve can be measured in roc_auc, r2, log_loss, rmse, mae, not brier'],
      // Every candidate is checked before any is measured or split: the split candidate's parts are not made.
      [[], 'candidates[2].metric'],
      [['--candidate', 'rate', '--baseline-rate', '1.5'], '--baseline-rate: expected a number between 0 and 1, got "1.5"'],
      [['--candidate', 'rate', '--baseline-mean', '3'], '--baseline-mean and --baseline-sd go together'],
      [['--candidate', 'rate', '--rows', '0'], '--rows: expected a positive whole number, got "0"'],
    ];
    for (const [args, message] of cases) {
      const result = run('design', 'feasibility', 'd', '--daily-units', '100', ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect(run('design', 'feasibility', 'd', '--candidate', 'rate').stderr).toContain('--daily-units');
    expect(run('design', 'feasibility', 'nope', '--daily-units', '100').code).toBe(2);
    expect((JSON.parse(run('design', 'list', '--json').stdout) as { version: number }[]).map((record) => record.version)).toEqual([1]);
    expect(run('data', 'list').stdout).not.toContain('bank-validation');
  }, 180_000);
});
