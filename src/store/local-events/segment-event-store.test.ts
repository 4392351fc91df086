import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnalyticsEngine } from '../analytics.js';
import { openDuckDb } from '../duckdb/engine.js';
import type { EventRecord } from '../event-store.js';
import { SegmentEventReader, SegmentEventWriter } from './segment-event-store.js';

let dir: string;
let engine: AnalyticsEngine;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mlcycle-events-'));
  engine = await openDuckDb();
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const outcome = (index: number, extra: Partial<EventRecord> = {}): EventRecord => ({ type: 'outcome', time: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(), unit: `u${index}`, name: 'rebooked', value: index, ...extra });

async function readAll(reader: SegmentEventReader): Promise<{ unit: string; value: number; type: string }[]> {
  const relation = await reader.relation();
  try {
    return (await engine.query(`SELECT unit, value, type FROM (${relation.sql}) ORDER BY value`)) as { unit: string; value: number; type: string }[];
  } finally {
    relation.release();
  }
}

describe('the embedded event log', () => {
  it('reads appended records back through DuckDB, before and after sealing and merging', async () => {
    const writer = await SegmentEventWriter.open(dir, { maintainIntervalMs: 0, segmentBytes: 400, maxSealedFiles: 3 });
    for (let index = 0; index < 40; index += 4) await writer.append([0, 1, 2, 3].map((offset) => outcome(index + offset)));
    expect((await readAll(writer.reader)).map((row) => row.value)).toEqual(Array.from({ length: 40 }, (_, index) => index));
    await writer.maintain();
    const files = readdirSync(dir).filter((name) => name.endsWith('.parquet'));
    expect(files.length).toBeLessThanOrEqual(3);
    expect(files.length).toBeGreaterThan(0);
    expect((await readAll(writer.reader)).map((row) => row.value)).toEqual(Array.from({ length: 40 }, (_, index) => index));
    await writer.close();
  });

  it('stores a record with an idempotency key once, also across a restart', async () => {
    let writer = await SegmentEventWriter.open(dir, { maintainIntervalMs: 0 });
    expect(await writer.append([outcome(1, { idempotencyKey: 'k1' }), outcome(2, { idempotencyKey: 'k1' }), outcome(3)])).toEqual({ written: 2, duplicates: 1 });
    await writer.close();
    writer = await SegmentEventWriter.open(dir, { maintainIntervalMs: 0 });
    expect(await writer.append([outcome(4, { idempotencyKey: 'k1' }), outcome(5, { idempotencyKey: 'k2' })])).toEqual({ written: 1, duplicates: 1 });
    expect((await readAll(writer.reader)).map((row) => row.value)).toEqual([1, 3, 5]);
    await writer.close();
  });

  it('cuts a torn last line on recovery and keeps every whole record', async () => {
    const writer = await SegmentEventWriter.open(dir, { maintainIntervalMs: 0 });
    await writer.append([outcome(1), outcome(2)]);
    await writer.close();
    const segment = readdirSync(dir).find((name) => name.endsWith('.ndjson')) as string;
    appendFileSync(path.join(dir, segment), '{"type":"outcome","time":"2026-01-01T00:00:0');
    const reopened = await SegmentEventWriter.open(dir, { maintainIntervalMs: 0 });
    expect((await readAll(reopened.reader)).map((row) => row.value)).toEqual([1, 2]);
    await reopened.close();
  });

  it('lets one process write at a time', async () => {
    const writer = await SegmentEventWriter.open(dir, { maintainIntervalMs: 0 });
    await expect(SegmentEventWriter.open(dir, { maintainIntervalMs: 0 })).rejects.toThrow(/being written by process/);
    await writer.close();
    const again = await SegmentEventWriter.open(dir, { maintainIntervalMs: 0 });
    await again.close();
  });

  it('group-writes concurrent appends and acknowledges each once durable, with fsync too', async () => {
    const writer = await SegmentEventWriter.open(dir, { maintainIntervalMs: 0, durability: 'fsync' });
    const results = await Promise.all(Array.from({ length: 200 }, (_, index) => writer.append([outcome(index)])));
    expect(results.every((result) => result.written === 1)).toBe(true);
    expect(writer.stats().pending).toBe(0);
    expect(await readAll(writer.reader)).toHaveLength(200);
    await writer.close();
  });

  it('deletes sealed files past the retention', async () => {
    const writer = await SegmentEventWriter.open(dir, { maintainIntervalMs: 0, segmentBytes: 1, retentionDays: 1 });
    await writer.append([outcome(1)]);
    await writer.append([{ ...outcome(2), time: '2026-03-01T00:00:00.000Z' }]);
    await writer.maintain(new Date('2026-03-01T12:00:00Z'));
    expect((await readAll(writer.reader)).map((row) => row.value)).toEqual([2]);
    await writer.close();
  });
});
