/** `mlcycle doctor` on a real workspace: a sound one passes; damage is reported, the safe part repaired. */
import { existsSync, mkdirSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createWorkspace } from '../src/store/workspace.js';
import { artifactBlobKey, storeBlob } from '../src/tracking/run-artifacts.js';
import { runMlcycle } from './support/run-cli.js';
import { tempDir, testContext } from './support/temp-dir.js';

const LONG_AGO = new Date('2020-01-01T00:00:00Z');

async function workspaceWithArtifacts() {
  const root = tempDir();
  const context = testContext();
  const { workspace } = await createWorkspace(root, 'doctor', context);
  const experiment = await workspace.runs.ensureExperiment('e', context);
  const run = await workspace.runs.createRun({ experimentId: experiment.id, name: 'r', startTime: 1 }, context);
  const blobs = [];
  for (const [name, bytes] of [['a.txt', 'first artifact'], ['b.txt', 'second artifact'], ['c.txt', 'third artifact']] as const) {
    const stored = await storeBlob(workspace.artifacts, Readable.from([Buffer.from(bytes)]));
    await workspace.runs.recordArtifacts(run.id, [{ path: name, ...stored }], context);
    blobs.push(workspace.artifacts.localPath(artifactBlobKey(stored.sha256)));
  }
  const artifactsDir = workspace.artifactsDir;
  await workspace.close();
  return { root, blobs, artifactsDir };
}

const doctor = (root: string, ...args: string[]) => {
  const result = runMlcycle(['doctor', '--json', ...args], { cwd: root });
  return { code: result.code, report: JSON.parse(result.stdout) as { findings: { kind: string; subject: string; repaired?: string }[]; remaining: number } };
};

describe('mlcycle doctor', () => {
  it('passes a sound workspace', async () => {
    const { root } = await workspaceWithArtifacts();
    expect(doctor(root)).toEqual({ code: 0, report: { findings: [], remaining: 0 } });
  });

  it('reports missing, linked, rewritten and orphan blobs and staging leftovers, and repairs what is safe', async () => {
    const { root, blobs, artifactsDir } = await workspaceWithArtifacts();
    const [deleted, linked, rewritten] = blobs as [string, string, string];
    unlinkSync(deleted);
    const outside = path.join(tempDir(), 'outside.txt');
    writeFileSync(outside, 'second artifact');
    unlinkSync(linked);
    symlinkSync(outside, linked);
    writeFileSync(rewritten, 'THIRD ARTIFACT');
    const oldOrphan = path.join(artifactsDir, 'blobs', 'ab', 'ab'.repeat(32));
    const freshOrphan = path.join(artifactsDir, 'blobs', 'cd', 'cd'.repeat(32));
    for (const file of [oldOrphan, freshOrphan]) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, 'nobody');
    }
    utimesSync(oldOrphan, LONG_AGO, LONG_AGO);
    const leftover = path.join(artifactsDir, '.staging', 'crashed.blob');
    mkdirSync(path.dirname(leftover), { recursive: true });
    writeFileSync(leftover, 'half');
    utimesSync(leftover, LONG_AGO, LONG_AGO);

    const checked = doctor(root);
    expect(checked.code).toBe(1);
    expect(checked.report.findings.map((finding) => finding.kind).sort()).toEqual(['damaged blob', 'damaged blob', 'missing blob', 'orphan blob', 'orphan blob', 'staging leftover']);
    expect(checked.report.findings.every((finding) => finding.repaired === undefined)).toBe(true);
    expect(existsSync(leftover)).toBe(true);

    const repaired = doctor(root, '--repair');
    expect(repaired.code).toBe(1);
    expect([existsSync(oldOrphan), existsSync(freshOrphan), existsSync(leftover), existsSync(linked), existsSync(rewritten), existsSync(outside)]).toEqual([false, true, false, false, false, true]);
    const after = doctor(root);
    expect(after.code).toBe(1);
    expect(after.report.findings.map((finding) => finding.kind).sort()).toEqual(['missing blob', 'missing blob', 'missing blob', 'orphan blob']);
  });
});

describe('mlcycle doctor beyond run artifacts', () => {
  it('checks dataset files, evaluation documents and pipeline step outputs, and tells their orphans apart', async () => {
    const root = tempDir();
    expect(runMlcycle(['init', '--name', 'doctor'], { cwd: root }).code).toBe(0);
    writeFileSync(path.join(root, 'd.csv'), 'x,y\n1,2\n3,4\n');
    expect(runMlcycle(['data', 'add', 'd.csv', '--name', 'd'], { cwd: root }).code).toBe(0);
    const context = testContext();
    const { openWorkspace } = await import('../src/store/workspace.js');
    const workspace = await openWorkspace(root, context);
    // A pipeline step's output is a blob no run records: the doctor must count it as recorded, not orphaned.
    const output = await storeBlob(workspace.artifacts, Readable.from([Buffer.from('step output')]));
    await workspace.stepCache.save({ cacheKey: 'k'.repeat(64), step: 'fit', codeVersion: '1', params: {}, inputs: {}, outputs: { model: output }, summary: {}, seconds: 1, runId: undefined, createdAt: '2026-01-01T00:00:00Z', createdBy: 'test' });
    const [version] = await workspace.datasets.listVersions('d');
    const datasetFile = workspace.artifacts.localPath(version?.artifactKey ?? '');
    const stepFile = workspace.artifacts.localPath(artifactBlobKey(output.sha256));
    const artifactsDir = workspace.artifactsDir;
    await workspace.close();
    expect(doctor(root)).toEqual({ code: 0, report: { findings: [], remaining: 0 } });

    writeFileSync(datasetFile, 'not the parquet file it was');
    writeFileSync(stepFile, 'STEP OUTPUT');
    const strayDir = path.join(artifactsDir, 'evaluations');
    mkdirSync(strayDir, { recursive: true });
    const stray = path.join(strayDir, `${'e'.repeat(64)}.json`);
    writeFileSync(stray, '{}');
    utimesSync(stray, LONG_AGO, LONG_AGO);
    const checked = doctor(root);
    expect(checked.code).toBe(1);
    expect(checked.report.findings.map((finding) => `${finding.kind}: ${finding.subject}`).sort()).toEqual([
      `damaged artifact: ${version?.artifactKey}`,
      `damaged blob: ${output.sha256}`,
      `orphan artifact: ${path.relative(root, stray)}`,
    ]);
    const repaired = doctor(root, '--repair');
    expect(repaired.report.findings.filter((finding) => finding.repaired !== undefined).length).toBe(3);
    expect([existsSync(datasetFile), existsSync(stepFile), existsSync(stray)]).toEqual([false, false, false]);
    const after = doctor(root);
    expect(after.report.findings.map((finding) => finding.kind).sort()).toEqual(['missing artifact', 'missing blob']);
    expect(after.code).toBe(1);
  });
});

describe('mlcycle doctor on a corrupted database', () => {
  it('reports the damage clearly, without a stack trace, and exits 2 leaving the file untouched', async () => {
    const { root } = await workspaceWithArtifacts();
    const { openSync, writeSync, closeSync, statSync, readdirSync } = await import('node:fs');
    const database = readdirSync(path.join(root, '.mlcycle')).find((name) => name.endsWith('.db'));
    expect(database).toBeDefined();
    const file = path.join(root, '.mlcycle', database as string);
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(8192);
    // Overwrite the second page onwards (past the header, so SQLite still opens the file) with garbage.
    const descriptor = openSync(file, 'r+');
    writeSync(descriptor, Buffer.alloc(size - 4096, 0xab), 0, size - 4096, 4096);
    closeSync(descriptor);
    const result = runMlcycle(['doctor'], { cwd: root });
    expect(result.stderr).toMatch(/metadata\.db is not a readable mlcycle database \(database disk image is malformed\); it was left untouched/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(2);
  });

  it('reports a damaged table page that opening does not read as an unreadable database (exit 2), with no stack trace', async () => {
    const { root } = await workspaceWithArtifacts();
    const { openSync, writeSync, closeSync, readFileSync } = await import('node:fs');
    const file = path.join(root, '.mlcycle', 'metadata.db');
    // The root page of the run tags: opening the workspace never reads it, so the damage is met by the
    // doctor's own check, which SQLite ends with SQLITE_CORRUPT rather than integrity_check rows.
    const { default: Sqlite } = await import('better-sqlite3');
    const inspect = new Sqlite(file);
    const pageSize = Number(inspect.pragma('page_size', { simple: true }));
    const rootPage = Number((inspect.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'run_tags'").get() as { rootpage: number }).rootpage);
    inspect.pragma('wal_checkpoint(TRUNCATE)');
    inspect.close();
    const descriptor = openSync(file, 'r+');
    writeSync(descriptor, Buffer.alloc(pageSize, 0xab), 0, pageSize, (rootPage - 1) * pageSize);
    closeSync(descriptor);
    const before = readFileSync(file);
    const result = runMlcycle(['doctor'], { cwd: root });
    expect(result.stderr).toMatch(/the workspace database is unreadable: database disk image is malformed \(SQLITE_CORRUPT\)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(2);
    // The doctor only reads: the damaged file is left as it was.
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('reports what SQLite\'s integrity check finds as findings (exit 1), leaving the file untouched', async () => {
    const root = tempDir();
    const context = testContext();
    const { workspace } = await createWorkspace(root, 'doctor', context);
    const experiment = await workspace.runs.ensureExperiment('e', context);
    await workspace.runs.createRun({ experimentId: experiment.id, name: 'r', startTime: 1, tags: { team: 'MARKERVALUEQQ' } }, context);
    await workspace.close();
    const { openSync, writeSync, closeSync, readFileSync } = await import('node:fs');
    const file = path.join(root, '.mlcycle', 'metadata.db');
    const { default: Sqlite } = await import('better-sqlite3');
    const inspect = new Sqlite(file);
    const pageSize = Number(inspect.pragma('page_size', { simple: true }));
    const rootPage = Number((inspect.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'run_tags_by_value'").get() as { rootpage: number }).rootpage);
    inspect.pragma('wal_checkpoint(TRUNCATE)');
    inspect.close();
    // One letter of the tag's value inside the index's only page: the b-tree stays well formed, but the index
    // entry no longer matches its row, which integrity_check reports as a row rather than SQLITE_CORRUPT.
    const bytes = readFileSync(file);
    const at = bytes.indexOf(Buffer.from('MARKERVALUEQQ'), (rootPage - 1) * pageSize);
    expect(at).toBeGreaterThanOrEqual((rootPage - 1) * pageSize);
    expect(at).toBeLessThan(rootPage * pageSize);
    const descriptor = openSync(file, 'r+');
    writeSync(descriptor, Buffer.from('N'), 0, 1, at);
    closeSync(descriptor);
    const before = readFileSync(file);
    const checked = doctor(root);
    expect(checked.code).toBe(1);
    expect(checked.report.findings).toEqual([expect.objectContaining({ kind: 'database', detail: expect.stringMatching(/missing from index run_tags_by_value/) })]);
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});
