/**
 * The embedded event log: append-only NDJSON segments on local disk, sealed into Parquet once full or old
 * enough, sealed files merged so their number stays bounded, and files past the retention deleted.
 * DuckDB reads sealed files and open segments together, with no copy step.
 *
 * Appends are group-written: every append that arrives while a write is in flight joins the next one, so
 * one write (and with fsync, one fdatasync) serves many requests. An append resolves only after its
 * write returned (default: the bytes are in the operating system's cache, which survives a killed
 * process) or, with `durability: 'fsync'`, after the fdatasync that followed it (survives power loss).
 */
import { mkdirSync } from 'node:fs';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { quoteLiteral, type AnalyticsEngine } from '../analytics.js';
import type { EventDurability, EventLogStats, EventReader, EventRecord, EventSummaryRow, EventType, EventWriter } from '../event-store.js';
import { coveringFiles, cutTornLine, emptyRelationSql, listLogFiles, recordLine, sealedName, segmentColumnsSql, segmentName, takeWriterLock } from './segment-files.js';

export interface SegmentLogOptions {
  durability?: EventDurability;
  /** Seal a segment past this size (default 64 MiB)... */
  segmentBytes?: number;
  /** ...or this age (default 10 minutes), checked by `maintain`. */
  segmentSeconds?: number;
  /** Merge sealed files once there are more than this many (default 16). */
  maxSealedFiles?: number;
  /** Delete sealed files whose newest record is older than this (default: keep everything). */
  retentionDays?: number;
  /** How often the writer runs `maintain` on its own (default 30 s; 0: never). */
  maintainIntervalMs?: number;
  now?: () => Date;
}

interface Waiter {
  text: string;
  count: number;
  keys: string[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** DuckDB, loaded only when the log is read or sealed: opening a workspace must not load it. */
async function openAnalytics(): Promise<AnalyticsEngine> {
  const { openDuckDb } = await import('../duckdb/engine.js');
  return openDuckDb();
}

/** Flushes a folder's entries (new and renamed files) to disk. */
async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Reads the log in a folder: sealed Parquet files and segments, whoever writes them. */
export class SegmentEventReader implements EventReader {
  /** Files a relation handed out still reads; the writer defers deleting them. */
  readonly inUse = new Map<string, number>();

  constructor(readonly dir: string) {}

  async summary(): Promise<EventSummaryRow[]> {
    const { segments, sealed } = await listLogFiles(this.dir);
    if (segments.length === 0 && sealed.length === 0) return [];
    const engine = await openAnalytics();
    const relation = await this.relation();
    try {
      const rows = await engine.query(
        `SELECT type, name, model, version, count(*)::DOUBLE AS records, strftime(min(time), '%Y-%m-%dT%H:%M:%SZ') AS first, strftime(max(time), '%Y-%m-%dT%H:%M:%SZ') AS last FROM (${relation.sql}) GROUP BY ALL ORDER BY type, model, version, name`,
      );
      return rows.map((row) => ({
        type: String(row.type) as EventType,
        name: row.name === null ? null : String(row.name),
        model: row.model === null ? null : String(row.model),
        version: row.version === null ? null : Number(row.version),
        records: Number(row.records),
        first: String(row.first),
        last: String(row.last),
      }));
    } finally {
      relation.release();
      await engine.close();
    }
  }

  async relation(): Promise<{ sql: string; release(): void }> {
    const { segments, sealed } = await listLogFiles(this.dir);
    const parquet = coveringFiles(sealed).kept.map((file) => file.file);
    const sealedSeqs = (seq: number) => sealed.some((file) => file.first <= seq && seq <= file.last);
    const ndjson = segments.filter((segment) => !sealedSeqs(segment.seq)).map((segment) => segment.file);
    const files = [...parquet, ...ndjson];
    for (const file of files) this.inUse.set(file, (this.inUse.get(file) ?? 0) + 1);
    const parts: string[] = [];
    const list = (names: string[]) => `[${names.map(quoteLiteral).join(', ')}]`;
    if (parquet.length > 0) parts.push(`SELECT * FROM read_parquet(${list(parquet)}, union_by_name = true)`);
    // A segment being appended to may end in half a line: ignore_errors skips it (it is not acknowledged yet).
    if (ndjson.length > 0) parts.push(`SELECT * FROM read_json(${list(ndjson)}, format = 'newline_delimited', columns = ${segmentColumnsSql()}, ignore_errors = true)`);
    const sql = parts.length === 0 ? emptyRelationSql() : parts.join(' UNION ALL BY NAME ');
    let released = false;
    return {
      sql,
      release: () => {
        if (released) return;
        released = true;
        for (const file of files) {
          const count = (this.inUse.get(file) ?? 1) - 1;
          if (count <= 0) this.inUse.delete(file);
          else this.inUse.set(file, count);
        }
      },
    };
  }
}

/** The writer of the log in a folder; `open` recovers what a crash left and takes the writer lock. */
export class SegmentEventWriter implements EventWriter {
  readonly durability: EventDurability;
  private handle: FileHandle | undefined;
  private seq = 0;
  private segmentBytesWritten = 0;
  private segmentOpenedAt = 0;
  private pending: Waiter[] = [];
  private pendingRecords = 0;
  private flushing: Promise<void> | undefined;
  private keys = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private maintaining: Promise<void> | undefined;
  private engine: AnalyticsEngine | undefined;
  private bytesOnDisk = 0;
  private fileCount = 0;
  private closed = false;
  /** The segment is old enough to seal: the flush loop closes it after its batch. */
  private rotateDue = false;
  private readonly options: Required<Omit<SegmentLogOptions, 'retentionDays' | 'durability'>> & { retentionDays?: number };

  private constructor(
    readonly reader: SegmentEventReader,
    private readonly releaseLock: () => void,
    options: SegmentLogOptions,
  ) {
    this.durability = options.durability ?? 'process';
    this.options = {
      segmentBytes: options.segmentBytes ?? 64 * 1024 * 1024,
      segmentSeconds: options.segmentSeconds ?? 600,
      maxSealedFiles: options.maxSealedFiles ?? 16,
      maintainIntervalMs: options.maintainIntervalMs ?? 30_000,
      now: options.now ?? (() => new Date()),
      ...(options.retentionDays === undefined ? {} : { retentionDays: options.retentionDays }),
    };
  }

  /** Opens the log for appending: takes the lock, repairs torn segments, loads the idempotency keys. */
  static async open(dir: string, options: SegmentLogOptions = {}): Promise<SegmentEventWriter> {
    mkdirSync(dir, { recursive: true });
    const release = takeWriterLock(dir);
    try {
      const writer = new SegmentEventWriter(new SegmentEventReader(dir), release, options);
      await writer.recover();
      return writer;
    } catch (error) {
      release();
      throw error;
    }
  }

  private async recover(): Promise<void> {
    const { segments, sealed } = await listLogFiles(this.reader.dir);
    const { stale } = coveringFiles(sealed);
    for (const file of stale) await unlink(file.file);
    for (const segment of segments) {
      if (sealed.some((file) => file.first <= segment.seq && segment.seq <= file.last)) await unlink(segment.file);
      else cutTornLine(segment.file);
    }
    this.seq = Math.max(0, ...segments.map((segment) => segment.seq), ...sealed.map((file) => file.last)) + 1;
    const engine = await this.analytics();
    const relation = await this.reader.relation();
    try {
      const rows = await engine.columns(`SELECT idempotency_key FROM (${relation.sql}) WHERE idempotency_key IS NOT NULL`);
      for (const key of (rows.idempotency_key ?? []) as (string | null)[]) if (key !== null) this.keys.add(key);
    } finally {
      relation.release();
    }
    await this.refreshStats();
    // Segments left by the previous writer are sealed now rather than appended to.
    if (segments.length > 0) await this.maintain();
    if (this.options.maintainIntervalMs > 0) {
      this.timer = setInterval(() => void this.maintain().catch(() => undefined), this.options.maintainIntervalMs);
      this.timer.unref();
    }
  }

  private async analytics(): Promise<AnalyticsEngine> {
    this.engine ??= await openAnalytics();
    return this.engine;
  }

  async append(records: readonly EventRecord[]): Promise<{ written: number; duplicates: number }> {
    if (this.closed) throw new Error('the event log is closed');
    let text = '';
    let count = 0;
    const keys: string[] = [];
    for (const record of records) {
      const key = record.idempotencyKey;
      if (key !== undefined) {
        if (this.keys.has(key)) continue;
        this.keys.add(key);
        keys.push(key);
      }
      text += recordLine(record);
      count++;
    }
    if (count === 0) return { written: 0, duplicates: records.length };
    await new Promise<void>((resolve, reject) => {
      this.pending.push({ text, count, keys, resolve, reject });
      this.pendingRecords += count;
      this.flushing ??= this.flush();
    });
    return { written: count, duplicates: records.length - count };
  }

  /** Writes batches until nothing waits; each batch is one write (and one fdatasync). */
  private async flush(): Promise<void> {
    // Let the requests of this turn of the event loop join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      const bytes = Buffer.from(batch.map((waiter) => waiter.text).join(''));
      try {
        const handle = await this.segment();
        let offset = 0;
        while (offset < bytes.length) offset += (await handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
        if (this.durability === 'fsync') await handle.datasync();
        this.segmentBytesWritten += bytes.length;
        this.bytesOnDisk += bytes.length;
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        for (const waiter of batch) {
          for (const key of waiter.keys) this.keys.delete(key);
          waiter.reject(error);
        }
      } finally {
        for (const waiter of batch) this.pendingRecords -= waiter.count;
      }
      if (this.segmentBytesWritten >= this.options.segmentBytes || this.rotateDue) await this.rotate();
    }
    this.flushing = undefined;
  }

  private async segment(): Promise<FileHandle> {
    if (this.handle === undefined) {
      this.handle = await open(path.join(this.reader.dir, segmentName(this.seq)), 'a');
      // A new file's name must reach the disk too, or power loss could take the file with its records.
      if (this.durability === 'fsync') await syncFolder(this.reader.dir);
      this.segmentBytesWritten = 0;
      this.segmentOpenedAt = this.options.now().getTime();
      this.fileCount++;
    }
    return this.handle;
  }

  /** Closes the segment being written; the next append opens the next one. Detached first, so no write reaches it. */
  private async rotate(): Promise<void> {
    this.rotateDue = false;
    const handle = this.handle;
    if (handle === undefined) return;
    this.handle = undefined;
    this.seq++;
    await handle.close();
  }

  stats(): EventLogStats {
    return { pending: this.pendingRecords, bytes: this.bytesOnDisk, files: this.fileCount };
  }

  async maintain(now?: Date): Promise<void> {
    this.maintaining ??= this.maintainOnce(now ?? this.options.now()).finally(() => {
      this.maintaining = undefined;
    });
    return this.maintaining;
  }

  private async maintainOnce(now: Date): Promise<void> {
    const age = now.getTime() - this.segmentOpenedAt;
    if (this.handle !== undefined && this.segmentBytesWritten > 0 && age >= this.options.segmentSeconds * 1000) {
      if (this.flushing === undefined) await this.rotate();
      else this.rotateDue = true;
    }
    const { segments } = await listLogFiles(this.reader.dir);
    const engine = await this.analytics();
    // Segments before the one being written are complete: seal them.
    for (const segment of segments) if (segment.seq < this.seq) await this.seal(engine, segment.seq, segment.file);
    const current = coveringFiles((await listLogFiles(this.reader.dir)).sealed).kept;
    if (current.length > this.options.maxSealedFiles) await this.merge(engine, current);
    if (this.options.retentionDays !== undefined) await this.expire(engine, now.getTime() - this.options.retentionDays * 86_400_000);
    await this.refreshStats();
  }

  /** Segment to Parquet: written beside, renamed into place, then the segment deleted (recovery handles a crash in between). */
  private async seal(engine: AnalyticsEngine, seq: number, file: string): Promise<void> {
    cutTornLine(file);
    const target = path.join(this.reader.dir, sealedName(seq, seq));
    const staging = `${target}.tmp`;
    await engine.run(`COPY (SELECT * FROM read_json(${quoteLiteral(file)}, format = 'newline_delimited', columns = ${segmentColumnsSql()}) ORDER BY time) TO ${quoteLiteral(staging)} (FORMAT parquet)`);
    await this.install(staging, target);
    await this.deleteWhenUnread(file);
  }

  /** Merges every sealed file into one covering their whole range. */
  private async merge(engine: AnalyticsEngine, files: readonly { first: number; last: number; file: string }[]): Promise<void> {
    const first = Math.min(...files.map((file) => file.first));
    const last = Math.max(...files.map((file) => file.last));
    const target = path.join(this.reader.dir, sealedName(first, last));
    const staging = `${target}.tmp`;
    const list = `[${files.map((file) => quoteLiteral(file.file)).join(', ')}]`;
    await engine.run(`COPY (SELECT * FROM read_parquet(${list}, union_by_name = true) ORDER BY time) TO ${quoteLiteral(staging)} (FORMAT parquet)`);
    await this.install(staging, target);
    for (const file of files) if (file.file !== target) await this.deleteWhenUnread(file.file);
  }

  private async expire(engine: AnalyticsEngine, cutoffMs: number): Promise<void> {
    const { sealed } = await listLogFiles(this.reader.dir);
    for (const file of coveringFiles(sealed).kept) {
      const [row] = await engine.query(`SELECT epoch_ms(max(time)) AS newest FROM read_parquet(${quoteLiteral(file.file)})`);
      const newest = Number(row?.newest);
      if (Number.isFinite(newest) && newest < cutoffMs) await this.deleteWhenUnread(file.file);
    }
  }

  /** Moves a written file into place; with fsync, the file and the folder reach the disk before its sources may go. */
  private async install(staging: string, target: string): Promise<void> {
    if (this.durability === 'fsync') {
      const handle = await open(staging, 'r');
      await handle.sync();
      await handle.close();
    }
    await rename(staging, target);
    if (this.durability === 'fsync') await syncFolder(this.reader.dir);
  }

  /** A file a reader still reads is left for a later pass (its records are covered by its successor). */
  private async deleteWhenUnread(file: string): Promise<void> {
    if (this.reader.inUse.has(file)) return;
    await unlink(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  private async refreshStats(): Promise<void> {
    const { segments, sealed } = await listLogFiles(this.reader.dir);
    let bytes = 0;
    for (const file of [...segments, ...sealed]) bytes += (await stat(file.file).catch(() => ({ size: 0 }))).size;
    this.bytesOnDisk = bytes;
    this.fileCount = segments.length + sealed.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.flushing;
    await this.maintaining;
    await this.handle?.close();
    this.handle = undefined;
    await this.engine?.close();
    this.releaseLock();
  }
}
