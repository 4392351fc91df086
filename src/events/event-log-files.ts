/**
 * The event log from the command line: import business events from a file (CSV, NDJSON, JSON, Parquet;
 * columns unit, name, value, time, idempotencyKey), count records by type and name, show the newest, and
 * export everything to one file. Reading needs no lock, so it works beside a running service; importing
 * appends, so it needs the writer (a running service holds it: post to its /api/v1/events instead).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MlcycleError } from '../error.js';
import { engineErrorToInput } from '../data/engine-errors.js';
import { resolveFormat, sourceTableSql } from '../data/read-source.js';
import { quoteLiteral, type AnalyticsEngine, type SqlRow } from '../store/analytics.js';
import type { EventReader, EventWriter } from '../store/event-store.js';
import { readBusinessEvents } from './business-events.js';

/** Runs a query over the log's relation, releasing its files afterwards. */
export async function queryEvents(engine: AnalyticsEngine, reader: EventReader, sql: (relation: string) => string): Promise<SqlRow[]> {
  const relation = await reader.relation();
  try {
    return await engine.query(sql(`(${relation.sql})`));
  } finally {
    relation.release();
  }
}

/** Record counts by type and event name, with the first and last time of each. */
export async function countEvents(engine: AnalyticsEngine, reader: EventReader): Promise<{ type: string; name: string | null; records: number; first: string; last: string }[]> {
  const rows = await queryEvents(
    engine,
    reader,
    (events) => `SELECT type, name, count(*)::DOUBLE AS records, min(time) AS first, max(time) AS last FROM ${events} GROUP BY ALL ORDER BY type, name NULLS FIRST`,
  );
  return rows.map((row) => ({ type: String(row.type), name: row.name === null ? null : String(row.name), records: Number(row.records), first: String(row.first), last: String(row.last) }));
}

/** The newest `limit` records, newest last. */
export async function tailEvents(engine: AnalyticsEngine, reader: EventReader, limit: number): Promise<SqlRow[]> {
  const rows = await queryEvents(engine, reader, (events) => `SELECT * FROM ${events} ORDER BY time DESC LIMIT ${Math.trunc(limit)}`);
  return rows.reverse();
}

/** Writes every record to one file; the format follows the extension (.parquet, .csv, .ndjson/.jsonl). */
export async function exportEvents(engine: AnalyticsEngine, reader: EventReader, out: string): Promise<number> {
  const extension = path.extname(out).toLowerCase();
  const format = { '.parquet': 'FORMAT parquet', '.csv': 'FORMAT csv, HEADER true', '.ndjson': 'FORMAT json', '.jsonl': 'FORMAT json' }[extension];
  if (format === undefined) throw new MlcycleError('usage', `${out}: the extension names the format: .parquet, .csv, .ndjson or .jsonl`);
  if (!existsSync(path.dirname(path.resolve(out)))) throw new MlcycleError('invalid_input', `${out}: the folder ${path.dirname(path.resolve(out))} does not exist`);
  const relation = await reader.relation();
  try {
    await engine.run(`COPY (SELECT * FROM (${relation.sql}) ORDER BY time) TO ${quoteLiteral(out)} (${format})`);
    const [row] = await engine.query(`SELECT count(*)::DOUBLE AS n FROM (${relation.sql})`);
    return Number(row?.n ?? 0);
  } finally {
    relation.release();
  }
}

/**
 * Imports business events from a file: read with DuckDB, checked whole like a request body (every
 * problem with its row), then appended at once; a file with any problem stores nothing.
 */
export async function importEvents(engine: AnalyticsEngine, writer: EventWriter, file: string, options: { format?: string; names: Set<string> | undefined; now: number }): Promise<{ written: number; duplicates: number }> {
  if (!existsSync(file)) throw new MlcycleError('not_found', `${file}: no such file`);
  const format = resolveFormat(file, options.format === undefined ? (path.extname(file).toLowerCase() === '.jsonl' ? 'ndjson' : undefined) : options.format);
  let rows: SqlRow[];
  try {
    // A CSV is read strictly: a malformed line is an error, not a row quietly set aside.
    const table = format === 'csv' || format === 'tsv' ? `read_csv(${quoteLiteral(file)}, header = true${format === 'tsv' ? ", delim = '\\t'" : ''})` : sourceTableSql(file, { format });
    const described = await engine.describe(`SELECT * FROM ${table}`);
    const columns = described.map((column) => column.name);
    const timeType = described.find((column) => column.name === 'time')?.type ?? '';
    const wanted = ['unit', 'name', 'value', 'time', 'idempotencyKey'];
    const unknown = columns.filter((column) => !wanted.includes(column));
    if (unknown.length > 0) throw new MlcycleError('invalid_input', `${file}: unknown column "${unknown[0]}"; an events file has the columns ${wanted.join(', ')}`, { issues: [{ file, path: unknown[0] as string, message: 'unknown column' }] });
    const select = wanted.filter((column) => columns.includes(column)).map((column) => (column === 'time' ? (/^(TIMESTAMP|DATE)/.test(timeType) ? `strftime(time::TIMESTAMPTZ, '%Y-%m-%dT%H:%M:%S.%gZ') AS time` : 'time::VARCHAR AS time') : column === 'unit' ? 'unit::VARCHAR AS unit' : `"${column}"`));
    rows = await engine.query(`SELECT ${select.join(', ')} FROM ${table}`);
  } catch (error) {
    if (error instanceof MlcycleError) throw error;
    throw engineErrorToInput(error, file);
  }
  const events = rows.map((row) => Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null)));
  let records;
  try {
    records = readBusinessEvents(events, { names: options.names, now: options.now, maxEvents: Number.MAX_SAFE_INTEGER });
  } catch (error) {
    // Issues name `[i].field`: say which data row of the file that is.
    if (error instanceof MlcycleError) throw new MlcycleError(error.code, `${file}: ${error.message.replace(/^\[(\d+)\]/, (_match, index: string) => `row ${Number(index) + 1}`)}; nothing was imported`, { issues: error.issues.map((issue) => ({ ...issue, file })) });
    throw error;
  }
  return writer.append(records);
}
