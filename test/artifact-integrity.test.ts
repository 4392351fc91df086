/**
 * The artifact store serves only what was recorded: a blob replaced by a symbolic link, rewritten in
 * place or deleted is refused with a clear error in each API's shape; staged files a crash left behind are
 * removed, fresh ones (a write in progress elsewhere) are kept.
 */
import { symlinkSync, unlinkSync, utimesSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactBlobKey } from '../src/tracking/run-artifacts.js';
import { apiServer } from './support/api-server.js';
import { tempDir } from './support/temp-dir.js';

async function withArtifact() {
  const server = await apiServer('');
  const { app, workspace, context } = server;
  const experiment = await workspace.runs.ensureExperiment('e', context);
  const run = await workspace.runs.createRun({ experimentId: experiment.id, name: 'r', startTime: 1 }, context);
  const put = await app.inject({ method: 'PUT', url: `/api/v1/runs/${run.id}/artifacts/content?path=model.txt`, payload: 'the model bytes', headers: { 'content-type': 'application/octet-stream' } });
  expect(put.statusCode).toBe(200);
  const sha256 = (put.json() as { artifact: { sha256: string } }).artifact.sha256;
  const blob = workspace.artifacts.localPath(artifactBlobKey(sha256));
  const read = async () => {
    const v1 = await app.inject({ method: 'GET', url: `/api/v1/runs/${run.id}/artifacts/content?path=model.txt` });
    const mlflow = await app.inject({ method: 'GET', url: `/api/2.0/mlflow-artifacts/artifacts/${experiment.id}/${run.id}/artifacts/model.txt` });
    return { v1: { status: v1.statusCode, body: v1.body }, mlflow: { status: mlflow.statusCode, body: mlflow.body } };
  };
  return { ...server, blob, read };
}

describe('artifact integrity', () => {
  it('serves a sound blob on both APIs', async () => {
    const { read } = await withArtifact();
    expect(await read()).toEqual({ v1: { status: 200, body: 'the model bytes' }, mlflow: { status: 200, body: 'the model bytes' } });
  });

  const damages: [string, (blob: string) => void, RegExp][] = [
    ['replaced by a symbolic link', (blob) => {
      const target = path.join(tempDir(), 'secret.txt');
      writeFileSync(target, 'someone else bytes');
      unlinkSync(blob);
      symlinkSync(target, blob);
    }, /corrupt \(symbolic link\)/],
    ['rewritten in place with the same size', (blob) => writeFileSync(blob, 'THE MODEL BYTES'), /corrupt \(wrong digest\)/],
    ['truncated', (blob) => writeFileSync(blob, 'the'), /corrupt \(wrong size\)/],
    ['deleted', (blob) => unlinkSync(blob), /are missing/],
  ];
  for (const [what, damage, expected] of damages) {
    it(`refuses a blob ${what}, in each API's error shape`, async () => {
      const { blob, read, errors } = await withArtifact();
      damage(blob);
      const { v1, mlflow } = await read();
      expect(v1.status).toBe(422);
      expect(JSON.parse(v1.body)).toMatchObject({ error: { code: 'check_failed' } });
      expect(JSON.parse(v1.body).error.message).toMatch(expected);
      expect(JSON.parse(v1.body).error.message).toMatch(/mlcycle doctor/);
      expect(mlflow.status).toBe(400);
      expect(JSON.parse(mlflow.body)).toMatchObject({ error_code: 'INVALID_STATE' });
      expect(JSON.parse(mlflow.body).message).toMatch(expected);
      expect(errors).toEqual([]);
    });
  }

  it('removes staged files older than the given time and keeps fresh ones', async () => {
    const { workspace } = await apiServer('');
    const fresh = await workspace.artifacts.stagingPath('.blob');
    const old = await workspace.artifacts.stagingPath('.blob');
    writeFileSync(fresh, 'being written');
    writeFileSync(old, 'half a blob');
    utimesSync(old, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    mkdirSync(path.join(path.dirname(old), 'not-a-file'));
    expect(await workspace.artifacts.removeStagingLeftovers(new Date('2026-01-01T01:00:00Z'))).toEqual([old]);
    expect([existsSync(old), existsSync(fresh)]).toEqual([false, true]);
  });
});
