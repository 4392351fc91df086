import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, testContext } from '../../../test/support/temp-dir.js';
import { registerModel } from '../../tracking/registry/register-model.js';
import { startRun } from '../../tracking/start-run.js';
import { createWorkspace } from '../workspace.js';

async function workspaceWithModel() {
  const dir = tempDir();
  const context = testContext('ana');
  const { workspace } = await createWorkspace(dir, 'evaluations', context);
  const hash = '34'.repeat(32);
  await workspace.datasets.registerVersions([{ dataset: 'may', hash, artifactKey: `datasets/34/${hash}.parquet`, rowCount: 5, byteSize: 5, columns: [], lineage: {} }], context);
  writeFileSync(path.join(dir, 'model.json'), '{}');
  const run = await startRun({ experiment: 'e', name: 'r', workspace, context, gitCommit: false, command: false });
  await run.logArtifact(path.join(dir, 'model.json'), 'model');
  await run.end();
  await registerModel(workspace, { name: 'alert', run: run.id }, context);
  return { workspace, context };
}

const stored = { dataset: 'may@1', task: 'binary', ready: true, summary: 'ready', metrics: { roc_auc: 0.7 }, artifactKey: 'evaluations/a.json', reportKey: 'evaluations/a.html' };

describe('the evaluation store', () => {
  it('records an evaluation linked to its model and dataset versions, and audits it', async () => {
    const { workspace, context } = await workspaceWithModel();
    const record = await workspace.evaluations.record({ ...stored, candidate: { model: 'alert', version: 1 } }, context);
    expect(record).toMatchObject({ id: 1, candidate: { model: 'alert', version: 1 }, dataset: 'may@1', ready: true, metrics: { roc_auc: 0.7 }, createdBy: 'ana' });
    expect(record.champion).toBeUndefined();
    expect(await workspace.evaluations.find(1)).toEqual(record);
    expect(await workspace.evaluations.list()).toEqual([record]);
    expect((await workspace.audit.list()).filter((entry) => entry.action === 'evaluation.recorded').map((entry) => entry.subject)).toEqual(['models:/alert/1']);
    await workspace.close();
  });

  it('refuses unknown versions and writes nothing', async () => {
    const { workspace, context } = await workspaceWithModel();
    await expect(workspace.evaluations.record({ ...stored, candidate: { model: 'alert', version: 2 } }, context)).rejects.toThrow(/no model version models:\/alert\/2/);
    await expect(workspace.evaluations.record({ ...stored, candidate: { model: 'alert', version: 1 }, champion: { model: 'other', version: 1 } }, context)).rejects.toThrow(/no model version models:\/other\/1/);
    await expect(workspace.evaluations.record({ ...stored, dataset: 'may@2', candidate: { model: 'alert', version: 1 } }, context)).rejects.toThrow(/no dataset version may@2/);
    expect(await workspace.evaluations.list()).toEqual([]);
    expect((await workspace.audit.list()).filter((entry) => entry.action === 'evaluation.recorded')).toEqual([]);
    await workspace.close();
  });
});
