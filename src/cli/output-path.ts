/**
 * Where commands write files, one rule for all (`--out` of explore, evaluate, models card, tune):
 *
 * - a path the user gives must sit in a folder that exists: a missing folder is an error that names it,
 *   never created on the user's behalf (a typo such as `reprots/x.html` would otherwise leave a stray
 *   folder), and it is checked before the command does its work;
 * - a file path must not be a folder, and a folder path must not be a file;
 * - mlcycle's default locations inside `.mlcycle/` are created as needed, since they are mlcycle's own;
 * - a file is written whole: to a temporary file beside it, then renamed, so that no reader (and no
 *   interrupted run) ever leaves half a report behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MlcycleError } from '../error.js';

/** Resolves a user-given output file and checks it can be written: its folder exists, it is not a folder. */
export async function checkOutputFile(cwd: string, given: string, option: string): Promise<string> {
  const file = path.resolve(cwd, given);
  await requireFolder(path.dirname(file), `${option} ${given}`);
  if ((await kindOf(file)) === 'folder') throw new MlcycleError('usage', `${option} ${given}: ${file} is a folder; name a file inside it`);
  return file;
}

/** Resolves a user-given output folder: its parent exists, and it is a folder or does not exist yet (it is then created on write). */
export async function checkOutputFolder(cwd: string, given: string, option: string): Promise<string> {
  const folder = path.resolve(cwd, given);
  await requireFolder(path.dirname(folder), `${option} ${given}`);
  if ((await kindOf(folder)) === 'file') throw new MlcycleError('usage', `${option} ${given}: ${folder} is a file, not a folder`);
  return folder;
}

/**
 * Writes a file whole (temporary file, then rename). `createFolder` is for mlcycle's own default
 * locations; a user's path was checked by checkOutputFile and its folder is not created.
 */
export async function writeOutputFile(file: string, content: string | Uint8Array, options: { createFolder?: boolean } = {}): Promise<void> {
  if (options.createFolder === true) await mkdir(path.dirname(file), { recursive: true });
  else await requireFolder(path.dirname(file), file);
  if ((await kindOf(file)) === 'folder') throw new MlcycleError('usage', `${file} is a folder; name a file inside it`);
  const staged = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(staged, content);
    await rename(staged, file);
  } catch (error) {
    await rm(staged, { force: true });
    throw error;
  }
}

async function requireFolder(folder: string, what: string): Promise<void> {
  const kind = await kindOf(folder);
  if (kind === 'missing') throw new MlcycleError('not_found', `${what}: the folder ${folder} does not exist; create it first`);
  if (kind === 'file') throw new MlcycleError('usage', `${what}: ${folder} is a file, not a folder`);
}

async function kindOf(file: string): Promise<'missing' | 'file' | 'folder'> {
  try {
    return (await stat(file)).isDirectory() ? 'folder' : 'file';
  } catch (error) {
    // A path through a file (ENOTDIR) is as missing as a path that is not there.
    if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return 'missing';
    throw error;
  }
}
