/**
 * `mlcycle doctor`'s checks: SQLite's integrity check; every blob a record points to (run artifacts and
 * pipeline step outputs) against its record (present, a regular file and not a link, the recorded size and
 * SHA-256); every keyed artifact a record points to (dataset files, profiles, evaluations) likewise, with
 * the size where the record has one and the SHA-256 where the key carries it; files no record points to
 * (orphans); and staged files left by an interrupted write. Repair does only what loses nothing: it
 * removes staging leftovers and orphans over an hour old (younger ones may belong to a write in progress
 * in another process) and moves damaged blobs aside to `.quarantine/`; a missing blob or a damaged
 * database cannot be repaired here and stays a problem.
 */
import { mkdir, readdir, rename, rm, lstat } from 'node:fs/promises';
import path from 'node:path';
import { STAGING_LEFTOVER_AGE_MS } from '../store/artifact-store.js';
import { databaseIntegrityProblems, recordedArtifacts, recordedBlobs } from '../store/sqlite/integrity.js';
import type { Workspace } from '../store/workspace.js';
import { artifactBlobKey } from '../tracking/run-artifacts.js';
import { openCheckedBlob } from '../tracking/verified-blob.js';

export interface DoctorFinding {
  kind: 'database' | 'missing blob' | 'damaged blob' | 'orphan blob' | 'missing artifact' | 'damaged artifact' | 'orphan artifact' | 'staging leftover';
  subject: string;
  detail: string;
  /** What --repair did about it, when it did something. */
  repaired?: string;
}

/** Every file under a folder, recursively, as paths relative to it with `/` separators; links are listed, not followed. */
async function filesUnder(root: string, folder = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(path.join(root, folder), { withFileTypes: true }).catch(() => [])) {
    const relative = folder === '' ? entry.name : `${folder}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await filesUnder(root, relative)));
    else files.push(relative);
  }
  return files.sort();
}

/** The SHA-256 a key names in its file name (`evaluations/<sha256>.json`), if it names one. */
function digestInKey(key: string): string | null {
  return /^evaluations\/([0-9a-f]{64})\.[a-z]+$/.exec(key)?.[1] ?? null;
}

/** Folders of the artifact store that hold no recorded artifacts: staged writes and quarantined damage. */
const BOOKKEEPING_FOLDERS = new Set(['.staging', '.quarantine']);

/** Checks a workspace and, with `repair`, fixes what is safe to fix; `now` dates the age rules. */
export async function examineWorkspace(workspace: Workspace, options: { repair: boolean; now: Date }): Promise<DoctorFinding[]> {
  const findings: DoctorFinding[] = [];
  const staleBefore = options.now.getTime() - STAGING_LEFTOVER_AGE_MS;
  for (const problem of await databaseIntegrityProblems(workspace.db)) findings.push({ kind: 'database', subject: workspace.databaseFile, detail: problem });

  const quarantine = path.join(workspace.artifactsDir, '.quarantine');
  const checkFile = async (kind: 'blob' | 'artifact', file: string, subject: string, expected: { sha256: string | null; size: number | null }, usedBy: string) => {
    const checked = await openCheckedBlob(file, expected);
    if (!('problem' in checked)) {
      await checked.handle.close();
      return;
    }
    if (checked.problem === 'missing') {
      findings.push({ kind: `missing ${kind}`, subject, detail: `recorded for ${usedBy}${kind === 'blob' ? ' (and any other with this digest)' : ''}; its bytes are gone` });
      return;
    }
    const finding: DoctorFinding = { kind: `damaged ${kind}`, subject, detail: `${checked.problem}; recorded for ${usedBy}` };
    if (options.repair) {
      await mkdir(quarantine, { recursive: true });
      await rename(file, path.join(quarantine, `${path.basename(file)}-${options.now.getTime()}`));
      finding.repaired = `moved to .quarantine/; the ${kind} is now missing`;
    }
    findings.push(finding);
  };

  const blobs = await recordedBlobs(workspace.db);
  for (const blob of blobs) await checkFile('blob', workspace.artifacts.localPath(artifactBlobKey(blob.sha256)), blob.sha256, blob, blob.usedBy);
  const artifacts = await recordedArtifacts(workspace.db);
  for (const artifact of artifacts) {
    await checkFile('artifact', workspace.artifacts.localPath(artifact.key), artifact.key, { sha256: digestInKey(artifact.key), size: artifact.size }, artifact.usedBy);
  }

  const knownBlobs = new Set(blobs.map((blob) => artifactBlobKey(blob.sha256)));
  const knownKeys = new Set(artifacts.map((artifact) => artifact.key));
  for (const key of await filesUnder(workspace.artifactsDir)) {
    if (BOOKKEEPING_FOLDERS.has(key.split('/')[0] ?? '') || knownBlobs.has(key) || knownKeys.has(key)) continue;
    const file = path.join(workspace.artifactsDir, ...key.split('/'));
    const info = await lstat(file);
    const blob = key.startsWith('blobs/');
    const finding: DoctorFinding = blob
      ? { kind: 'orphan blob', subject: path.relative(workspace.root, file), detail: 'no run artifact or pipeline step records this blob' }
      : { kind: 'orphan artifact', subject: path.relative(workspace.root, file), detail: 'no dataset version, profile or evaluation records this file' };
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
  return finding.repaired === undefined || finding.kind === 'damaged blob' || finding.kind === 'damaged artifact';
}
