/**
 * The size limits of the text files mlcycle reads whole (specs, pipelines, search spaces, analysis
 * inputs), all in this one place, and the one function that reads such a file within its limit.
 *
 * The limit is checked before reading: a regular file by its size; a device or pipe (`/dev/zero`, a
 * FIFO), whose size the file system does not know, by reading at most one byte past the limit. Without
 * this, `spec check /dev/zero` read about 600 MB before failing. Data files (CSV, Parquet) are streamed
 * and have no such limit.
 */
import { open } from 'node:fs/promises';
import { MlcycleError } from './error.js';

const MIB = 1024 * 1024;

/**
 * Default limits, far above any real file of each kind: a spec or pipeline of 8 MiB would be some
 * 200,000 lines; an analysis input of 64 MiB holds about a million segment rows.
 */
export const INPUT_LIMITS = {
  spec: { bytes: 8 * MIB, what: 'a problem spec' },
  pipeline: { bytes: 8 * MIB, what: 'a pipeline file' },
  searchSpace: { bytes: 8 * MIB, what: 'a search space file' },
  analysisInput: { bytes: 64 * MIB, what: 'an analysis input' },
  experiment: { bytes: 8 * MIB, what: 'an experiment definition' },
  responseModel: { bytes: 8 * MIB, what: 'a customer-response model' },
  rolloutPlan: { bytes: 8 * MIB, what: 'a rollout plan' },
  bibliography: { bytes: 8 * MIB, what: 'a bibliography' },
  design: { bytes: 8 * MIB, what: 'a design document' },
} as const;

export type InputKind = keyof typeof INPUT_LIMITS;

/** The environment variable that replaces every limit above, in MiB. */
export const INPUT_LIMIT_VARIABLE = 'MLCYCLE_MAX_INPUT_MB';

/** The limit in bytes for a kind of input: MLCYCLE_MAX_INPUT_MB when set, else the default. */
export function inputLimitBytes(kind: InputKind, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[INPUT_LIMIT_VARIABLE];
  if (raw === undefined || raw.trim() === '') return INPUT_LIMITS[kind].bytes;
  const megabytes = Number(raw);
  if (!Number.isFinite(megabytes) || megabytes <= 0) throw new MlcycleError('usage', `${INPUT_LIMIT_VARIABLE}: expected a positive number of MiB, got "${raw}"`);
  return Math.floor(megabytes * MIB);
}

/**
 * Reads a text file (UTF-8) whole, refusing one larger than its kind's limit before reading it.
 * Failures to open (ENOENT, EISDIR...) are thrown as they come, for the caller to word.
 */
export async function readInputText(file: string, kind: InputKind, label: string = file): Promise<string> {
  const limit = inputLimitBytes(kind);
  const handle = await open(file, 'r');
  try {
    const info = await handle.stat();
    if (info.isFile() && info.size > limit) throw tooLarge(label, kind, limit, info.size);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(limit + 1 - total, MIB));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limit) throw tooLarge(label, kind, limit, undefined);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    await handle.close();
  }
}

function tooLarge(label: string, kind: InputKind, limit: number, size: number | undefined): MlcycleError {
  const actual = size === undefined ? 'more than that' : `${size} bytes`;
  return new MlcycleError(
    'invalid_input',
    `${label} is too large for ${INPUT_LIMITS[kind].what}: the limit is ${+(limit / MIB).toFixed(3)} MiB (${limit} bytes) and the file holds ${actual}; set ${INPUT_LIMIT_VARIABLE} (in MiB) to raise the limit`,
  );
}
