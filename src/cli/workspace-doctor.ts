/**
 * `mlcycle doctor`'s checks: SQLite's integrity check, every recorded artifact blob against its record
 * (present, a regular file and not a link, the recorded size and SHA-256), blobs no run records
 * (orphans), and staged files left by an interrupted write. Repair does only what loses nothing: it
 * removes staging leftovers and orphans over an hour old (younger ones may belong to a write in progress
 * in another process) and moves damaged blobs aside to `.quarantine/`; a missing blob or a damaged
 * database cannot be repaired here and stays a problem.
 */
import { mkdir, readdir, rename, rm, lstat } from 'node:fs/promises';
import path from 'node:path';
import { STAGING_LEFTOVER_AGE_MS } from '../store/artifact-store.js';
import { databaseIntegrityProblems, recordedBlobs } from '../store/sqlite/integrity.js';
import type { Workspace } from '../store/workspace.js';
import { artifactBlobKey } from '../tracking/run-artifacts.js';
import { openCheckedBlob } from '../tracking/verified-blob.js';

export interface DoctorFinding {
  kind: 'database' | 'missing blob' | 'damaged blob' | 'orphan blob' | 'staging leftover';
  subject: string;
  detail: string;
  /** What --repair did about it, when it did something. */
  repaired?: string;
}

async function blobFiles(blobsDir: string): Promise<string[]> {
  const files: string[] = [];
  for (const prefix of await readdir(blobsDir).catch(() => [] as string[])) {
    for (const name of await readdir(path.join(blobsDir, prefix)).catch(() => [] as string[])) files.push(path.join(blobsDir, prefix, name));
  }
  return files.sort();
}

/** Checks a workspace and, with `repair`, fixes what is safe to fix; `now` dates the age rules. */
export async function examineWorkspace(workspace: Workspace, options: { repair: boolean; now: Date }): Promise<DoctorFinding[]> {
  const findings: DoctorFinding[] = [];
  const staleBefore = options.now.getTime() - STAGING_LEFTOVER_AGE_MS;
  for (const problem of await databaseIntegrityProblems(workspace.db)) findings.push({ kind: 'database', subject: workspace.databaseFile, detail: problem });

  const recorded = await recordedBlobs(workspace.db);
  const quarantine = path.join(workspace.artifactsDir, '.quarantine');
  for (const blob of recorded) {
    const file = workspace.artifacts.localPath(artifactBlobKey(blob.sha256));
    const checked = await openCheckedBlob(file, blob);
    if (!('problem' in checked)) {
      await checked.handle.close();
      continue;
    }
    if (checked.problem === 'missing') {
      findings.push({ kind: 'missing blob', subject: blob.sha256, detail: `recorded for artifact "${blob.path}" (and any other with this digest); its bytes are gone` });
      continue;
    }
    const finding: DoctorFinding = { kind: 'damaged blob', subject: blob.sha256, detail: `${checked.problem}; recorded for artifact "${blob.path}"` };
    if (options.repair) {
      await mkdir(quarantine, { recursive: true });
      await rename(file, path.join(quarantine, `${blob.sha256}-${options.now.getTime()}`));
      finding.repaired = 'moved to .quarantine/; the blob is now missing';
    }
    findings.push(finding);
  }

  const known = new Set(recorded.map((blob) => blob.sha256));
  for (const file of await blobFiles(path.join(workspace.artifactsDir, 'blobs'))) {
    if (known.has(path.basename(file))) continue;
    const info = await lstat(file);
    const finding: DoctorFinding = { kind: 'orphan blob', subject: path.relative(workspace.root, file), detail: 'no run records this blob' };
    if (options.repair && info.mtimeMs < staleBefore) {
      await rm(file, { force: true });
      finding.repaired = 'removed';
    }
    findings.push(finding);
  }

  const stagingDir = path.join(workspace.artifactsDir, '.staging');
  for (const name of (await readdir(stagingDir).catch(() => [] as string[])).sort()) {
    findings.push({ kind: 'staging leftover', subject: path.relative(workspace.root, path.join(stagingDir, name)), detail: 'a partial file from an interrupted write' });
  }
  if (options.repair) {
    const removed = new Set((await workspace.artifacts.removeStagingLeftovers(new Date(staleBefore))).map((file) => path.relative(workspace.root, file)));
    for (const finding of findings) if (finding.kind === 'staging leftover' && removed.has(finding.subject)) finding.repaired = 'removed';
  }
  return findings;
}

/** Whether a finding still needs attention after the run (unrepaired orphans and leftovers included). */
export function remainsAProblem(finding: DoctorFinding): boolean {
  return finding.repaired === undefined || finding.kind === 'damaged blob';
}
