import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, testContext } from '../../test/support/temp-dir.js';
import { createWorkspace, openWorkspace, type Workspace } from '../store/workspace.js';
import { artifactFile, downloadArtifacts } from './run-artifacts.js';
import { startRun, withRun } from './start-run.js';

async function workspace(): Promise<{ workspace: Workspace; root: string; context: ReturnType<typeof testContext> }> {
  const root = tempDir();
  const context = testContext('ana');
  const { workspace } = await createWorkspace(root, 'tracking-test', context);
  return { workspace, root, context };
}

const quiet = { gitCommit: false, command: false } as const;

describe('startRun', () => {
  it('logs params, metrics, tags and ends the run, each change audited', async () => {
    const { workspace: ws, context } = await workspace();
    const run = await startRun({ experiment: 'churn', name: 'gbdt', workspace: ws, context, gitCommit: 'a'.repeat(40), command: 'node train.js', tags: { team: 'growth' } });
    await run.logParams({ lr: 0.1, depth: 6, early: true });
    run.logMetric('loss', 0.9, 0, 1000);
    run.logMetrics({ loss: 0.5, auc: 0.8 }, 1, 2000);
    await run.setTag('stage', 'dev');
    const ended = await run.end();
    expect(ended).toMatchObject({ status: 'FINISHED', name: 'gbdt' });
    const stored = await ws.runs.findRun(run.id);
    expect(stored).toMatchObject({
      params: { lr: '0.1', depth: '6', early: 'true' },
      tags: { team: 'growth', stage: 'dev' },
      metrics: { loss: { value: 0.5, step: 1, timestamp: 2000 }, auc: { value: 0.8, step: 1, timestamp: 2000 } },
      gitCommit: 'a'.repeat(40),
      command: 'node train.js',
      userId: 'ana',
    });
    expect([...(await ws.metrics.metricHistory(run.id, 'loss')).values]).toEqual([0.9, 0.5]);
    expect((await ws.audit.list({ actionPrefix: 'run.' })).map((entry) => entry.action).reverse()).toEqual([
      'run.started',
      'run.params-logged',
      'run.tags-set',
      'run.metrics-logged',
      'run.ended',
    ]);
    await expect(run.end()).rejects.toMatchObject({ code: 'conflict' });
    expect(() => run.logMetric('loss', 1)).toThrow(/has ended/);
    await ws.close();
  });

  it('nests runs and refuses bad names and values before anything is written', async () => {
    const { workspace: ws, context } = await workspace();
    const parent = await startRun({ experiment: 'tuning', workspace: ws, context, ...quiet });
    const child = await startRun({ experiment: 'tuning', parent, workspace: ws, context, ...quiet });
    expect(child.info.parentRunId).toBe(parent.id);
    expect(parent.info.name).toBe(`run-${parent.id.slice(0, 8)}`);
    expect(() => child.logMetric('../loss', 1)).toThrow(/metrics\.\.\.\/loss: names are used as paths/);
    expect(() => child.logMetric('loss', Number('1') as never, 1.5)).toThrow(/the step must be a whole number, got 1.5/);
    expect(() => child.logMetric('loss', '1' as never)).toThrow(/the value must be a number/);
    await expect(child.logParams({ 'bad key!': 1 })).rejects.toMatchObject({ code: 'invalid_input', issues: [{ path: 'params.bad key!' }] });
    await expect(child.logParams({ text: 'x'.repeat(6001) })).rejects.toThrow(/6001 characters, more than the limit of 6000/);
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, index) => [`p${index}`, index]));
    await expect(child.logParams(many)).rejects.toThrow(/at most 100 params, got 101/);
    await child.logParam('lr', 0.1);
    await expect(child.logParam('lr', 0.2)).rejects.toMatchObject({ code: 'conflict' });
    await expect(startRun({ experiment: '', workspace: ws, context })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(startRun({ experiment: 'x', parent: 'nope', workspace: ws, context })).rejects.toThrow(/parent: "nope" is not a run id/);
    await child.end('KILLED');
    await parent.end();
    expect((await ws.runs.findRun(child.id))?.params).toEqual({ lr: '0.1' });
    await ws.close();
  });

  it('writes full buffers on its own and reports a failed write on the next call', async () => {
    const { workspace: ws, context } = await workspace();
    const run = await startRun({ experiment: 'e', workspace: ws, context, flushEvery: 3, ...quiet });
    for (let step = 0; step < 7; step++) run.logMetric('loss', 1 / (step + 1), step, 5000);
    await run.flush();
    expect((await ws.metrics.metricHistory(run.id, 'loss')).values).toHaveLength(7);
    await ws.runs.setRunLifecycle(run.id, 'deleted', context);
    for (let step = 0; step < 3; step++) run.logMetric('loss', 0, step, 5000);
    await expect(run.flush()).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/is deleted/) });
    await ws.close();
  });

  it('links dataset versions as inputs', async () => {
    const { workspace: ws, context } = await workspace();
    const hash = 'cd'.repeat(32);
    await ws.datasets.registerVersions([{ dataset: 'flights', hash, artifactKey: `datasets/cd/${hash}.parquet`, rowCount: 1, byteSize: 1, columns: [], lineage: {} }], context);
    const run = await startRun({ experiment: 'e', workspace: ws, context, ...quiet });
    expect(await run.logInput('flights@1', 'training')).toEqual({ dataset: 'flights', digest: hash, context: 'training', versionRef: 'flights@1' });
    await run.logInput({ name: 'holdout', digest: 'abc', source: 'https://example.com/holdout.csv' }, 'validation');
    await expect(run.logInput('flights@7')).rejects.toMatchObject({ code: 'not_found' });
    await expect(run.logInput({ name: 'x', digest: 'y'.repeat(65) })).rejects.toThrow(/dataset.digest: must have 1 to 64 characters/);
    expect((await ws.runs.findRun(run.id))?.inputs.map((input) => `${input.dataset}:${input.context}`)).toEqual(['flights:training', 'holdout:validation']);
    await run.end();
    await ws.close();
  });

  it('opens the workspace by folder and closes it at the end', async () => {
    const { workspace: ws, root, context } = await workspace();
    await ws.close();
    const run = await withRun({ experiment: 'e', workspace: root, context, ...quiet }, async (active) => {
      active.logMetric('x', 1, 0, 1);
      return active;
    });
    await expect(withRun({ experiment: 'e', workspace: root, context, ...quiet }, async () => Promise.reject(new Error('diverged')))).rejects.toThrow('diverged');
    const reopened = await openWorkspace(root, context);
    const runs = (await reopened.runs.searchRuns({})).runs;
    expect(runs.map((found) => [found.id === run.id, found.status])).toEqual(expect.arrayContaining([[true, 'FINISHED'], [false, 'FAILED']]));
    await reopened.close();
  });
});

describe('run artifacts', () => {
  it('logs files and folders, stores equal content once, and downloads them back', async () => {
    const { workspace: ws, root, context } = await workspace();
    const source = path.join(root, 'out');
    mkdirSync(path.join(source, 'model', 'meta'), { recursive: true });
    writeFileSync(path.join(source, 'model', 'model.json'), '{"trees":[]}');
    writeFileSync(path.join(source, 'model', 'meta', 'card.md'), '# card');
    writeFileSync(path.join(source, 'report.html'), '{"trees":[]}');
    const run = await startRun({ experiment: 'e', workspace: ws, context, ...quiet });
    const folder = await run.logArtifact(path.join(source, 'model'));
    expect(folder.map((artifact) => artifact.path)).toEqual(['model/meta/card.md', 'model/model.json']);
    const [report] = await run.logArtifact(path.join(source, 'report.html'), 'reports/v1');
    expect(report).toMatchObject({ path: 'reports/v1/report.html', size: 12 });
    expect(report?.sha256).toBe(folder[1]?.sha256);
    expect(await ws.runs.listArtifacts(run.id, '')).toEqual([
      { path: 'model', isDir: true },
      { path: 'reports', isDir: true },
    ]);
    const { file } = await artifactFile(ws, run.id, 'model/meta/card.md');
    expect(readFileSync(file, 'utf8')).toBe('# card');
    const destination = path.join(root, 'download');
    const written = await downloadArtifacts(ws, run.id, 'model', destination);
    expect(written.map((target) => path.relative(destination, target))).toEqual([path.join('model', 'meta', 'card.md'), path.join('model', 'model.json')]);
    expect(readFileSync(path.join(destination, 'model', 'model.json'), 'utf8')).toBe('{"trees":[]}');
    await run.end();
    await ws.close();
  });

  it('refuses links inside a folder, escaping paths and links planted in the destination, recording nothing', async () => {
    const { workspace: ws, root, context } = await workspace();
    const source = path.join(root, 'out');
    mkdirSync(source);
    writeFileSync(path.join(source, 'ok.txt'), 'ok');
    writeFileSync(path.join(root, 'secret.txt'), 'secret');
    symlinkSync(path.join(root, 'secret.txt'), path.join(source, 'link.txt'));
    const run = await startRun({ experiment: 'e', workspace: ws, context, ...quiet });
    await expect(run.logArtifact(source)).rejects.toThrow(/link.txt: is a symbolic link/);
    await expect(run.logArtifact(path.join(source, 'ok.txt'), '../outside')).rejects.toThrow(/has a \.\. part/);
    await expect(run.logArtifact(path.join(source, 'ok.txt'), '%2e%2e/outside')).rejects.toThrow(/decodes to "\.\.\/outside"/);
    await expect(run.logArtifact(path.join(source, 'ok.txt'), '/etc')).rejects.toThrow(/is absolute/);
    expect(await ws.runs.findArtifacts(run.id, '')).toEqual([]);
    expect(await ws.audit.list({ actionPrefix: 'run.artifacts' })).toEqual([]);

    await run.logArtifact(path.join(source, 'ok.txt'), 'docs');
    const destination = path.join(root, 'download');
    mkdirSync(destination);
    symlinkSync(root, path.join(destination, 'docs'));
    await expect(downloadArtifacts(ws, run.id, 'docs', destination)).rejects.toThrow(/docs: is a symbolic link; refusing to write through it/);
    await expect(downloadArtifacts(ws, run.id, '../docs', destination)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(artifactFile(ws, run.id, 'docs/%2e%2e/%2e%2e/metadata.db')).rejects.toMatchObject({ code: 'invalid_input' });
    await run.end();
    await ws.close();
  });
});
