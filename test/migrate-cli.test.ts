/**
 * `mlcycle migrate`: a workspace on SQLite and files is copied to a fresh PostgreSQL database and an S3
 * API server (s3rver), read there from another machine's folder, refused when the target is not empty,
 * and copied back to SQLite and files; counts and digests are checked by the command, and here by
 * reading the data back through the stores.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWorkspace, openWorkspace, type Workspace } from '../src/store/workspace.js';
import { artifactBlobKey } from '../src/tracking/run-artifacts.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';
import { startObjectStore, type TestObjectStore } from './support/object-store.js';
import { runMlcycleAsync } from './support/run-cli.js';
import { tempDir, testContext } from './support/temp-dir.js';

const databases: TestDatabase[] = [];
const objectStores: TestObjectStore[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const database of databases.splice(0)) await database.drop();
  for (const store of objectStores.splice(0)) await store.close();
});

const MODEL = '{"kind":"route-rate","rates":{"ORD":0.31}}';

/** A workspace on SQLite and files with runs, metrics, artifacts, versions, an alias and a webhook. */
async function populated(): Promise<{ dir: string; runId: string; sha256: string }> {
  const dir = tempDir();
  const { workspace } = await createWorkspace(dir, 'team', testContext('ana'));
  try {
    const context = testContext('ana');
    const experiment = await workspace.runs.ensureExperiment('delays', context);
    const run = await workspace.runs.createRun({ experimentId: experiment.id, name: 'gbdt', startTime: 0 }, context);
    await workspace.runs.logBatch(
      run.id,
      { params: { depth: '6' }, tags: { team: 'ops' }, metrics: [{ key: 'loss', steps: Float64Array.from({ length: 500 }, (_, i) => i), timestamps: new Float64Array(500).fill(1), values: Float64Array.from({ length: 500 }, (_, i) => 1 / (i + 1)) }] },
      context,
    );
    const staged = await workspace.artifacts.stagingPath('.json');
    writeFileSync(staged, MODEL);
    const { createHash } = await import('node:crypto');
    const sha256 = createHash('sha256').update(MODEL).digest('hex');
    await workspace.artifacts.commit(staged, artifactBlobKey(sha256));
    await workspace.runs.recordArtifacts(run.id, [{ path: 'model/model.json', size: MODEL.length, sha256 }], context);
    for (let i = 0; i < 3; i++) await workspace.registry.createVersion({ model: 'delay-alert', runId: run.id, source: 'model', createModel: true }, context);
    await workspace.registry.setAlias('delay-alert', 'champion', 2, context);
    await workspace.webhooks.addWebhook({ url: 'https://hooks.example.com/x', events: [], secret: 'a-secret-of-some-length' }, context);
    return { dir, runId: run.id, sha256 };
  } finally {
    await workspace.close();
  }
}

async function counts(workspace: Workspace, runId: string) {
  return {
    runs: (await workspace.runs.searchRuns({ maxResults: 100 })).runs.length,
    points: (await workspace.metrics.metricHistory(runId, 'loss')).values.length,
    versions: (await workspace.registry.listVersions('delay-alert')).map((version) => version.version).sort((x, y) => x - y),
    aliases: (await workspace.registry.findModel('delay-alert'))?.aliases,
    events: (await workspace.registry.listEvents({ limit: 1000 })).length,
    webhooks: (await workspace.webhooks.listWebhooks()).length,
    audit: (await workspace.audit.list({ limit: 10_000 })).length,
  };
}

describe('mlcycle migrate', () => {
  it('copies a workspace to PostgreSQL and S3 and back, verified, and refuses a target that is not empty', async () => {
    const { dir, runId, sha256 } = await populated();
    const database = await createTestDatabase();
    databases.push(database);
    const objects = await startObjectStore();
    objectStores.push(objects);
    const before = await (async () => {
      const workspace = await openWorkspace(dir, testContext());
      try {
        return await counts(workspace, runId);
      } finally {
        await workspace.close();
      }
    })();
    expect(before).toMatchObject({ points: 500, versions: [1, 2, 3], aliases: { champion: 2 }, webhooks: 1 });

    const out = await runMlcycleAsync(['migrate', '--to', database.uri, '--artifacts', `s3://${objects.bucket}/team`], { cwd: dir, env: objects.environment });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/artifacts: 1 file\(s\), 42 bytes copied to s3:\/\/mlcycle-test\/team/);
    expect(out.stdout).toMatch(/metric_chunks\s+\d+\s+sha256 [0-9a-f]{16}/);

    // Another machine's folder on the copied stores sees the same workspace, reads the artifact from the
    // object store, and keeps numbering where the copy left off.
    for (const [name, value] of Object.entries(objects.environment)) vi.stubEnv(name, value);
    vi.stubEnv('MLCYCLE_STORE', database.uri);
    vi.stubEnv('MLCYCLE_ARTIFACTS', `s3://${objects.bucket}/team`);
    const machine = tempDir();
    const { workspace: shared } = await createWorkspace(machine, 'ignored', testContext('ben'));
    try {
      const after = await counts(shared, runId);
      expect(after).toEqual({ ...before, audit: after.audit });
      expect(after.audit).toBeGreaterThanOrEqual(before.audit);
      expect(readFileSync(await shared.artifacts.localCopy(artifactBlobKey(sha256)), 'utf8')).toBe(MODEL);
      const fourth = await shared.registry.createVersion({ model: 'delay-alert', runId, source: 'model' }, testContext('ben'));
      expect(fourth.version).toBe(4);
      const experiment = await shared.runs.ensureExperiment('later', testContext('ben'));
      expect(Number(experiment.id)).toBeGreaterThan(Number((await shared.runs.listExperiments()).find((one) => one.name === 'delays')?.id));
    } finally {
      await shared.close();
    }
    vi.unstubAllEnvs();

    // A second copy into the same database or bucket is refused with exit 2, naming what is there.
    const again = await runMlcycleAsync(['migrate', '--to', database.uri], { cwd: dir, env: objects.environment });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is not empty: it holds .*rows/);
    const bucket = await runMlcycleAsync(['migrate', '--artifacts', `s3://${objects.bucket}/team`], { cwd: dir, env: objects.environment });
    expect(bucket.code).toBe(2);
    expect(bucket.stderr).toMatch(/s3:\/\/mlcycle-test\/team is not empty: it holds 1 object/);
    const wrong = await runMlcycleAsync(['migrate', '--to', 'mysql://db/x'], { cwd: dir });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--to: expected postgresql:\/\/user@host:port\/database or sqlite, got "mysql:\/\/db\/x"/);

    // And back: the other machine's folder copies the team's stores into its own SQLite file and folder.
    const env = { ...objects.environment, MLCYCLE_STORE: database.uri, MLCYCLE_ARTIFACTS: `s3://${objects.bucket}/team` };
    const back = await runMlcycleAsync(['migrate', '--to', 'sqlite', '--artifacts', 'files'], { cwd: machine, env });
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/artifacts: 1 file\(s\)/);
    const local = await openWorkspace(machine, testContext());
    try {
      const copied = await counts(local, runId);
      expect(copied).toMatchObject({ runs: before.runs + 0, points: 500, versions: [1, 2, 3, 4], aliases: { champion: 2 }, webhooks: 1 });
      expect(readFileSync(local.artifacts.localPath(artifactBlobKey(sha256)), 'utf8')).toBe(MODEL);
    } finally {
      await local.close();
    }
  }, 120_000);
});
