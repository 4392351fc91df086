/**
 * The behaviour every tracking backend must show (RunStore and MetricStore), as one suite to run against
 * each backend, as test/conformance/metadata-store.ts does for the other stores.
 */
import { describe, expect, it } from 'vitest';
import type { AuditLog, ChangeContext } from '../../src/store/audit-log.js';
import type { DatasetStore } from '../../src/store/dataset-store.js';
import type { MetricSeries, MetricStore, RunStore } from '../../src/store/run-store.js';

export interface TrackingBackend {
  runs: RunStore;
  metrics: MetricStore;
  datasets: DatasetStore;
  audit: AuditLog;
  close(): Promise<void>;
}

function clock(start = '2026-03-01T10:00:00Z'): ChangeContext {
  let tick = 0;
  return { actor: 'sam', now: () => new Date(Date.parse(start) + 1000 * tick++) };
}

export function series(key: string, points: [step: number, timestamp: number, value: number][]): MetricSeries {
  return {
    key,
    steps: Float64Array.from(points.map((point) => point[0])),
    timestamps: Float64Array.from(points.map((point) => point[1])),
    values: Float64Array.from(points.map((point) => point[2])),
  };
}

/** Registers the conformance tests for a backend made fresh by `open` for each test. */
export function describeTrackingBackend(name: string, open: () => Promise<TrackingBackend>): void {
  async function withBackend(body: (backend: TrackingBackend, context: ChangeContext) => Promise<void>): Promise<void> {
    const backend = await open();
    try {
      await body(backend, clock());
    } finally {
      await backend.close();
    }
  }

  async function newRun(backend: TrackingBackend, context: ChangeContext, extra: { parentRunId?: string; name?: string } = {}) {
    const experiment = await backend.runs.ensureExperiment('churn', context);
    return backend.runs.createRun({ experimentId: experiment.id, name: extra.name ?? 'baseline', startTime: 1000, gitCommit: 'abc123', command: 'train.ts', ...extra }, context);
  }

  describe(`experiments and runs (${name})`, () => {
    it('creates an experiment once and finds it by name and id', () =>
      withBackend(async (backend, context) => {
        const first = await backend.runs.ensureExperiment('churn', context);
        const again = await backend.runs.ensureExperiment('churn', context);
        expect(again).toEqual(first);
        expect(first).toMatchObject({ name: 'churn', lifecycleStage: 'active', createdBy: 'sam', tags: {} });
        expect(await backend.runs.findExperiment({ id: first.id })).toEqual(first);
        expect(await backend.runs.findExperiment({ name: 'nothing' })).toBeUndefined();
        expect((await backend.audit.list({ actionPrefix: 'experiment.' })).map((entry) => entry.subject)).toEqual(['experiment/churn']);
      }));

    it('creates an experiment with its tags in one step; a taken name stores nothing', () =>
      withBackend(async (backend, context) => {
        expect(await backend.runs.createExperiment('churn', { team: 'growth', owner: 'ana' }, context)).toMatchObject({ name: 'churn', tags: { owner: 'ana', team: 'growth' } });
        await expect(backend.runs.createExperiment('churn', { other: 'x' }, context)).rejects.toMatchObject({ code: 'conflict' });
        expect((await backend.runs.findExperiment({ name: 'churn' }))?.tags).toEqual({ owner: 'ana', team: 'growth' });
      }));

    it('logs a batch of params, tags and metrics whole, or nothing of it', () =>
      withBackend(async (backend, context) => {
        const run = await newRun(backend, context);
        await backend.runs.logBatch(run.id, { params: { lr: '0.1' }, tags: { team: 'growth' }, metrics: [series('loss', [[0, 1, 0.9], [1, 2, 0.5]])] }, context);
        const failing = backend.runs.logBatch(run.id, { params: { depth: '6', lr: '0.2' }, tags: { team: 'core' }, metrics: [series('loss', [[2, 3, 0.1]]), series('auc', [[0, 3, 0.8]])] }, context);
        await expect(failing).rejects.toMatchObject({ code: 'conflict', issues: [{ path: 'params.lr' }] });
        expect(await backend.runs.findRun(run.id)).toMatchObject({ params: { lr: '0.1' }, tags: { team: 'growth' }, metrics: { loss: { value: 0.5, step: 1 } } });
        expect(Array.from((await backend.metrics.metricHistory(run.id, 'loss')).values)).toEqual([0.9, 0.5]);
        expect((await backend.metrics.metricHistory(run.id, 'auc')).values.length).toBe(0);
        await expect(backend.runs.logBatch('f'.repeat(32), { params: { a: '1' } }, context)).rejects.toMatchObject({ code: 'not_found' });
        await expect(backend.runs.logBatch('f'.repeat(32), { metrics: [series('auc', [[0, 1, 1]])] }, context)).rejects.toMatchObject({ code: 'not_found' });
        await backend.runs.logBatch(run.id, { metrics: [series('auc', [[0, 5, 0.75]])] }, context);
        expect((await backend.runs.findRun(run.id))?.metrics.auc).toEqual({ value: 0.75, step: 0, timestamp: 5 });
        expect((await backend.audit.list({ actionPrefix: 'run.batch-logged' })).map((entry) => entry.details.points)).toEqual([1, 2]);
      }));

    it('renames, deletes, restores and tags experiments; a deleted one takes no runs', () =>
      withBackend(async (backend, context) => {
        const churn = await backend.runs.ensureExperiment('churn', context);
        await backend.runs.ensureExperiment('delays', context);
        expect(await backend.runs.renameExperiment(churn.id, 'churn-2026', context)).toMatchObject({ name: 'churn-2026' });
        await expect(backend.runs.renameExperiment(churn.id, 'delays', context)).rejects.toMatchObject({ code: 'conflict' });
        await backend.runs.setExperimentTag(churn.id, 'team', 'growth', context);
        await backend.runs.setExperimentTag(churn.id, 'team', 'risk', context);
        expect(await backend.runs.setExperimentLifecycle(churn.id, 'deleted', context)).toMatchObject({ lifecycleStage: 'deleted', tags: { team: 'risk' } });
        await expect(backend.runs.createRun({ experimentId: churn.id, name: 'x', startTime: 0 }, context)).rejects.toMatchObject({ code: 'conflict' });
        await backend.runs.setExperimentLifecycle(churn.id, 'active', context);
        await backend.runs.createRun({ experimentId: churn.id, name: 'x', startTime: 0 }, context);
        await expect(backend.runs.setExperimentTag('999', 'a', 'b', context)).rejects.toMatchObject({ code: 'not_found' });
        expect((await backend.audit.list({ actionPrefix: 'experiment.' })).map((entry) => entry.action)).toEqual([
          'experiment.restored',
          'experiment.deleted',
          'experiment.tag-set',
          'experiment.tag-set',
          'experiment.renamed',
          'experiment.created',
          'experiment.created',
        ]);
      }));

    it('starts nested runs, ends them once, and audits each change', () =>
      withBackend(async (backend, context) => {
        const parent = await newRun(backend, context);
        expect(parent).toMatchObject({ status: 'RUNNING', startTime: 1000, userId: 'sam', gitCommit: 'abc123', command: 'train.ts', lifecycleStage: 'active' });
        expect(parent.id).toMatch(/^[0-9a-f]{32}$/);
        const child = await newRun(backend, context, { parentRunId: parent.id, name: 'fold-1' });
        expect(child.parentRunId).toBe(parent.id);
        await expect(newRun(backend, context, { parentRunId: 'f'.repeat(32) })).rejects.toMatchObject({ code: 'not_found' });
        await expect(backend.runs.createRun({ experimentId: '999', name: 'x', startTime: 0 }, context)).rejects.toMatchObject({ code: 'not_found' });

        const ended = await backend.runs.endRun(child.id, 'FAILED', 5000, context);
        expect(ended).toMatchObject({ status: 'FAILED', endTime: 5000 });
        await expect(backend.runs.endRun(child.id, 'FINISHED', 6000, context)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/already ended as FAILED/) });
        await expect(backend.runs.endRun(parent.id, 'FINISHED', 10, context)).rejects.toMatchObject({ code: 'invalid_input' });
        expect((await backend.audit.list({ actionPrefix: 'run.' })).map((entry) => [entry.action, entry.subject])).toEqual([
          ['run.ended', `run/${child.id}`],
          ['run.started', `run/${child.id}`],
          ['run.started', `run/${parent.id}`],
        ]);
      }));

    it('keeps params write-once and refuses a conflicting batch whole', () =>
      withBackend(async (backend, context) => {
        const run = await newRun(backend, context);
        await backend.runs.logParams(run.id, { lr: '0.1', depth: '6' }, context);
        await backend.runs.logParams(run.id, { lr: '0.1' }, context);
        const attempt = backend.runs.logParams(run.id, { trees: '100', lr: '0.2' }, context);
        await expect(attempt).rejects.toMatchObject({ code: 'conflict', issues: [{ path: 'params.lr', message: expect.stringMatching(/logged as "0.1", cannot become "0.2"/) }] });
        expect((await backend.runs.findRun(run.id))?.params).toEqual({ depth: '6', lr: '0.1' });
        expect((await backend.audit.list({ actionPrefix: 'run.params' })).map((entry) => entry.details)).toEqual([{ keys: ['lr', 'depth'] }]);
      }));

    it('sets, overwrites and deletes tags', () =>
      withBackend(async (backend, context) => {
        const run = await newRun(backend, context);
        await backend.runs.setTags(run.id, { team: 'growth', stage: 'dev' }, context);
        await backend.runs.setTags(run.id, { stage: 'prod' }, context);
        await backend.runs.deleteTag(run.id, 'team', context);
        await expect(backend.runs.deleteTag(run.id, 'team', context)).rejects.toMatchObject({ code: 'not_found' });
        expect((await backend.runs.findRun(run.id))?.tags).toEqual({ stage: 'prod' });
      }));

    it('refuses logging to a deleted run until it is restored', () =>
      withBackend(async (backend, context) => {
        const run = await newRun(backend, context);
        await backend.runs.setRunLifecycle(run.id, 'deleted', context);
        await expect(backend.runs.logParams(run.id, { a: '1' }, context)).rejects.toMatchObject({ code: 'conflict' });
        await expect(backend.metrics.appendMetrics(run.id, [series('loss', [[0, 1, 1]])], context)).rejects.toMatchObject({ code: 'conflict' });
        expect((await backend.runs.searchRuns({})).runs).toEqual([]);
        expect((await backend.runs.searchRuns({ lifecycle: 'deleted' })).runs.map((found) => found.id)).toEqual([run.id]);
        await backend.runs.setRunLifecycle(run.id, 'active', context);
        await backend.runs.logParams(run.id, { a: '1' }, context);
        expect((await backend.audit.list({ actionPrefix: 'run.' })).map((entry) => entry.action).slice(0, 3)).toEqual(['run.params-logged', 'run.restored', 'run.deleted']);
      }));

    it('links inputs to registered dataset versions and refuses a wrong digest', () =>
      withBackend(async (backend, context) => {
        const hash = 'ab'.repeat(32);
        await backend.datasets.registerVersions(
          [{ dataset: 'flights', hash, artifactKey: `datasets/ab/${hash}.parquet`, rowCount: 3, byteSize: 10, columns: [], lineage: {} }],
          context,
        );
        const run = await newRun(backend, context);
        await backend.runs.logInputs(run.id, [{ dataset: 'flights', digest: hash, context: 'training', versionRef: 'flights@1' }], context);
        await backend.runs.logInputs(run.id, [{ dataset: 'census', digest: 'd1', context: 'validation', source: 's3://bucket/census.csv' }], context);
        await expect(backend.runs.logInputs(run.id, [{ dataset: 'flights', digest: 'cd'.repeat(32), context: 'training', versionRef: 'flights@2' }], context)).rejects.toMatchObject({ code: 'not_found' });
        expect((await backend.runs.findRun(run.id))?.inputs).toEqual([
          { dataset: 'census', digest: 'd1', context: 'validation', source: 's3://bucket/census.csv' },
          { dataset: 'flights', digest: hash, context: 'training', versionRef: 'flights@1' },
        ]);
      }));

    it('records artifacts and lists folders one level at a time', () =>
      withBackend(async (backend, context) => {
        const run = await newRun(backend, context);
        const sha = (digit: string) => digit.repeat(64);
        await backend.runs.recordArtifacts(
          run.id,
          [
            { path: 'model/model.json', size: 10, sha256: sha('a') },
            { path: 'model/meta/card.md', size: 5, sha256: sha('b') },
            { path: 'report.html', size: 7, sha256: sha('c') },
            { path: 'modelling.txt', size: 1, sha256: sha('d') },
          ],
          context,
        );
        expect(await backend.runs.listArtifacts(run.id, '')).toEqual([
          { path: 'model', isDir: true },
          { path: 'modelling.txt', isDir: false, size: 1 },
          { path: 'report.html', isDir: false, size: 7 },
        ]);
        expect(await backend.runs.listArtifacts(run.id, 'model')).toEqual([
          { path: 'model/meta', isDir: true },
          { path: 'model/model.json', isDir: false, size: 10 },
        ]);
        expect((await backend.runs.findArtifacts(run.id, 'model')).map((artifact) => artifact.path)).toEqual(['model/meta/card.md', 'model/model.json']);
        expect((await backend.runs.findArtifacts(run.id, 'report.html')).map((artifact) => artifact.sha256)).toEqual([sha('c')]);
        // Deleting a folder takes what is under it, not a sibling sharing its prefix; nothing there deletes nothing.
        expect(await backend.runs.deleteArtifacts(run.id, 'model', context)).toBe(2);
        expect(await backend.runs.deleteArtifacts(run.id, 'model', context)).toBe(0);
        expect((await backend.runs.findArtifacts(run.id, '')).map((artifact) => artifact.path)).toEqual(['modelling.txt', 'report.html']);
        expect(await backend.runs.deleteArtifacts(run.id, '', context)).toBe(2);
        expect(await backend.runs.listArtifacts(run.id, '')).toEqual([]);
        expect((await backend.audit.list({ actionPrefix: 'run.artifacts-deleted' })).map((entry) => entry.details).reverse()).toEqual([{ path: 'model', files: 2 }, { path: '', files: 2 }]);
      }));
  });

  describe(`metric histories (${name})`, () => {
    it('appends points in order and keeps the latest by step, then time, then value', () =>
      withBackend(async (backend, context) => {
        const run = await newRun(backend, context);
        await backend.metrics.appendMetrics(run.id, [series('loss', [[0, 100, 0.9], [1, 101, 0.5], [1, 99, 0.7]]), series('auc', [[0, 100, 0.6]])], context);
        await backend.metrics.appendMetrics(run.id, [series('loss', [[1, 101, 0.6], [0, 200, 0.1]])], context);
        const history = await backend.metrics.metricHistory(run.id, 'loss');
        expect([...history.steps]).toEqual([0, 1, 1, 1, 0]);
        expect([...history.values]).toEqual([0.9, 0.5, 0.7, 0.6, 0.1]);
        expect((await backend.runs.findRun(run.id))?.metrics).toEqual({ auc: { value: 0.6, step: 0, timestamp: 100 }, loss: { value: 0.6, step: 1, timestamp: 101 } });
        expect((await backend.metrics.metricHistory(run.id, 'nothing')).values).toHaveLength(0);
        expect((await backend.audit.list({ actionPrefix: 'run.metrics' })).map((entry) => entry.details)).toEqual([
          { points: 2, keys: ['loss'] },
          { points: 4, keys: ['loss', 'auc'] },
        ]);
      }));

    it('keeps NaN and infinities exactly, and a NaN latest value reads back as NaN', () =>
      withBackend(async (backend, context) => {
        const run = await newRun(backend, context);
        await backend.metrics.appendMetrics(run.id, [series('x', [[0, 1, Infinity], [1, 1, -Infinity], [2, 1, NaN]])], context);
        expect([...(await backend.metrics.metricHistory(run.id, 'x')).values]).toEqual([Infinity, -Infinity, NaN]);
        expect((await backend.runs.findRun(run.id))?.metrics.x?.value).toBeNaN();
      }));

    it('writes long series in several chunks and reads them back whole', () =>
      withBackend(async (backend, context) => {
        const run = await newRun(backend, context);
        const count = 150_000;
        const steps = new Float64Array(count).map((_, index) => index);
        const values = new Float64Array(count).map((_, index) => Math.sin(index));
        await backend.metrics.appendMetrics(run.id, [{ key: 'wave', steps, timestamps: steps.map((step) => 1000 + step), values }], context);
        const history = await backend.metrics.metricHistory(run.id, 'wave');
        expect(history.values).toEqual(values);
        expect(history.timestamps[count - 1]).toBe(1000 + count - 1);
        expect((await backend.runs.findRun(run.id))?.metrics.wave).toEqual({ value: Math.sin(count - 1), step: count - 1, timestamp: 1000 + count - 1 });
      }));

    it('updates a run as MLflow does: ends again, reopens, renames; deletes experiment tags', () =>
      withBackend(async (backend, context) => {
        const run = await newRun(backend, context);
        await backend.runs.endRun(run.id, 'FINISHED', 2000, context);
        expect(await backend.runs.updateRunInfo(run.id, { status: 'KILLED', endTime: 3000 }, context)).toMatchObject({ status: 'KILLED', endTime: 3000 });
        const reopened = await backend.runs.updateRunInfo(run.id, { status: 'RUNNING', endTime: null, name: 'resumed' }, context);
        expect(reopened).toMatchObject({ status: 'RUNNING', name: 'resumed' });
        expect(reopened.endTime).toBeUndefined();
        await expect(backend.runs.updateRunInfo(run.id, { status: 'FINISHED', endTime: 999 }, context)).rejects.toMatchObject({ code: 'invalid_input' });
        // Newest first.
        expect((await backend.audit.list({ actionPrefix: 'run.updated' })).map((entry) => entry.details)).toEqual([
          { status: 'RUNNING', was: 'KILLED', name: 'resumed', endTime: null },
          { status: 'KILLED', was: 'FINISHED', endTime: 3000 },
        ]);
        const experiment = await backend.runs.ensureExperiment('churn', context);
        await backend.runs.setExperimentTag(experiment.id, 'team', 'growth', context);
        await backend.runs.deleteExperimentTag(experiment.id, 'team', context);
        expect((await backend.runs.findExperiment({ id: experiment.id }))?.tags).toEqual({});
        await expect(backend.runs.deleteExperimentTag(experiment.id, 'team', context)).rejects.toMatchObject({ code: 'not_found' });
      }));

    it('writes nothing for an unknown run or mismatched arrays', () =>
      withBackend(async (backend, context) => {
        const run = await newRun(backend, context);
        await expect(backend.metrics.appendMetrics('0'.repeat(32), [series('loss', [[0, 1, 1]])], context)).rejects.toMatchObject({ code: 'not_found' });
        const bad = { key: 'loss', steps: new Float64Array(2), timestamps: new Float64Array(1), values: new Float64Array(2) };
        await expect(backend.metrics.appendMetrics(run.id, [series('auc', [[0, 1, 1]]), bad], context)).rejects.toMatchObject({ code: 'invalid_input' });
        expect((await backend.metrics.metricHistory(run.id, 'auc')).values).toHaveLength(0);
        expect(await backend.audit.list({ actionPrefix: 'run.metrics' })).toEqual([]);
      }));
  });
}
