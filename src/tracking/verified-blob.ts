/**
 * Serving an artifact's bytes only when they are what was recorded. The blob is opened without following
 * a symbolic link (O_NOFOLLOW), must be a regular file of the recorded size, and its SHA-256 is computed
 * from the open handle before any byte is served: every read, not a sample, since a blob replaced by a
 * link or rewritten in place would otherwise be served under the old digest (issue 16). The handle that
 * was checked is the one that is read, so the file cannot be swapped in between.
 */
import { createHash } from 'node:crypto';
import { constants, type ReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { MlcycleError } from '../error.js';

/** What a blob check finds: the problem, or undefined for a sound blob. */
export type BlobProblem = 'missing' | 'symbolic link' | 'not a regular file' | 'wrong size' | 'wrong digest';

async function digestOf(handle: FileHandle): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1 << 20);
  for (let position = 0; ; ) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return hash.digest('hex');
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
}

/**
 * Opens a blob for reading and checks it against what is recorded (a size or digest left null is not
 * checked); the handle is open only when there is no problem.
 */
export async function openCheckedBlob(file: string, blob: { sha256: string | null; size: number | null }): Promise<{ handle: FileHandle } | { problem: BlobProblem }> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { problem: 'missing' };
    if (code === 'ELOOP') return { problem: 'symbolic link' };
    throw error;
  }
  try {
    const info = await handle.stat();
    const problem: BlobProblem | undefined = !info.isFile()
      ? 'not a regular file'
      : blob.size !== null && info.size !== blob.size
        ? 'wrong size'
        : blob.sha256 !== null && (await digestOf(handle)) !== blob.sha256
          ? 'wrong digest'
          : undefined;
    if (problem === undefined) return { handle };
    await handle.close();
    return { problem };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/**
 * A read stream over a checked artifact blob; a missing or corrupt blob is a `check_failed` error naming
 * the artifact and pointing to `mlcycle doctor`, answered in the API's own error shape.
 */
export async function openVerifiedArtifact(file: string, artifact: { path: string; sha256: string; size: number }): Promise<ReadStream> {
  const checked = await openCheckedBlob(file, artifact);
  if ('problem' in checked) {
    throw new MlcycleError('check_failed', `artifact "${artifact.path}": its stored bytes are ${checked.problem === 'missing' ? 'missing' : `corrupt (${checked.problem})`}; run \`mlcycle doctor\` on the workspace`);
  }
  return checked.handle.createReadStream({ start: 0, autoClose: true });
}
