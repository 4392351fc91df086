import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BANK_CSV, BANK_SPEC, openDataFixture, type DataFixture } from '../../test/support/data-workspace.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { addDataset } from '../data/add-dataset.js';
import { datasetArtifactKey } from '../data/dataset-ref.js';
import type { DatasetVersion } from '../store/dataset-store.js';
import { trainLinearModel } from '../models/linear/linear-model.js';
import { serializeModel } from '../models/model-format.js';
import { registerModel } from '../tracking/registry/register-model.js';
import { startRun } from '../tracking/start-run.js';
import { readFeatureTable, type FeatureDefinition } from '../train/feature-table.js';
import { evaluateModels } from './evaluate-models.js';

// The target has a definition, so a training version without `y` is looked up through DuckDB.
const SPEC = BANK_SPEC.replace('target: { column: y, positive: 1 }', 'target: { column: y, positive: 1, definition: "y" }');
const FEATURES: FeatureDefinition[] = [
  { name: 'age', type: 'numeric' },
  { name: 'campaign', type: 'numeric' },
  { name: 'euribor3m', type: 'numeric' },
];

/**
 * A workspace (its folder goes after the test) with a logistic regression trained on 3,000 bank rows, whose
 * run names an unlabelled copy of them as its training input.
 */
async function bankWorkspace(): Promise<{ fixture: DataFixture; unlabelled: DatasetVersion }> {
  const fixture = await openDataFixture(SPEC);
  const lines = readFileSync(BANK_CSV, 'utf8').trimEnd().split('\n');
  const header = lines[0] as string;
  const folder = tempDir();
  const add = async (name: string, rows: string[]) => {
    const file = path.join(folder, `${name}.csv`);
    writeFileSync(file, `${rows.join('\n')}\n`);
    return (await addDataset(fixture.workspace, fixture.engine, fixture.spec, { file, name, delimiter: ';' }, fixture.context)).version;
  };
  const train = await add('bank-train', [header, ...lines.slice(1, 3_001)]);
  await add('bank-eval', [header, ...lines.slice(3_001, 4_001)]);
  const unlabelled = await add('bank-unlabelled', [header, ...lines.slice(1, 3_001)].map((line) => line.split(';').slice(0, -1).join(';')));
  const table = await readFeatureTable(fixture.engine, fixture.workspace.artifacts.localPath(datasetArtifactKey(train.hash)), FEATURES, 'y');
  const model = trainLinearModel(table.raw, table.label, { learner: 'logistic-regression', features: FEATURES, penalty: 'l2', C: 1 });
  writeFileSync(path.join(folder, 'model.json'), serializeModel(model));
  const run = await startRun({ experiment: 'bank', name: 'logistic', workspace: fixture.workspace, context: fixture.context, gitCommit: false, command: false });
  await run.logInput(unlabelled, 'training');
  await run.logArtifact(path.join(folder, 'model.json'), 'model');
  await run.end();
  await registerModel(fixture.workspace, { name: 'bank-alert', run: run.id, path: 'model/model.json' }, fixture.context);
  return { fixture, unlabelled };
}

const evaluate = (fixture: DataFixture) =>
  evaluateModels({ workspace: fixture.workspace, engine: fixture.engine, spec: fixture.spec, candidate: 'bank-alert', dataset: 'bank-eval', bootstrap: { resamples: 20 }, store: false, context: fixture.context });

describe('evaluateModels baseline', () => {
  it('falls back to the evaluated rows, and says so, when the training version has no label', async () => {
    const { fixture } = await bankWorkspace();
    try {
      expect((await evaluate(fixture)).baseline).toMatch(/^baseline: prior rate 0\.\d+ of the evaluated rows$/);
    } finally {
      await fixture.close();
    }
  }, 60_000);

  it('fails, rather than falling back, when the training version cannot be read', async () => {
    const { fixture, unlabelled } = await bankWorkspace();
    try {
      rmSync(fixture.workspace.artifacts.localPath(datasetArtifactKey(unlabelled.hash)));
      await expect(evaluate(fixture)).rejects.toThrow(/IO Error: No files found/);
    } finally {
      await fixture.close();
    }
  }, 60_000);
});
