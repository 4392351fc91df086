import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { tempDir, testContext } from '../../../test/support/temp-dir.js';
import { startObjectStore } from '../../../test/support/object-store.js';
import { artifactStoreUri, createWorkspace, metadataStoreUri, type Workspace } from '../workspace.js';

const opened: Workspace[] = [];
const databases: TestDatabase[] = [];
afterEach(async () => {
  for (const workspace of opened.splice(0)) await workspace.close();
  for (const database of databases.splice(0)) await database.drop();
  vi.unstubAllEnvs();
});

/** Two machines' workspaces (two folders, two pools) on one PostgreSQL named by MLCYCLE_STORE. */
async function twoMachines(): Promise<[Workspace, Workspace]> {
  const database = await createTestDatabase();
  databases.push(database);
  vi.stubEnv('MLCYCLE_STORE', database.uri);
  const pair: Workspace[] = [];
  for (const actor of ['ana', 'ben']) {
    const { workspace } = await createWorkspace(tempDir(), 'team', testContext(actor));
    opened.push(workspace);
    pair.push(workspace);
  }
  return pair as [Workspace, Workspace];
}

describe('a workspace on PostgreSQL (MLCYCLE_STORE)', () => {
  it('shares runs between machines; the second init joins the first one', async () => {
    const [a, b] = await twoMachines();
    const experiment = await a.runs.ensureExperiment('delays', testContext('ana'));
    const run = await a.runs.createRun({ experimentId: experiment.id, name: 'baseline', startTime: 0 }, testContext('ana'));
    expect(await b.runs.findRun(run.id)).toMatchObject({ id: run.id, name: 'baseline' });
    const created = (await b.audit.list({ actionPrefix: 'workspace.created' })).length;
    expect(created).toBe(1);
    expect(existsSync(a.databaseFile)).toBe(true);
  });

  it('numbers versions without gaps or duplicates and moves aliases atomically under parallel writers', async () => {
    const [a, b] = await twoMachines();
    const context = testContext('ana');
    const experiment = await a.runs.ensureExperiment('delays', context);
    const run = await a.runs.createRun({ experimentId: experiment.id, name: 'gbdt', startTime: 0 }, context);
    await a.runs.recordArtifacts(run.id, [{ path: 'model/model.json', size: 3, sha256: 'a'.repeat(64) }], context);
    await a.registry.createModel('delay-alert', '', context);
    const registered = await Promise.all(
      Array.from({ length: 24 }, (_, index) => (index % 2 === 0 ? a : b).registry.createVersion({ model: 'delay-alert', runId: run.id, source: 'model' }, testContext(index % 2 === 0 ? 'ana' : 'ben'))),
    );
    expect(registered.map((version) => version.version).sort((x, y) => x - y)).toEqual(Array.from({ length: 24 }, (_, index) => index + 1));
    // Twelve parallel moves of one alias: each event names the version it really replaced, so the
    // previous versions chain from null through every move to the final one.
    await Promise.all(Array.from({ length: 12 }, (_, index) => (index % 2 === 0 ? a : b).registry.setAlias('delay-alert', 'champion', index + 1, testContext())));
    const moves = (await a.registry.listEvents({ limit: 1000 })).filter((event) => event.type === 'model_version.alias_set');
    expect(moves).toHaveLength(12);
    const previous = moves.map((event) => event.details.previousVersion);
    expect(previous[0]).toBeNull();
    for (let index = 1; index < moves.length; index++) expect(previous[index]).toBe(moves[index - 1]?.version);
    expect((await b.registry.findModel('delay-alert'))?.aliases).toEqual({ champion: moves.at(-1)?.version });
  });

  it('loses no write when both machines log batches to one run in parallel', async () => {
    const [a, b] = await twoMachines();
    const context = testContext('ana');
    const experiment = await a.runs.ensureExperiment('delays', context);
    const run = await a.runs.createRun({ experimentId: experiment.id, name: 'gbdt', startTime: 0 }, context);
    await Promise.all(
      Array.from({ length: 16 }, (_, batch) =>
        (batch % 2 === 0 ? a : b).runs.logBatch(
          run.id,
          {
            params: { [`p${batch}`]: String(batch) },
            tags: { [`t${batch}`]: 'x' },
            metrics: [{ key: 'loss', steps: Float64Array.from({ length: 100 }, (_, i) => batch * 100 + i), timestamps: new Float64Array(100).fill(1), values: Float64Array.from({ length: 100 }, (_, i) => batch * 100 + i) }],
          },
          testContext(batch % 2 === 0 ? 'ana' : 'ben'),
        ),
      ),
    );
    const history = await b.metrics.metricHistory(run.id, 'loss');
    expect([...history.steps].sort((x, y) => x - y)).toEqual(Array.from({ length: 1600 }, (_, i) => i));
    const found = await a.runs.findRun(run.id);
    expect(Object.keys(found?.params ?? {})).toHaveLength(16);
    expect(Object.keys(found?.tags ?? {}).filter((key) => key.startsWith('t'))).toHaveLength(16);
    expect(found?.metrics.loss).toMatchObject({ step: 1599, value: 1599 });
  });

  it('shares artifacts through the object store named by MLCYCLE_ARTIFACTS', async () => {
    const server = await startObjectStore();
    try {
      for (const [name, value] of Object.entries(server.environment)) vi.stubEnv(name, value);
      vi.stubEnv('MLCYCLE_ARTIFACTS', `s3://${server.bucket}/team`);
      const [a, b] = await twoMachines();
      const staged = await a.artifacts.stagingPath('.json');
      writeFileSync(staged, '{"model":1}');
      await a.artifacts.commit(staged, 'models/m1/model.json');
      expect(b.artifacts.exists('models/m1/model.json')).toBe(false);
      expect(await b.artifacts.has('models/m1/model.json')).toBe(true);
      expect(await b.artifacts.size('models/m1/model.json')).toBe(11);
      // A reader on the second machine gets a local copy, pulled from the object store.
      expect(readFileSync(await b.artifacts.localCopy('models/m1/model.json'), 'utf8')).toBe('{"model":1}');
      expect(b.artifacts.exists('models/m1/model.json')).toBe(true);
      expect(await b.artifacts.has('models/m9/model.json')).toBe(false);
      expect(artifactStoreUri({ MLCYCLE_ARTIFACTS: 'files' })).toBeUndefined();
      expect(() => artifactStoreUri({ MLCYCLE_ARTIFACTS: '/mnt/x' })).toThrow(/"\/mnt\/x": expected s3:\/\/bucket\/prefix/);
    } finally {
      for (const workspace of opened.splice(0)) await workspace.close();
      await server.close();
    }
  });

  it('refuses an MLCYCLE_STORE that is not PostgreSQL, naming the variable', () => {
    expect(() => metadataStoreUri({ MLCYCLE_STORE: 'mysql://db/x' })).toThrow(/MLCYCLE_STORE="mysql:\/\/db\/x": expected postgresql:/);
    expect(metadataStoreUri({})).toBeUndefined();
  });
});
