/**
 * Logging and downloading run artifacts. Bytes go to the artifact store once per content (keyed by
 * SHA-256, so a model logged by a hundred runs is stored once); the run's path for them is a row in the
 * metadata store. Folders are walked without following symbolic links: a link inside a logged folder is
 * refused, so a folder cannot smuggle in files from elsewhere on the machine.
 */
import { createHash } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MlcycleError } from '../error.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { RunArtifact, RunStore } from '../store/run-store.js';
import { joinArtifactPath, localTarget, requireArtifactFolder, requireArtifactPath } from './artifact-paths.js';
import { openVerifiedArtifact } from './verified-blob.js';

/** Where an artifact's bytes live in the artifact store. */
export function artifactBlobKey(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new MlcycleError('internal', `"${sha256}" is not a SHA-256`);
  return `blobs/${sha256.slice(0, 2)}/${sha256}`;
}

interface LocalFile {
  source: string;
  artifactPath: string;
}

/** Every regular file under a folder, refusing links and anything that is neither file nor folder. */
async function walkFolder(folder: string, prefix: string, found: LocalFile[]): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const source = path.join(folder, entry.name);
    const artifactPath = requireArtifactPath(joinArtifactPath(prefix, entry.name), source);
    if (entry.isSymbolicLink()) throw new MlcycleError('invalid_input', `${source}: is a symbolic link; links inside a logged folder are not followed`);
    if (entry.isDirectory()) await walkFolder(source, artifactPath, found);
    else if (entry.isFile()) found.push({ source, artifactPath });
    else throw new MlcycleError('invalid_input', `${source}: is neither a file nor a folder`);
  }
}

/** The files to log for a local file or folder placed under `folder` inside the run's root. */
async function collectFiles(localPath: string, folder: string): Promise<LocalFile[]> {
  const info = await stat(localPath).catch(() => undefined);
  if (info === undefined) throw new MlcycleError('invalid_input', `${localPath}: file not found`);
  const name = path.basename(path.resolve(localPath));
  const base = requireArtifactPath(joinArtifactPath(folder, name), 'path');
  if (info.isFile()) return [{ source: localPath, artifactPath: base }];
  if (!info.isDirectory()) throw new MlcycleError('invalid_input', `${localPath}: is neither a file nor a folder`);
  const found: LocalFile[] = [];
  await walkFolder(localPath, base, found);
  return found;
}

/**
 * Copies a stream into the store's staging area while hashing it, then commits it under its hash. More
 * than `maxBytes` fails the copy and leaves nothing behind.
 */
export async function storeBlob(artifacts: ArtifactStore, input: Readable, maxBytes = Number.MAX_SAFE_INTEGER): Promise<{ sha256: string; size: number }> {
  const staged = await stageHashed(artifacts, input, '.blob', maxBytes, 'the artifact');
  try {
    await artifacts.commit(staged.file, artifactBlobKey(staged.sha256));
    return { sha256: staged.sha256, size: staged.size };
  } catch (error) {
    await artifacts.discard(staged.file);
    throw error;
  }
}

/**
 * Copies a stream into a new staged file while hashing it, failing beyond `maxBytes` (the error names
 * `what`); on any failure the staged file is removed. The caller commits or discards the file.
 */
export async function stageHashed(artifacts: ArtifactStore, input: Readable, extension: string, maxBytes: number, what: string): Promise<{ file: string; sha256: string; size: number }> {
  const file = await artifacts.stagingPath(extension);
  const hash = createHash('sha256');
  let size = 0;
  try {
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > maxBytes) return done(new MlcycleError('invalid_input', `${what} is larger than the limit of ${maxBytes.toLocaleString('en-US')} bytes`));
        hash.update(chunk);
        return done(null, chunk);
      },
    });
    await pipeline(input, meter, createWriteStream(file));
    return { file, sha256: hash.digest('hex'), size };
  } catch (error) {
    await artifacts.discard(file);
    throw error;
  }
}

/**
 * Logs a local file or folder as artifacts of a run, under `folder` (default: the root) with its own
 * name: `model/` logged under `''` gives `model/...`. Every path is checked before any byte is copied.
 */
export async function logArtifact(
  stores: { runs: RunStore; artifacts: ArtifactStore },
  runId: string,
  localPath: string,
  folder: string | undefined,
  context: ChangeContext,
): Promise<RunArtifact[]> {
  const files = await collectFiles(localPath, requireArtifactFolder(folder));
  if (files.length === 0) throw new MlcycleError('invalid_input', `${localPath}: the folder holds no files`);
  const logged: RunArtifact[] = [];
  for (const file of files) logged.push({ path: file.artifactPath, ...(await storeBlob(stores.artifacts, createReadStream(file.source))) });
  await stores.runs.recordArtifacts(runId, logged, context);
  return logged;
}

/** The local path of an artifact file's bytes, for reading. */
export async function artifactFile(stores: { runs: RunStore; artifacts: ArtifactStore }, runId: string, artifactPath: string): Promise<{ artifact: RunArtifact; file: string }> {
  const wanted = requireArtifactPath(artifactPath);
  const artifact = (await stores.runs.findArtifacts(runId, wanted)).find((candidate) => candidate.path === wanted);
  if (artifact === undefined) throw new MlcycleError('not_found', `run ${runId} has no artifact file "${wanted}"`);
  return { artifact, file: await stores.artifacts.localCopy(artifactBlobKey(artifact.sha256)) };
}

/** Creates the folders from `root` down to `folder`, refusing any that exists as a symbolic link. */
async function makeRealFolders(root: string, folder: string): Promise<void> {
  await mkdir(root, { recursive: true });
  let current = root;
  for (const part of path.relative(root, folder).split(path.sep).filter((piece) => piece !== '')) {
    current = path.join(current, part);
    const info = await lstat(current).catch(() => undefined);
    if (info === undefined) await mkdir(current);
    else if (info.isSymbolicLink()) throw new MlcycleError('invalid_input', `${current}: is a symbolic link; refusing to write through it`);
    else if (!info.isDirectory()) throw new MlcycleError('invalid_input', `${current}: exists and is not a folder`);
  }
}

/**
 * Copies a run's artifact file, or every file under an artifact folder, into `destination`, keeping their
 * paths. A path that would land outside the destination, or a link planted where a file goes, is refused.
 */
export async function downloadArtifacts(
  stores: { runs: RunStore; artifacts: ArtifactStore },
  runId: string,
  artifactPath: string,
  destination: string,
): Promise<string[]> {
  const folder = requireArtifactFolder(artifactPath);
  const files = await stores.runs.findArtifacts(runId, folder);
  if (files.length === 0) throw new MlcycleError('not_found', `run ${runId} has no artifacts at "${artifactPath}"`);
  const written: string[] = [];
  for (const file of files) {
    const target = localTarget(destination, file.path);
    await makeRealFolders(path.resolve(destination), path.dirname(target));
    // O_NOFOLLOW: a link planted at the target's own name makes the open fail instead of writing elsewhere.
    const handle = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ELOOP') throw new MlcycleError('invalid_input', `${target}: is a symbolic link; refusing to write through it`);
      throw error;
    });
    try {
      await pipeline(await openVerifiedArtifact(await stores.artifacts.localCopy(artifactBlobKey(file.sha256)), file), handle.createWriteStream());
    } finally {
      await handle.close().catch(() => undefined);
    }
    written.push(target);
  }
  return written;
}
