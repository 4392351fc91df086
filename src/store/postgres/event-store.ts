/**
 * The event log on the team's PostgreSQL, shared by every service replica (`mlcycle serve` or `server` on
 * any machine): one `events` table, one row per record. Any number of writers append at once; an
 * idempotency key is stored once whichever replica received it (a unique column, `on conflict do
 * nothing`). Durability: `append` resolves after PostgreSQL committed the insert, so an acknowledged
 * record survives a killed replica and, with the server's default `synchronous_commit = on`, a crash of
 * the database machine too ('fsync'). Analysis runs in DuckDB: `relation()` copies the records to a
 * temporary NDJSON file in the segment format and reads that (the simple way, linear in the log's size;
 * the warehouse aggregations in experiment/aggregate-statistics.ts can run in PostgreSQL instead).
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { quoteLiteral } from '../analytics.js';
import { EVENT_COLUMNS, type EventLogStats, type EventReader, type EventRecord, type EventSummaryRow, type EventType, type EventWriter, type EventWriterOptions } from '../event-store.js';
import { recordLine, segmentColumnsSql } from '../local-events/segment-files.js';
import type { Database, SharedEventTable } from '../sqlite/database.js';

/** Rows per insert: 20 columns each, well inside PostgreSQL's 65,535 parameters. */
const ROWS_PER_INSERT = 2000;
const ROWS_PER_PAGE = 10_000;

function toRow(record: EventRecord): Insertable<SharedEventTable> {
  const row: Record<string, unknown> = {};
  for (const { column, field } of EVENT_COLUMNS) row[column] = record[field] ?? null;
  // One time format in the table, so that text order is time order.
  row.time = new Date(record.time).toISOString();
  return row as unknown as Insertable<SharedEventTable>;
}

function toRecord(row: Selectable<SharedEventTable>): EventRecord {
  const record: Record<string, unknown> = {};
  for (const { column, field } of EVENT_COLUMNS) {
    const value = (row as unknown as Record<string, unknown>)[column];
    if (value !== null && value !== undefined) record[field] = value;
  }
  return record as unknown as EventRecord;
}

export class SharedEventWriter implements EventWriter {
  readonly durability = 'fsync' as const;
  private pending = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: EventWriterOptions = {},
  ) {}

  async append(records: readonly EventRecord[]): Promise<{ written: number; duplicates: number }> {
    if (records.length === 0) return { written: 0, duplicates: 0 };
    const rows = records.map(toRow);
    this.pending += records.length;
    try {
      const insert = async (db: Kysely<Database>, part: Insertable<SharedEventTable>[]) => Number((await db.insertInto('events').values(part).onConflict((conflict) => conflict.doNothing()).executeTakeFirst()).numInsertedOrUpdatedRows ?? 0);
      const written =
        rows.length <= ROWS_PER_INSERT
          ? await insert(this.db, rows)
          : await this.db.transaction().execute(async (trx) => {
              let count = 0;
              for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) count += await insert(trx, rows.slice(start, start + ROWS_PER_INSERT));
              return count;
            });
      return { written, duplicates: records.length - written };
    } finally {
      this.pending -= records.length;
    }
  }

  stats(): EventLogStats {
    return { pending: this.pending, bytes: 0, files: 0 };
  }

  /** Deletes records older than the retention, when one is set; the table needs no sealing or merging. */
  async maintain(now = new Date()): Promise<void> {
    const days = this.options.retentionDays;
    if (days === undefined) return;
    await this.db.deleteFrom('events').where('time', '<', new Date(now.getTime() - days * 86_400_000).toISOString()).execute();
  }

  async close(): Promise<void> {}
}

export class SharedEventReader implements EventReader {
  constructor(private readonly db: Kysely<Database>) {}

  async summary(): Promise<EventSummaryRow[]> {
    const rows = await this.db
      .selectFrom('events')
      .select((eb) => ['type', 'name', 'model', 'version', eb.fn.countAll<number>().as('records'), eb.fn.min('time').as('first'), eb.fn.max('time').as('last')])
      .groupBy(['type', 'name', 'model', 'version'])
      .orderBy('type')
      .orderBy('model')
      .orderBy('version')
      .orderBy('name')
      .execute();
    const second = (iso: string) => `${iso.slice(0, 19)}Z`;
    return rows.map((row) => ({ type: row.type as EventType, name: row.name, model: row.model, version: row.version, records: Number(row.records), first: second(String(row.first)), last: second(String(row.last)) }));
  }

  async relation(): Promise<{ sql: string; release(): void }> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mlcycle-events-'));
    const file = path.join(dir, 'events.ndjson');
    const out = createWriteStream(file);
    try {
      let after = 0;
      for (;;) {
        const page = await this.db.selectFrom('events').selectAll().where('seq', '>', after).orderBy('seq').limit(ROWS_PER_PAGE).execute();
        for (const row of page) if (!out.write(recordLine(toRecord(row)))) await once(out, 'drain');
        if (page.length < ROWS_PER_PAGE) break;
        after = (page.at(-1) as Selectable<SharedEventTable>).seq;
      }
    } finally {
      out.end();
      await once(out, 'close');
    }
    let released = false;
    return {
      sql: `SELECT * FROM read_json(${quoteLiteral(file)}, format = 'newline_delimited', columns = ${segmentColumnsSql()})`,
      release: () => {
        if (released) return;
        released = true;
        void rm(dir, { recursive: true, force: true });
      },
    };
  }
}
