/**
 * The files of the embedded event log, in one folder:
 *   open-<seq>.ndjson               segments: one JSON object per line, appended; the newest is written to
 *   sealed-<first>-<last>.parquet   sealed segments <first>..<last> (compaction merges neighbours' ranges)
 *   writer.lock                     the process that may append (its pid and host)
 * A crash can leave a torn last line in a segment (never acknowledged: cut off on recovery), a segment
 * beside the Parquet file it was sealed into, or sealed files inside a merged file's range (both: the
 * covered files are the stale ones and are deleted).
 */
import { closeSync, ftruncateSync, openSync, readSync, fstatSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { MlcycleError } from '../../error.js';
import { EVENT_COLUMNS, type EventRecord } from '../event-store.js';

const SEGMENT = /^open-(\d{12})\.ndjson$/;
const SEALED = /^sealed-(\d{12})-(\d{12})\.parquet$/;

export interface SegmentFile {
  seq: number;
  file: string;
}

export interface SealedFile {
  first: number;
  last: number;
  file: string;
}

/** Twelve digits: sequence numbers sort as text. */
function pad(seq: number): string {
  return String(seq).padStart(12, '0');
}

/** The file name of segment `seq`. */
export function segmentName(seq: number): string {
  return `open-${pad(seq)}.ndjson`;
}

/** The file name of the Parquet file holding segments first..last. */
export function sealedName(first: number, last: number): string {
  return `sealed-${pad(first)}-${pad(last)}.parquet`;
}

/** The log's files, segments and sealed files each in sequence order. */
export async function listLogFiles(dir: string): Promise<{ segments: SegmentFile[]; sealed: SealedFile[] }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { segments: [], sealed: [] };
    throw error;
  }
  const segments: SegmentFile[] = [];
  const sealed: SealedFile[] = [];
  for (const name of names) {
    const segment = SEGMENT.exec(name);
    if (segment !== null) segments.push({ seq: Number(segment[1]), file: path.join(dir, name) });
    const range = SEALED.exec(name);
    if (range !== null) sealed.push({ first: Number(range[1]), last: Number(range[2]), file: path.join(dir, name) });
  }
  segments.sort((a, b) => a.seq - b.seq);
  sealed.sort((a, b) => a.first - b.first || b.last - a.last);
  return { segments, sealed };
}

/** Sealed files not inside another's range: a merge that crashed before deleting its inputs leaves those. */
export function coveringFiles(sealed: readonly SealedFile[]): { kept: SealedFile[]; stale: SealedFile[] } {
  const kept: SealedFile[] = [];
  const stale: SealedFile[] = [];
  for (const file of sealed) {
    const cover = kept.find((other) => other.first <= file.first && file.last <= other.last);
    if (cover === undefined) kept.push(file);
    else stale.push(file);
  }
  return { kept, stale };
}

/** Cuts a segment after its last newline: a line torn by a crash was never acknowledged. Returns bytes cut. */
export function cutTornLine(file: string): number {
  const fd = openSync(file, 'r+');
  try {
    const size = fstatSync(fd).size;
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const read = readSync(fd, chunk, 0, end - start, start);
      const newline = chunk.subarray(0, read).lastIndexOf(0x0a);
      if (newline >= 0) {
        const keep = start + newline + 1;
        if (keep < size) ftruncateSync(fd, keep);
        return size - keep;
      }
      end = start;
    }
    if (size > 0) ftruncateSync(fd, 0);
    return size;
  } finally {
    closeSync(fd);
  }
}

/** One record as a line of the segment: column names as keys, absent fields left out. */
export function recordLine(record: EventRecord): string {
  const out: Record<string, unknown> = {};
  for (const { column, field } of EVENT_COLUMNS) {
    const value = record[field];
    if (value !== undefined) out[column] = value;
  }
  return `${JSON.stringify(out)}\n`;
}

/** DuckDB's `columns` argument for reading segments with the log's schema. */
export function segmentColumnsSql(): string {
  return `{${EVENT_COLUMNS.map(({ column, sql }) => `'${column}': '${sql}'`).join(', ')}}`;
}

/** A SELECT of no rows with the log's columns, for an empty log. */
export function emptyRelationSql(): string {
  return `SELECT ${EVENT_COLUMNS.map(({ column, sql }) => `NULL::${sql} AS "${column}"`).join(', ')} WHERE false`;
}

interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the log's writer lock: created exclusively, or taken over when its holder on this host is dead.
 * A live holder is a conflict naming it: one process appends to an embedded log at a time.
 */
export function takeWriterLock(dir: string): () => void {
  const file = path.join(dir, 'writer.lock');
  const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(holder), { flag: 'wx' });
      return () => {
        try {
          const current = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
          if (current.pid === process.pid) unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let current: LockHolder | undefined;
      try {
        current = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
      } catch {
        current = undefined;
      }
      if (current !== undefined && (current.host !== holder.host || alive(current.pid))) {
        throw new MlcycleError('conflict', `the event log ${dir} is being written by process ${current.pid} on ${current.host} (since ${current.startedAt}); one process writes an embedded event log at a time`);
      }
      unlinkSync(file);
    }
  }
  throw new MlcycleError('conflict', `could not take the event log's writer lock ${file}`);
}
