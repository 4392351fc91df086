import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDataset } from '../src/data/add-dataset.js';
import { datasetArtifactKey } from '../src/data/dataset-ref.js';
import { rocAucScore } from '../src/metrics/roc-auc.js';
import { trainGbdt } from '../src/models/gbdt/train-gbdt.js';
import { trainLinearModel } from '../src/models/linear/linear-model.js';
import { serializeModel, type SavedModel, type TreeModel } from '../src/models/model-format.js';
import { predictModel } from '../src/models/predict-model.js';
import { openWorkspace } from '../src/store/workspace.js';
import { registerModel, setModelAlias } from '../src/tracking/registry/register-model.js';
import { startRun } from '../src/tracking/start-run.js';
import { readFeatureTable, type FeatureDefinition } from '../src/train/feature-table.js';
import { BANK_CSV, BANK_SPEC, openDataFixture } from './support/data-workspace.js';
import { runMlcycle } from './support/run-cli.js';
import { tempDir, testContext } from './support/temp-dir.js';

const SPEC = BANK_SPEC.replace('successMetrics:', 'valueModel: { currency: EUR, unit: per call, truePositive: 40, falsePositive: -5, falseNegative: 0, trueNegative: 0, maxFalsePositiveRate: 0.2 }\nsegments:\n  - { name: marital, column: marital }\nmlMetrics:\n  - { metric: roc_auc, target: 0.6 }\n  - { metric: lift_at_k, k: 10, target: 1.5 }\nsuccessMetrics:');
const FEATURES: FeatureDefinition[] = [
  { name: 'age', type: 'numeric' },
  { name: 'campaign', type: 'numeric' },
  { name: 'pdays', type: 'numeric' },
  { name: 'euribor3m', type: 'numeric' },
  { name: 'job', type: 'categorical' },
  { name: 'marital', type: 'categorical' },
];

let root = '';
let evalParquet = '';
const models: Record<string, SavedModel> = {};
const run = (...args: string[]) => runMlcycle(args, { cwd: root, timeoutMs: 120_000 });

/** Bank marketing split by rows (the file is in time order): 30,000 to train on, the rest to evaluate; plus the evaluation rows without y. */
beforeAll(async () => {
  const fixture = await openDataFixture(SPEC);
  const lines = readFileSync(BANK_CSV, 'utf8').trimEnd().split('\n');
  const folder = tempDir();
  const write = (name: string, rows: string[]) => {
    const file = path.join(folder, `${name}.csv`);
    writeFileSync(file, `${rows.join('\n')}\n`);
    return file;
  };
  const header = lines[0] as string;
  const train = await addDataset(fixture.workspace, fixture.engine, fixture.spec, { file: write('train', [header, ...lines.slice(1, 30_001)]), name: 'bank-train', delimiter: ';' }, fixture.context);
  const evaluation = await addDataset(fixture.workspace, fixture.engine, fixture.spec, { file: write('eval', [header, ...lines.slice(30_001)]), name: 'bank-eval', delimiter: ';' }, fixture.context);
  const noLabel = [header, ...lines.slice(30_001, 32_000)].map((line) => line.split(';').slice(0, -1).join(';'));
  await addDataset(fixture.workspace, fixture.engine, fixture.spec, { file: write('nolabel', noLabel), name: 'bank-unlabelled', delimiter: ';' }, fixture.context);
  const parquet = (hash: string) => fixture.workspace.artifacts.localPath(datasetArtifactKey(hash));
  evalParquet = datasetArtifactKey(evaluation.version.hash);
  const table = await readFeatureTable(fixture.engine, parquet(train.version.hash), FEATURES, 'y');
  models.logistic = trainLinearModel(table.raw, table.label, { learner: 'logistic-regression', features: FEATURES, penalty: 'l2', C: 1 });
  const trained = trainGbdt({ columns: table.columns, label: table.label, categorical: table.signature.map((feature) => feature.type === 'categorical') }, { objective: 'binary', rounds: 30, numLeaves: 15 });
  models.gbdt = { kind: 'tree-ensemble', learner: 'gbdt', params: { ...trained.params }, features: table.signature, ensemble: trained.ensemble } satisfies TreeModel;
  for (const name of ['logistic', 'gbdt']) {
    writeFileSync(path.join(folder, `${name}.json`), serializeModel(models[name] as SavedModel));
    const tracked = await startRun({ experiment: 'bank', name, workspace: fixture.workspace, context: fixture.context, gitCommit: false, command: false });
    await tracked.logInput(train.version, 'training');
    await tracked.logArtifact(path.join(folder, `${name}.json`), 'model');
    await tracked.end();
    await registerModel(fixture.workspace, { name: 'bank-alert', run: tracked.id, path: `model/${name}.json` }, fixture.context);
  }
  await setModelAlias(fixture.workspace, 'bank-alert', 'champion', 1, fixture.context);
  await setModelAlias(fixture.workspace, 'bank-alert', 'challenger', 2, fixture.context);
  await fixture.close();
  // tempDir() folders go after each test; the workspace must outlive them all.
  root = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-evaluate-cli-'));
  cpSync(fixture.root, root, { recursive: true });
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function storedEvaluations(): Promise<number> {
  const workspace = await openWorkspace(root, testContext());
  try {
    return (await workspace.evaluations.list()).length;
  } finally {
    await workspace.close();
  }
}

describe('mlcycle evaluate', () => {
  it('evaluates the challenger against the champion and the baseline, by segment, and stores it', async () => {
    expect(JSON.parse(run('status', '--json').stdout).stages.find((stage: any) => stage.id === 'offline-evaluation').state).toBe('not-started');
    // A given --out's folder must exist (src/cli/output-path.ts): it is not created on the user's behalf.
    mkdirSync(path.join(root, 'out'));
    const result = run('evaluate', 'bank-alert@challenger', 'bank-eval', '--compare', 'bank-alert@champion', '--by', 'education', '--resamples', '100', '--out', 'out/report.html', '--replay', 'bank-train', '--json');
    const output = JSON.parse(result.stdout);
    expect(result.code, result.stderr).toBe(output.evaluation.verdict.ready ? 0 : 1);
    expect(output).toMatchObject({ candidate: 'models:/bank-alert/2', champion: 'models:/bank-alert/1', dataset: 'bank-eval@1', record: { id: 1, candidate: { model: 'bank-alert', version: 2 }, champion: { version: 1 } } });
    expect(output.baseline).toMatch(/^baseline: prior rate 0\.\d+ of bank-train@1$/);
    expect(output.evaluation.models.map((model: any) => model.role)).toEqual(['candidate', 'champion', 'baseline']);
    expect(output.evaluation.settings.liftPercent).toBe(10);

    // The AUCs are those of the saved models' own predictions on the evaluation rows.
    const { openDuckDb } = await import('../src/store/duckdb/engine.js');
    const engine = await openDuckDb();
    const rows = await readFeatureTable(engine, path.join(root, '.mlcycle', 'artifacts', evalParquet), FEATURES, 'y');
    await engine.close();
    expect(output.evaluation.rows).toBe(rows.rows);
    expect(output.evaluation.models[0].metrics.roc_auc.estimate).toBe(rocAucScore(rows.label, predictModel(models.gbdt as SavedModel, rows.raw)));
    expect(output.evaluation.models[1].metrics.roc_auc.estimate).toBe(rocAucScore(rows.label, predictModel(models.logistic as SavedModel, rows.raw)));
    expect(output.evaluation.models[2].metrics.roc_auc.estimate).toBe(0.5);
    expect(output.evaluation.comparison.delong.pValue).toBeGreaterThan(0);
    expect(output.evaluation.slices.map((column: any) => column.column)).toEqual(['marital', 'education']);
    const married = output.evaluation.slices[0].segments.find((segment: any) => segment.value === 'married');
    expect(married.rows).toBeGreaterThan(1000);
    expect(married.versusChampion.adjustedPValue).toBeGreaterThanOrEqual(married.versusChampion.pValue);

    // Business value: the best threshold under the guardrail is worth at least acting on no one, which it may choose.
    expect(output.evaluation.businessValue.map((value: any) => value.role)).toEqual(['candidate', 'champion', 'baseline']);
    for (const value of output.evaluation.businessValue) {
      expect(value.currency).toBe('EUR');
      expect(value.best.point.falsePositiveRate).toBeLessThanOrEqual(0.2);
      expect(value.best.estimate.valuePerDecision).toBeGreaterThanOrEqual(value.noAction.valuePerDecision);
    }
    expect(output.evaluation.businessValue[0].best.estimate.valuePerDecision).toBeGreaterThan(0);
    // --replay: the champion and the challenger decide on another dataset version at the thresholds chosen
    // here; the value per decision is the value model's (40 per caught subscriber, -5 per wasted call).
    expect(output.replay.dataset).toBe('bank-train@1');
    expect(output.replay.models).toEqual(['models:/bank-alert/1', 'models:/bank-alert/2']);
    const bestThreshold = (model: string) => output.evaluation.businessValue.find((value: any) => value.model === model).best.point.threshold;
    for (const [index, decision] of output.replay.replay.decisions.entries()) {
      expect(decision.rule).toEqual({ kind: 'threshold', threshold: bestThreshold(output.replay.models[index]) });
      expect(decision.truePositives + decision.falsePositives + decision.falseNegatives + decision.trueNegatives).toBe(output.replay.rows);
      expect(decision.actions).toBe(decision.truePositives + decision.falsePositives);
      expect(decision.value.valuePerDecision).toBeCloseTo((40 * decision.truePositives - 5 * decision.falsePositives) / output.replay.rows, 12);
    }
    const [championReplay, challengerReplay] = output.replay.replay.decisions;
    expect(championReplay.valueDifference).toBeNull();
    expect(challengerReplay.valueDifference.valuePerDecision).toBeCloseTo(challengerReplay.value.valuePerDecision - championReplay.value.valuePerDecision, 12);

    const html = readFileSync(path.join(root, 'out/report.html'), 'utf8');
    expect(html).toContain('<h2>Business value</h2>');
    expect(html).toContain('models:/bank-alert/2 on bank-eval@1');
    expect((html.match(/<svg/g) ?? []).length).toBe(9);
    const stage = JSON.parse(run('status', '--json').stdout).stages.find((item: any) => item.id === 'offline-evaluation');
    expect(stage.state).toBe(output.evaluation.verdict.ready ? 'done' : 'in-progress');
    expect(stage.evidence.join('\n')).toContain('models:/bank-alert/2 on bank-eval@1 against models:/bank-alert/1');
  }, 120_000);

  it('prints the verdict as text and can leave the evaluation unstored', async () => {
    const before = await storedEvaluations();
    const result = run('evaluate', 'bank-alert@1', 'bank-eval', '--resamples', '50', '--no-store', '--threshold', '0.2');
    expect([0, 1]).toContain(result.code);
    expect(result.stdout).toMatch(/^models:\/bank-alert\/1 on bank-eval@1: [\d,]+ rows; percentile intervals from 50 Poisson-bootstrap resamples of rows, seed 1$/m);
    expect(result.stdout).toMatch(/^roc_auc\s+0\.\d+ \[0\.\d+, 0\.\d+\]\s+0\.5 /m);
    expect(result.stdout).toMatch(/^by marital \(roc_auc/m);
    expect(result.stdout).toMatch(/^ {2}candidate models:\/bank-alert\/1: best threshold 0\.\d+ \(false-positive rate 0\.\d+, alerts 0\.\d+\): \d[\d.]* \[[\d.]+, [\d.]+\] EUR per call per decision; acting on no one 0; at threshold 0\.2: /m);
    expect(result.stdout).toMatch(/^verdict: models:\/bank-alert\/1 is (not )?ready for online evaluation/m);
    expect(result.stdout).toMatch(/not stored\n?$/);
    expect(await storedEvaluations()).toBe(before);
  }, 120_000);

  it('refuses bad input with exit code 2 and stores nothing', async () => {
    const before = await storedEvaluations();
    const cases: [string[], RegExp][] = [
      [['evaluate', 'nothing', 'bank-eval'], /no registered model named "nothing"/],
      [['evaluate', 'bank-alert@staging', 'bank-eval'], /registered model "bank-alert" has no alias "staging" \(aliases: challenger, champion\)/],
      [['evaluate', 'bank-alert@9', 'bank-eval'], /registered model "bank-alert" has no version 9/],
      [['evaluate', 'bank-alert@challenger', 'nowhere'], /no dataset named "nowhere"/],
      [['evaluate', 'bank-alert@challenger', 'bank-eval@7'], /bank-eval@7: no such version of bank-eval/],
      [['evaluate', 'bank-alert@challenger', 'bank-unlabelled'], /bank-unlabelled@1 has no label: no column "y"/],
      [['evaluate', 'bank-alert@challenger', 'bank-eval', '--by', 'planet'], /bank-eval@1 has no column "planet" to slice by/],
      [['evaluate', 'bank-alert@challenger', 'bank-eval', '--compare', 'bank-alert@2'], /are the same version \(models:\/bank-alert\/2\)/],
      [['evaluate', 'bank-alert@challenger', 'bank-eval', '--resamples', '0'], /--resamples: expected a positive whole number/],
      [['evaluate', 'bank-alert@challenger', 'bank-eval', '--level', '95'], /--level: expected a number between 0 and 1/],
      [['evaluate', 'bank-alert@challenger'], /missing required argument 'dataset'/],
      [['evaluate', 'bank-alert@challenger', 'bank-eval', '--replay', 'nowhere'], /no dataset named "nowhere"/],
    ];
    for (const [args, message] of cases) {
      const result = run(...args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
    expect(await storedEvaluations()).toBe(before);
    expect(existsSync(path.join(root, 'missing.html'))).toBe(false);
  }, 120_000);
});
