import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir, testContext } from '../../../test/support/temp-dir.js';
import { FLIGHT_DELAY_SPEC } from '../../demo/flight-delay-spec.js';
import { createWorkspace, type Workspace } from '../../store/workspace.js';
import { buildModelCard } from './model-card.js';
import { formatModelCardMarkdown } from './model-card-markdown.js';
import { registerModel, setModelAlias } from './register-model.js';

const source = { path: '/data/flights.parquet', size: 10, modifiedAt: '2026-01-01T00:00:00.000Z', format: 'parquet', options: {} };

async function registeredWorkspace(withSpec: boolean): Promise<{ workspace: Workspace; runId: string }> {
  const context = testContext('ana');
  const root = tempDir();
  const { workspace } = await createWorkspace(root, 'cards', context);
  if (withSpec) writeFileSync(workspace.specFile, FLIGHT_DELAY_SPEC);
  const column = { storageType: 'DOUBLE', semanticType: 'numeric', inferredType: 'numeric', overridden: false, nonNull: 5, distinct: 5, min: 0, max: 1 } as const;
  const [raw] = await workspace.datasets.registerVersions([{ dataset: 'flights', hash: '1'.repeat(64), artifactKey: 'a', rowCount: 100, byteSize: 10, columns: [{ name: 'delay', ...column }], lineage: { source } }], context);
  await workspace.datasets.registerVersions(
    [{ dataset: 'flights-train', hash: '2'.repeat(64), artifactKey: 'b', rowCount: 80, byteSize: 8, columns: [{ name: 'delay', ...column }, { name: 'hour', ...column }], lineage: { parents: [{ ref: raw!.ref, hash: raw!.hash }], transformation: { split: 'time' } } }],
    context,
  );
  const experiment = await workspace.runs.ensureExperiment('delays', context);
  const run = await workspace.runs.createRun({ experimentId: experiment.id, name: 'gbdt', startTime: Date.parse('2026-02-01T00:00:00Z'), gitCommit: 'c'.repeat(40), command: 'node train.js' }, context);
  await workspace.runs.logInputs(run.id, [{ dataset: 'flights-train', digest: '2'.repeat(64), context: 'training', versionRef: 'flights-train@1' }, { dataset: 'weather', digest: 'abc', context: 'validation', source: 's3://bucket/weather' }], context);
  await workspace.runs.logParams(run.id, { leaves: '63', learning_rate: '0.1' }, context);
  const one = (value: number) => Float64Array.of(value);
  await workspace.metrics.appendMetrics(run.id, [{ key: 'roc_auc', steps: one(0), timestamps: one(1), values: one(0.6723) }, { key: 'train_seconds', steps: one(0), timestamps: one(1), values: one(28.07) }], context);
  await workspace.runs.recordArtifacts(run.id, [{ path: 'model/model.json', size: 2, sha256: 'd'.repeat(64) }], context);
  await registerModel(workspace, { name: 'flight-delay', run: run.id, description: 'GBDT on Jan-Apr' }, context);
  await setModelAlias(workspace, 'flight-delay', 'champion', 1, context);
  return { workspace, runId: run.id };
}

describe('model cards', () => {
  it('bring together the spec, the training data and its sources, the run, and say that evaluations are missing', async () => {
    const { workspace, runId } = await registeredWorkspace(true);
    try {
      const card = await buildModelCard(workspace, 'models:/flight-delay@champion', () => new Date('2026-03-01T00:00:00Z'));
      expect(card).toMatchObject({ uri: 'models:/flight-delay/1', aliases: ['champion'], description: 'GBDT on Jan-Apr', generatedAt: '2026-03-01T00:00:00.000Z' });
      expect(card.problem).toMatchObject({ task: 'binary', target: { column: 'delayed' } });
      if ('missing' in card.problem) throw new Error('the spec should be read');
      expect(card.problem.mlMetrics).toEqual([{ metric: 'roc_auc', target: 0.65, achieved: 0.6723 }, { metric: 'brier', target: 0.15 }, { metric: 'lift_at_k', k: 10, target: 1.8 }]);
      expect(card.problem.valueModel).toMatchObject({ currency: expect.any(String) });
      expect(card.trainingData).toEqual([
        { context: 'training', dataset: 'flights-train', digest: '2'.repeat(64), ref: 'flights-train@1', rows: 80, columns: 2, parents: ['flights@1'], transformation: { split: 'time' } },
        { context: 'validation', dataset: 'weather', digest: 'abc', externalSource: 's3://bucket/weather' },
      ]);
      expect(card.run).toMatchObject({ id: runId, experiment: 'delays', gitCommit: 'c'.repeat(40), params: { leaves: '63' }, metrics: { roc_auc: 0.6723 }, artifact: 'model' });
      expect(card.evaluations).toEqual([]);

      const markdown = formatModelCardMarkdown(card);
      expect(markdown).toMatch(/^# Model card: flight-delay version 1\n\n`models:\/flight-delay\/1`, aliases `@champion`\./);
      expect(markdown).toMatch(/\*\*Task\.\*\* binary, predicting `delayed`/);
      expect(markdown).toContain('| roc_auc | 0.65 | 0.6723 |');
      expect(markdown).toContain('| brier | 0.15 | not logged |');
      expect(markdown).toContain('| training | flights-train@1 | 80 | 2 | 222222222222 | derived from flights@1 |');
      expect(markdown).toContain('| validation | weather | - | - | abc | s3://bucket/weather |');
      expect(markdown).toContain('| leaves | 63 |');
      expect(markdown).toMatch(/## Offline evaluations\n\nNone stored for this version/);
    } finally {
      await workspace.close();
    }
  });

  it('list the offline evaluations of the version, which then keep it from being deleted; say when the spec is missing', async () => {
    const { workspace } = await registeredWorkspace(false);
    try {
      const context = testContext('ana');
      const stored = { dataset: 'flights-train@1', task: 'binary', metrics: { roc_auc: 0.67 }, artifactKey: 'a', reportKey: 'r' };
      await workspace.evaluations.record({ ...stored, candidate: { model: 'flight-delay', version: 1 }, ready: true, summary: 'ready: roc_auc 0.67 >= 0.65' }, context);
      const card = await buildModelCard(workspace, 'models:/flight-delay@champion');
      expect(card.problem).toEqual({ missing: expect.stringMatching(/no spec at .*mlcycle\.yaml/) });
      expect(card.evaluations).toMatchObject([{ dataset: 'flights-train@1', ready: true, summary: 'ready: roc_auc 0.67 >= 0.65', metrics: { roc_auc: 0.67 } }]);
      const markdown = formatModelCardMarkdown(card);
      expect(markdown).toMatch(/\| flights-train@1 \| - \| ready \| ready: roc_auc 0\.67 >= 0\.65 \| 2026-/);
      expect(markdown).toMatch(/## Problem\n\nNot described: no spec at/);
      await expect(workspace.registry.deleteVersion('flight-delay', 1, context)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/models:\/flight-delay\/1 cannot be deleted: other records/) });
      await expect(workspace.registry.deleteModel('flight-delay', context)).rejects.toMatchObject({ code: 'conflict' });
      expect(await workspace.registry.findVersion('flight-delay', 1)).toMatchObject({ aliases: ['champion'] });
      expect((await workspace.registry.listEvents()).map((event) => event.type)).not.toContain('model_version.deleted');
    } finally {
      await workspace.close();
    }
  });
});
