/** The behaviour every model registry backend must show, as one suite to run against each backend. */
import { describe, expect, it } from 'vitest';
import type { AuditLog, ChangeContext } from '../../src/store/audit-log.js';
import type { ModelRegistry } from '../../src/store/model-registry.js';
import type { RunStore } from '../../src/store/run-store.js';

export interface RegistryBackend {
  registry: ModelRegistry;
  runs: RunStore;
  audit: AuditLog;
  close(): Promise<void>;
}

function clock(): ChangeContext {
  let tick = 0;
  return { actor: 'sam', now: () => new Date(Date.parse('2026-03-01T10:00:00Z') + 1000 * tick++) };
}

/** Registers the conformance tests for a backend made fresh by `open` for each test. */
export function describeRegistryBackend(name: string, open: () => Promise<RegistryBackend>): void {
  async function withBackend(body: (backend: RegistryBackend, context: ChangeContext, runIds: string[]) => Promise<void>): Promise<void> {
    const backend = await open();
    const context = clock();
    try {
      const experiment = await backend.runs.ensureExperiment('delays', context);
      const runIds: string[] = [];
      for (const runName of ['logistic', 'gbdt']) {
        const run = await backend.runs.createRun({ experimentId: experiment.id, name: runName, startTime: 0 }, context);
        await backend.runs.recordArtifacts(run.id, [{ path: 'model/model.json', size: 3, sha256: 'a'.repeat(64) }], context);
        runIds.push(run.id);
      }
      await body(backend, context, runIds);
    } finally {
      await backend.close();
    }
  }

  describe(`model registry (${name})`, () => {
    it('numbers versions per model from run artifacts and refuses a run without the artifact', () =>
      withBackend(async (backend, context, [logistic, gbdt]) => {
        await backend.registry.createModel('delay-alert', 'predicts delays over 15 minutes', context);
        await expect(backend.registry.createModel('delay-alert', '', context)).rejects.toMatchObject({ code: 'conflict' });
        const first = await backend.registry.createVersion({ model: 'delay-alert', runId: logistic as string, source: 'model' }, context);
        const second = await backend.registry.createVersion({ model: 'delay-alert', runId: gbdt as string, source: 'model/model.json', tags: { framework: 'mlcycle-gbdt' } }, context);
        expect(first).toMatchObject({ model: 'delay-alert', version: 1, runId: logistic, source: 'model', createdBy: 'sam', aliases: [], tags: {} });
        expect(second).toMatchObject({ version: 2, tags: { framework: 'mlcycle-gbdt' } });
        await expect(backend.registry.createVersion({ model: 'delay-alert', runId: gbdt as string, source: 'weights' }, context)).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/no artifact at "weights"/) });
        await expect(backend.registry.createVersion({ model: 'nothing', runId: gbdt as string, source: 'model' }, context)).rejects.toMatchObject({ code: 'not_found' });
        expect((await backend.registry.listVersions('delay-alert')).map((version) => version.version)).toEqual([2, 1]);
        expect((await backend.registry.versionsOfRun(gbdt as string)).map((version) => version.version)).toEqual([2]);
        expect(await backend.registry.findModel('delay-alert')).toMatchObject({ latestVersion: 2, description: 'predicts delays over 15 minutes' });
      }));

    it('moves aliases between versions and records each move as an event and an audit entry', () =>
      withBackend(async (backend, context, [logistic, gbdt]) => {
        await backend.registry.createModel('delay-alert', '', context);
        await backend.registry.createVersion({ model: 'delay-alert', runId: logistic as string, source: 'model' }, context);
        await backend.registry.createVersion({ model: 'delay-alert', runId: gbdt as string, source: 'model' }, context);
        await backend.registry.setAlias('delay-alert', 'champion', 1, context);
        await backend.registry.setAlias('delay-alert', 'challenger', 2, context);
        await backend.registry.setAlias('delay-alert', 'champion', 2, context);
        await backend.registry.setAlias('delay-alert', 'champion', 2, context);
        expect((await backend.registry.findModel('delay-alert'))?.aliases).toEqual({ challenger: 2, champion: 2 });
        expect((await backend.registry.findVersion('delay-alert', 2))?.aliases).toEqual(['challenger', 'champion']);
        await backend.registry.deleteAlias('delay-alert', 'challenger', context);
        await expect(backend.registry.deleteAlias('delay-alert', 'challenger', context)).rejects.toMatchObject({ code: 'not_found' });
        await expect(backend.registry.setAlias('delay-alert', 'champion', 9, context)).rejects.toMatchObject({ code: 'not_found' });
        const events = await backend.registry.listEvents();
        expect(events.map((event) => [event.type, event.version ?? null, event.details])).toEqual([
          ['registered_model.created', null, {}],
          ['model_version.created', 1, { runId: logistic, source: 'model' }],
          ['model_version.created', 2, { runId: gbdt, source: 'model' }],
          ['model_version.alias_set', 1, { alias: 'champion', previousVersion: null }],
          ['model_version.alias_set', 2, { alias: 'challenger', previousVersion: null }],
          ['model_version.alias_set', 2, { alias: 'champion', previousVersion: 1 }],
          ['model_version.alias_deleted', 2, { alias: 'challenger' }],
        ]);
        expect((await backend.registry.listEvents({ afterId: events[4]?.id as number, limit: 1 })).map((event) => event.type)).toEqual(['model_version.alias_set']);
        const audited = await backend.audit.list({ actionPrefix: 'registry.' });
        expect(audited.map((entry) => [entry.action, entry.subject])[0]).toEqual(['registry.model_version.alias_deleted', 'models:/delay-alert/2']);
        expect(audited).toHaveLength(events.length);
      }));

    it('sets and deletes tags and descriptions on models and versions', () =>
      withBackend(async (backend, context, [logistic]) => {
        await backend.registry.createModel('delay-alert', '', context);
        await backend.registry.createVersion({ model: 'delay-alert', runId: logistic as string, source: 'model' }, context);
        await backend.registry.setTag({ model: 'delay-alert' }, 'owner', 'ana', context);
        await backend.registry.setTag({ model: 'delay-alert', version: 1 }, 'validated', 'yes', context);
        await backend.registry.setTag({ model: 'delay-alert', version: 1 }, 'validated', 'no', context);
        await backend.registry.setDescription({ model: 'delay-alert', version: 1 }, 'first cut', context);
        await backend.registry.setDescription({ model: 'delay-alert' }, 'alerts', context);
        await backend.registry.deleteTag({ model: 'delay-alert' }, 'owner', context);
        await expect(backend.registry.deleteTag({ model: 'delay-alert' }, 'owner', context)).rejects.toMatchObject({ code: 'not_found' });
        await expect(backend.registry.setTag({ model: 'delay-alert', version: 3 }, 'x', 'y', context)).rejects.toMatchObject({ code: 'not_found' });
        expect(await backend.registry.findModel('delay-alert')).toMatchObject({ description: 'alerts', tags: {} });
        expect(await backend.registry.findVersion('delay-alert', 1)).toMatchObject({ description: 'first cut', tags: { validated: 'no' } });
      }));

    it('creates a model with its tags at once, and deletes versions and models with their aliases and tags', () =>
      withBackend(async (backend, context, [logistic, gbdt]) => {
        expect(await backend.registry.createModel('delay-alert', '', context, { owner: 'ana' })).toMatchObject({ tags: { owner: 'ana' } });
        for (const run of [logistic, gbdt, gbdt]) await backend.registry.createVersion({ model: 'delay-alert', runId: run as string, source: 'model', tags: { k: 'v' } }, context);
        await backend.registry.setAlias('delay-alert', 'champion', 3, context);
        await backend.registry.deleteVersion('delay-alert', 3, context);
        expect(await backend.registry.findModel('delay-alert')).toMatchObject({ aliases: {}, latestVersion: 2 });
        expect((await backend.registry.createVersion({ model: 'delay-alert', runId: logistic as string, source: 'model' }, context)).version).toBe(4);
        await expect(backend.registry.deleteVersion('delay-alert', 3, context)).rejects.toMatchObject({ code: 'not_found' });
        await backend.registry.deleteModel('delay-alert', context);
        expect(await backend.registry.findModel('delay-alert')).toBeUndefined();
        expect(await backend.registry.versionsOfRun(logistic as string)).toEqual([]);
        await expect(backend.registry.deleteModel('delay-alert', context)).rejects.toMatchObject({ code: 'not_found' });
        const types = (await backend.registry.listEvents()).map((event) => event.type);
        expect(types.slice(-3)).toEqual(['model_version.deleted', 'model_version.created', 'registered_model.deleted']);
      }));

    it('moves versions between MLflow stages and renames a model with its versions', () =>
      withBackend(async (backend, context, [logistic, gbdt]) => {
        for (const runId of [logistic, gbdt] as string[]) await backend.registry.createVersion({ model: 'delay', runId, source: 'model', createModel: true }, context);
        expect((await backend.registry.findVersion('delay', 1))?.stage).toBe('None');
        await backend.registry.transitionStage('delay', 1, 'Production', false, context);
        expect(await backend.registry.transitionStage('delay', 2, 'Production', true, context)).toMatchObject({ version: 2, stage: 'Production' });
        expect((await backend.registry.findVersion('delay', 1))?.stage).toBe('Archived');
        await backend.registry.setAlias('delay', 'champion', 2, context);
        expect(await backend.registry.renameModel('delay', 'late', context)).toMatchObject({ name: 'late', aliases: { champion: 2 }, latestVersion: 2 });
        expect(await backend.registry.findModel('delay')).toBeUndefined();
        expect((await backend.registry.listVersions('late')).map((version) => [version.version, version.stage])).toEqual([[2, 'Production'], [1, 'Archived']]);
        await backend.registry.createModel('early', '', context);
        await expect(backend.registry.renameModel('late', 'early', context)).rejects.toMatchObject({ code: 'conflict' });
      }));

    it('writes no event and no audit entry for a change that fails', () =>
      withBackend(async (backend, context) => {
        await expect(backend.registry.createVersion({ model: 'nothing', runId: 'f'.repeat(32), source: 'model' }, context)).rejects.toThrow();
        await expect(backend.registry.setAlias('nothing', 'champion', 1, context)).rejects.toMatchObject({ code: 'not_found' });
        expect(await backend.registry.listEvents()).toEqual([]);
        expect(await backend.audit.list({ actionPrefix: 'registry.' })).toEqual([]);
      }));
  });
}
