/** The behaviour every logged-model store backend must show (MLflow 3's logged models), as one suite per backend. */
import { describe, expect, it } from 'vitest';
import type { AuditLog, ChangeContext } from '../../src/store/audit-log.js';
import type { LoggedModelStore } from '../../src/store/logged-model-store.js';
import type { RunStore } from '../../src/store/run-store.js';

export interface LoggedModelBackend {
  loggedModels: LoggedModelStore;
  runs: RunStore;
  audit: AuditLog;
  close(): Promise<void>;
}

function clock(): ChangeContext {
  let tick = 0;
  return { actor: 'sam', now: () => new Date(Date.parse('2026-03-01T10:00:00Z') + 1000 * tick++) };
}

/** Registers the conformance tests for a backend made fresh by `open` for each test. */
export function describeLoggedModelBackend(name: string, open: () => Promise<LoggedModelBackend>): void {
  async function withBackend(body: (backend: LoggedModelBackend, context: ChangeContext, runId: string, experimentId: string) => Promise<void>): Promise<void> {
    const backend = await open();
    const context = clock();
    try {
      const experiment = await backend.runs.ensureExperiment('churn', context);
      const run = await backend.runs.createRun({ experimentId: experiment.id, name: 'fit', startTime: 0 }, context);
      await body(backend, context, run.id, experiment.id);
    } finally {
      await backend.close();
    }
  }

  describe(`logged-model store on ${name}`, () => {
    it('creates, changes and finds models with their params, tags, metrics and times', async () => {
      await withBackend(async ({ loggedModels, audit }, context, runId, experimentId) => {
        const created = await loggedModels.create({ experimentId, name: 'model', sourceRunId: runId, modelType: 'classifier', params: { lr: '0.1' }, tags: { team: 'risk' } }, context);
        expect(created).toMatchObject({ experimentId, name: 'model', sourceRunId: runId, modelType: 'classifier', status: 'LOGGED_MODEL_PENDING', lifecycleStage: 'active', params: { lr: '0.1' }, tags: { team: 'risk' }, metrics: [], createdBy: 'sam' });
        expect(created.id).toMatch(/^m-[0-9a-f]{32}$/);
        expect(created.createdAt).toBe(Date.parse('2026-03-01T10:00:02Z'));
        await loggedModels.logParams(created.id, { depth: '4', lr: '0.1' }, context);
        await expect(loggedModels.logParams(created.id, { lr: '0.2' }, context)).rejects.toMatchObject({ code: 'invalid_input' });
        await loggedModels.setTags(created.id, { stage: 'dev' }, context);
        await loggedModels.deleteTag(created.id, 'team', context);
        await expect(loggedModels.deleteTag(created.id, 'team', context)).rejects.toMatchObject({ code: 'not_found' });
        await loggedModels.logMetrics(created.id, [{ key: 'auc', value: 0.9, timestamp: 5, step: 1, runId, datasetName: 'valid' }], context);
        const ready = await loggedModels.finalize(created.id, 'LOGGED_MODEL_READY', context);
        expect(ready).toMatchObject({ status: 'LOGGED_MODEL_READY', params: { lr: '0.1', depth: '4' }, tags: { stage: 'dev' }, metrics: [{ key: 'auc', value: 0.9, timestamp: 5, step: 1, runId, datasetName: 'valid' }] });
        expect(typeof ready.updatedAt).toBe('number');
        expect(ready.updatedAt).toBeGreaterThan(ready.createdAt);
        expect((await audit.list({ actionPrefix: 'logged_model.' })).map((entry) => entry.action).reverse()).toEqual([
          'logged_model.created',
          'logged_model.params_logged',
          'logged_model.tags_set',
          'logged_model.tag_deleted',
          'logged_model.metrics_logged',
          'logged_model.finalized',
        ]);
      });
    });

    it('lists the models of experiments newest first, leaves deleted ones out and links outputs to runs', async () => {
      await withBackend(async ({ loggedModels, runs }, context, runId, experimentId) => {
        const first = await loggedModels.create({ experimentId, name: 'a', sourceRunId: runId, params: {}, tags: {} }, context);
        const second = await loggedModels.create({ experimentId, name: 'b', sourceRunId: runId, params: {}, tags: {} }, context);
        expect((await loggedModels.list([experimentId])).map((model) => model.name)).toEqual(['b', 'a']);
        expect((await loggedModels.list([experimentId], { offset: 1, limit: 5 })).map((model) => model.name)).toEqual(['a']);
        expect((await loggedModels.list([experimentId], { offset: 0, limit: 1 })).map((model) => model.name)).toEqual(['b']);
        await loggedModels.logOutputs(runId, [{ modelId: first.id, step: 0 }, { modelId: second.id, step: 3 }], context);
        expect(await loggedModels.outputsOf(runId)).toEqual([{ modelId: first.id, step: 0 }, { modelId: second.id, step: 3 }]);
        const quiet = await runs.createRun({ experimentId, name: 'quiet', startTime: 0 }, context);
        const byRun = await loggedModels.outputsOfRuns([quiet.id, runId, 'f'.repeat(32)]);
        expect([...byRun.entries()]).toEqual([[runId, [{ modelId: first.id, step: 0 }, { modelId: second.id, step: 3 }]]]);
        expect(await loggedModels.outputsOfRuns([])).toEqual(new Map());
        // Model inputs: kept once each, in the order logged; an unknown model links none of the request.
        await loggedModels.logInputs(quiet.id, [second.id, first.id, second.id], context);
        await expect(loggedModels.logInputs(runId, [first.id, 'm-' + 'f'.repeat(32)], context)).rejects.toMatchObject({ code: 'not_found' });
        expect([...(await loggedModels.inputsOfRuns([runId, quiet.id])).entries()]).toEqual([[quiet.id, [second.id, first.id]]]);
        await loggedModels.remove(first.id, context);
        expect((await loggedModels.list([experimentId])).map((model) => model.name)).toEqual(['b']);
        expect((await loggedModels.find(first.id))?.lifecycleStage).toBe('deleted');
        await expect(loggedModels.finalize(first.id, 'LOGGED_MODEL_READY', context)).rejects.toMatchObject({ code: 'not_found' });
        // An output naming a deleted model links nothing, not even the others of the request.
        await expect(loggedModels.logOutputs(runId, [{ modelId: second.id, step: 4 }, { modelId: first.id, step: 4 }], context)).rejects.toMatchObject({ code: 'not_found' });
        expect(await loggedModels.outputsOf(runId)).toHaveLength(2);
        // A source run must exist, in the model's experiment.
        await expect(loggedModels.create({ experimentId, name: 'c', sourceRunId: 'f'.repeat(32), params: {}, tags: {} }, context)).rejects.toMatchObject({ code: 'not_found' });
        const other = await runs.ensureExperiment('other', context);
        await expect(loggedModels.create({ experimentId: other.id, name: 'c', sourceRunId: runId, params: {}, tags: {} }, context)).rejects.toMatchObject({ code: 'invalid_input' });
        expect(await loggedModels.list([other.id])).toEqual([]);
      });
    });
  });
}
