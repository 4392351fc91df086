import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, testContext } from '../../../test/support/temp-dir.js';
import { createWorkspace, type Workspace } from '../../store/workspace.js';
import { developmentEvidence } from '../development-evidence.js';
import { startRun } from '../start-run.js';
import { parseModelUri, resolveModelUri } from './model-uri.js';
import { deleteModelAlias, modelLineage, registerModel, setModelAlias, setModelDescription, setModelTag } from './register-model.js';
import { validateAlias } from './registry-names.js';

const quiet = { gitCommit: false, command: false } as const;

/** A workspace with a registered dataset version and a run that logged a model folder. */
async function trainedWorkspace(trainingInput = true) {
  const root = tempDir();
  const context = testContext('ana');
  const { workspace } = await createWorkspace(root, 'registry-test', context);
  const hash = 'ef'.repeat(32);
  await workspace.datasets.registerVersions(
    [{ dataset: 'flights', hash, artifactKey: `datasets/ef/${hash}.parquet`, rowCount: 9, byteSize: 9, columns: [], lineage: { source: { path: '/data/flights.csv', size: 9, modifiedAt: '2026-01-01T00:00:00.000Z', format: 'csv', options: {} } } }],
    context,
  );
  const run = await startRun({ experiment: 'delays', name: 'gbdt', workspace, context, ...quiet });
  if (trainingInput) await run.logInput('flights@1', 'training');
  mkdirSync(path.join(root, 'model'));
  writeFileSync(path.join(root, 'model', 'model.json'), '{}');
  await run.logArtifact(path.join(root, 'model'));
  await run.end();
  return { workspace, context, runId: run.id };
}

function assess(workspace: Workspace) {
  return developmentEvidence.assess({ workspace, spec: { file: 'mlcycle.yaml', exists: false } });
}

describe('model names and URIs', () => {
  it("refuses aliases MLflow refuses", () => {
    expect(() => validateAlias('champion')).not.toThrow();
    expect(() => validateAlias('Latest')).toThrow(/"latest" is reserved/);
    expect(() => validateAlias('v3')).toThrow(/"v3" is reserved: v<number> names a version/);
    expect(() => validateAlias('champ ion')).toThrow(/may only hold letters, digits, _ and -/);
    expect(() => validateAlias('x'.repeat(256))).toThrow(/more than the limit of 255/);
  });

  it('parses the three URI forms and refuses others', () => {
    expect(parseModelUri('models:/delay-alert@champion')).toEqual({ model: 'delay-alert', choice: { alias: 'champion' } });
    expect(parseModelUri('models:/delay alert/12')).toEqual({ model: 'delay alert', choice: { version: 12 } });
    expect(parseModelUri('models:/delay-alert/latest')).toEqual({ model: 'delay-alert', choice: { latest: true } });
    expect(() => parseModelUri('runs:/abc/model')).toThrow(/expected models:\/NAME@ALIAS/);
    expect(() => parseModelUri('models:/delay-alert')).toThrow(/name a version/);
    expect(() => parseModelUri('models:/delay-alert/0')).toThrow(/"0" is not a version number/);
    expect(() => parseModelUri('models:/a/b/3')).toThrow(/name: "a\/b" must start with a letter or digit and hold only/);
  });
});

describe('registering models', () => {
  it('registers versions from runs, resolves aliases and traces a version back to its data', async () => {
    const { workspace, context, runId } = await trainedWorkspace();
    expect((await assess(workspace)).state).toBe('in-progress');
    const first = await registerModel(workspace, { name: 'delay-alert', run: runId, description: 'first', tags: { framework: 'gbdt' } }, context);
    const second = await registerModel(workspace, { name: 'delay-alert', run: runId, path: 'model/model.json' }, context);
    expect([first.version, second.version]).toEqual([1, 2]);
    await setModelAlias(workspace, 'delay-alert', 'champion', 1, context);
    await setModelAlias(workspace, 'delay-alert', 'challenger', 2, context);
    expect((await resolveModelUri(workspace.registry, 'models:/delay-alert@champion')).version).toBe(1);
    expect((await resolveModelUri(workspace.registry, 'models:/delay-alert/latest')).version).toBe(2);
    await setModelAlias(workspace, 'delay-alert', 'champion', 2, context);
    expect((await resolveModelUri(workspace.registry, 'models:/delay-alert@champion')).version).toBe(2);
    await deleteModelAlias(workspace, 'delay-alert', 'challenger', context);
    await expect(resolveModelUri(workspace.registry, 'models:/delay-alert@challenger')).rejects.toThrow(/has no alias "challenger" \(aliases: champion\)/);
    await expect(resolveModelUri(workspace.registry, 'models:/nothing@champion')).rejects.toMatchObject({ code: 'not_found' });
    await setModelTag(workspace, { model: 'delay-alert', version: 2 }, 'approved-by', 'ana', context);
    await setModelDescription(workspace, { model: 'delay-alert' }, 'alerts passengers about likely delays', context);
    await expect(setModelTag(workspace, { model: 'delay-alert' }, '../x', 'y', context)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(setModelAlias(workspace, 'delay-alert', 'latest', 1, context)).rejects.toMatchObject({ code: 'invalid_input' });

    const lineage = await modelLineage(workspace, 'models:/delay-alert@champion');
    expect(lineage.version).toMatchObject({ version: 2, runId, tags: { 'approved-by': 'ana' }, aliases: ['champion'] });
    expect(lineage.run.name).toBe('gbdt');
    expect(lineage.inputs).toEqual([
      { input: expect.objectContaining({ versionRef: 'flights@1', context: 'training' }), datasetVersion: expect.objectContaining({ ref: 'flights@1', lineage: expect.objectContaining({ source: expect.objectContaining({ path: '/data/flights.csv' }) }) }) },
    ]);
    expect(await assess(workspace)).toMatchObject({ state: 'done', evidence: expect.arrayContaining([expect.stringMatching(/models:\/delay-alert\/1 \(trained on flights@1\)/)]) });
    await workspace.close();
  });

  it('refuses a missing artifact or a bad name before creating anything', async () => {
    const { workspace, context, runId } = await trainedWorkspace(false);
    await expect(registerModel(workspace, { name: 'delay/alert', run: runId }, context)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(registerModel(workspace, { name: 'delay-alert', run: runId, path: '../model' }, context)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(registerModel(workspace, { name: 'delay-alert', run: 'abc' }, context)).rejects.toThrow(/run: "abc" is not a run id/);
    expect(await workspace.registry.listModels()).toEqual([]);
    await expect(registerModel(workspace, { name: 'delay-alert', run: runId, path: 'weights' }, context)).rejects.toMatchObject({ code: 'not_found' });
    expect(await workspace.registry.listModels()).toEqual([]);
    expect(await workspace.registry.listEvents()).toEqual([]);
    await registerModel(workspace, { name: 'delay-alert', run: runId }, context);
    expect(await assess(workspace)).toMatchObject({ state: 'in-progress', nextStep: expect.stringMatching(/logInput/) });
    await workspace.close();
  });

  it('reports the stage as not started without runs', async () => {
    const root = tempDir();
    const { workspace } = await createWorkspace(root, 'empty', testContext());
    expect(await assess(workspace)).toMatchObject({ state: 'not-started' });
    await workspace.close();
  });
});
