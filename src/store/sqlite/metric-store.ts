/**
 * Metric histories in SQLite, written for speed: each call is one transaction through prepared
 * better-sqlite3 statements, and each series lands as columnar chunks (steps, timestamps and values as
 * float64 arrays in BLOBs) rather than a row per point, so a million points are a few hundred rows.
 * The latest value per key is upserted once per call. Float64 bytes are in the machine's order
 * (little-endian on every platform Node supports in practice).
 */
import type Sqlite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { MlcycleError } from '../../error.js';
import { atOneInstant, type ChangeContext } from '../audit-log.js';
import type { MetricSeries, MetricStore } from '../run-store.js';
import type { Database } from './database.js';

/** Points per stored chunk: large enough that rows stay few, small enough that a chunk is a few MB. */
export const CHUNK_POINTS = 65_536;

function bytes(array: Float64Array, start: number, end: number): Buffer {
  return Buffer.from(array.buffer, array.byteOffset + start * 8, (end - start) * 8);
}

function floats(blob: Uint8Array): Float64Array {
  if (blob.byteOffset % 8 === 0) return new Float64Array(blob.buffer, blob.byteOffset, blob.byteLength / 8);
  // A BLOB's bytes need not sit on an 8-byte boundary: then copy them to one that does.
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float64Array(copy.buffer);
}

/** True when point a comes after point b in MLflow's latest-value order: step, then timestamp, then value. */
function isLater(step: number, timestamp: number, value: number, best: { step: number; timestamp: number; value: number }): boolean {
  if (step !== best.step) return step > best.step;
  if (timestamp !== best.timestamp) return timestamp > best.timestamp;
  const a = Number.isNaN(value) ? -Infinity : value;
  const b = Number.isNaN(best.value) ? -Infinity : best.value;
  return a > b;
}

const LATEST_UPSERT = `insert into latest_metrics (run_key, key, value, is_nan, step, timestamp) values (?, ?, ?, ?, ?, ?)
  on conflict (run_key, key) do update set value = excluded.value, is_nan = excluded.is_nan, step = excluded.step, timestamp = excluded.timestamp
  where excluded.step > latest_metrics.step
     or (excluded.step = latest_metrics.step and excluded.timestamp > latest_metrics.timestamp)
     or (excluded.step = latest_metrics.step and excluded.timestamp = latest_metrics.timestamp
         and coalesce(excluded.value, -9e999) > coalesce(latest_metrics.value, -9e999))`;

/** The prepared statements of metric writes on one connection. */
export interface MetricStatements {
  run: Sqlite.Statement;
  chunk: Sqlite.Statement;
  latest: Sqlite.Statement;
}

const preparedByConnection = new WeakMap<Sqlite.Database, MetricStatements>();

/** The metric write statements of a connection, prepared once. */
export function metricStatements(connection: Sqlite.Database): MetricStatements {
  let statements = preparedByConnection.get(connection);
  if (statements === undefined) {
    statements = {
      run: connection.prepare('select run_key, lifecycle_stage from runs where id = ?'),
      chunk: connection.prepare('insert into metric_chunks (run_key, key, count, min_step, max_step, steps, timestamps, "values") values (?, ?, ?, ?, ?, ?, ?, ?)'),
      latest: connection.prepare(LATEST_UPSERT),
    };
    preparedByConnection.set(connection, statements);
  }
  return statements;
}

interface SeriesChunk {
  count: number;
  minStep: number;
  maxStep: number;
  steps: Buffer;
  timestamps: Buffer;
  values: Buffer;
}

/** Cuts one series into stored chunks and finds its latest point, in MLflow's order. */
function chunkSeries(series: MetricSeries): { chunks: SeriesChunk[]; best: { step: number; timestamp: number; value: number } } {
  const { steps, timestamps, values } = series;
  const best = { step: -Infinity, timestamp: -Infinity, value: NaN };
  const chunks: SeriesChunk[] = [];
  for (let start = 0; start < values.length; start += CHUNK_POINTS) {
    const end = Math.min(values.length, start + CHUNK_POINTS);
    let minStep = Infinity;
    let maxStep = -Infinity;
    for (let index = start; index < end; index++) {
      const step = steps[index] as number;
      const timestamp = timestamps[index] as number;
      const value = values[index] as number;
      if (step < minStep) minStep = step;
      if (step > maxStep) maxStep = step;
      if (isLater(step, timestamp, value, best)) {
        best.step = step;
        best.timestamp = timestamp;
        best.value = value;
      }
    }
    chunks.push({ count: end - start, minStep, maxStep, steps: bytes(steps, start, end), timestamps: bytes(timestamps, start, end), values: bytes(values, start, end) });
  }
  return { chunks, best };
}

/**
 * Writes one series as chunks and upserts its latest value; synchronous, so it runs inside whatever
 * transaction is open on the connection (log-batch writes params, tags and metrics in one).
 */
export function writeMetricSeries(statements: MetricStatements, runKey: number, series: MetricSeries): void {
  const { chunks, best } = chunkSeries(series);
  for (const chunk of chunks) statements.chunk.run(runKey, series.key, chunk.count, chunk.minStep, chunk.maxStep, chunk.steps, chunk.timestamps, chunk.values);
  const nan = Number.isNaN(best.value);
  statements.latest.run(runKey, series.key, nan ? null : best.value, nan ? 1 : 0, best.step, best.timestamp);
}

/**
 * The same write through Kysely, for a database with no better-sqlite3 connection beneath (PostgreSQL):
 * the chunks of all series in one insert, then the latest-value upserts, in the caller's transaction.
 * Reals that are not numbers are stored as SQL null with is_nan set, as on SQLite.
 */
export async function writeMetricSeriesThroughKysely(trx: Kysely<Database>, runKey: number, series: readonly MetricSeries[]): Promise<void> {
  const cut = series.map((one) => ({ key: one.key, ...chunkSeries(one) }));
  const rows = cut.flatMap((one) =>
    one.chunks.map((chunk) => ({ run_key: runKey, key: one.key, count: chunk.count, min_step: chunk.minStep, max_step: chunk.maxStep, steps: chunk.steps, timestamps: chunk.timestamps, values: chunk.values })),
  );
  if (rows.length > 0) await trx.insertInto('metric_chunks').values(rows).execute();
  for (const { key, best } of cut) {
    const nan = Number.isNaN(best.value);
    await sql`insert into latest_metrics (run_key, key, value, is_nan, step, "timestamp") values (${runKey}, ${key}, ${nan ? null : best.value}, ${nan ? 1 : 0}, ${best.step}, ${best.timestamp})
      on conflict (run_key, key) do update set value = excluded.value, is_nan = excluded.is_nan, step = excluded.step, "timestamp" = excluded."timestamp"
      where excluded.step > latest_metrics.step
         or (excluded.step = latest_metrics.step and excluded."timestamp" > latest_metrics."timestamp")
         or (excluded.step = latest_metrics.step and excluded."timestamp" = latest_metrics."timestamp"
             and coalesce(excluded.value, '-Infinity') > coalesce(latest_metrics.value, '-Infinity'))`.execute(trx);
  }
}

/** Refuses series whose columns differ in length. */
export function checkSeriesShapes(series: readonly MetricSeries[]): void {
  for (const one of series) {
    if (one.steps.length !== one.values.length || one.timestamps.length !== one.values.length) {
      throw new MlcycleError('invalid_input', `metrics.${one.key}: steps, timestamps and values differ in length`);
    }
  }
}

/**
 * Appends series and one audit entry in one better-sqlite3 transaction of prepared statements: the hot
 * path of metric logging (Kysely would compile each statement anew).
 */
export async function appendSeriesInOneTransaction(
  db: Kysely<Database>,
  connection: Sqlite.Database | null,
  runId: string,
  series: readonly MetricSeries[],
  changeContext: ChangeContext,
  audit: { action: string; details: Record<string, unknown> },
): Promise<void> {
  const context = atOneInstant(changeContext);
  checkSeriesShapes(series);
  const entry = db
    .insertInto('audit_log')
    .values({ at: context.now().toISOString(), actor: context.actor, action: audit.action, subject: `run/${runId}`, details: JSON.stringify(audit.details), reason: context.reason ?? null })
    .compile();
  if (connection === null) {
    await db.transaction().execute(async (trx) => {
      const run = await trx.selectFrom('runs').select(['run_key', 'lifecycle_stage']).where('id', '=', runId).forUpdate().executeTakeFirst();
      if (run === undefined) throw new MlcycleError('not_found', `no run with id ${runId}`);
      if (run.lifecycle_stage !== 'active') throw new MlcycleError('conflict', `run ${runId} is deleted; restore it before logging to it`);
      await writeMetricSeriesThroughKysely(trx, run.run_key, series);
      await trx.executeQuery(entry);
    });
    return;
  }
  const statements = metricStatements(connection);
  const write = connection.transaction(() => {
    const run = statements.run.get(runId) as { run_key: number; lifecycle_stage: string } | undefined;
    if (run === undefined) throw new MlcycleError('not_found', `no run with id ${runId}`);
    if (run.lifecycle_stage !== 'active') throw new MlcycleError('conflict', `run ${runId} is deleted; restore it before logging to it`);
    for (const one of series) writeMetricSeries(statements, run.run_key, one);
    connection.prepare(entry.sql).run(...(entry.parameters as unknown[]));
  });
  // Holding Kysely's connection keeps this transaction from interleaving with one of Kysely's own.
  // Immediate: take the write lock first, so a concurrent writer (a tuning worker) makes this wait, not fail.
  await db.connection().execute(async () => write.immediate());
}

export class SqliteMetricStore implements MetricStore {
  constructor(
    private readonly db: Kysely<Database>,
    /** The better-sqlite3 connection beneath `db`, or null on PostgreSQL (writes then go through Kysely). */
    private readonly connection: Sqlite.Database | null,
  ) {}

  async appendMetrics(runId: string, series: readonly MetricSeries[], changeContext: ChangeContext): Promise<void> {
    const nonEmpty = series.filter((one) => one.values.length > 0);
    if (nonEmpty.length === 0) return;
    const points = nonEmpty.reduce((sum, one) => sum + one.values.length, 0);
    await appendSeriesInOneTransaction(this.db, this.connection, runId, nonEmpty, changeContext, { action: 'run.metrics-logged', details: { points, keys: nonEmpty.map((one) => one.key).slice(0, 50) } });
  }

  async metricHistory(runId: string, key: string): Promise<MetricSeries> {
    const run = await this.db.selectFrom('runs').select('run_key').where('id', '=', runId).executeTakeFirst();
    if (run === undefined) throw new MlcycleError('not_found', `no run with id ${runId}`);
    const chunks = await this.db
      .selectFrom('metric_chunks')
      .select(['count', 'steps', 'timestamps', 'values'])
      .where('run_key', '=', run.run_key)
      .where('key', '=', key)
      .orderBy('id')
      .execute();
    const total = chunks.reduce((sum, chunk) => sum + chunk.count, 0);
    const series: MetricSeries = { key, steps: new Float64Array(total), timestamps: new Float64Array(total), values: new Float64Array(total) };
    let offset = 0;
    for (const chunk of chunks) {
      series.steps.set(floats(chunk.steps), offset);
      series.timestamps.set(floats(chunk.timestamps), offset);
      series.values.set(floats(chunk.values), offset);
      offset += chunk.count;
    }
    return series;
  }
}
