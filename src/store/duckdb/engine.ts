/** The embedded analytics engine: an in-memory DuckDB (`@duckdb/node-api`) per command. */
import { DuckDBInstance, DuckDBTypeId, type DuckDBConnection } from '@duckdb/node-api';
import { MlcycleError } from '../../error.js';
import type { AnalyticsEngine, ResultColumn, SqlRow, SqlValue } from '../analytics.js';

/** Converts DuckDB's JavaScript values (bigint, Date, nested lists and structs) to plain JSON values. */
function toSqlValue(value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toSqlValue);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, toSqlValue(item)]));
  }
  return value as SqlValue;
}

/**
 * One connection runs one statement at a time: a second streamed result started on it while the first is
 * still being read ends the first early, and the reader silently gets fewer rows (two `columns` calls in a
 * Promise.all returned 0 and 1,000 rows). So every call waits for the one before it.
 */
class DuckDbEngine implements AnalyticsEngine {
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.last.then(work, work);
    this.last = next.catch(() => undefined);
    return next;
  }

  query(sql: string): Promise<SqlRow[]> {
    return this.serial(() => this.queryNow(sql));
  }

  columns(sql: string): Promise<Record<string, ResultColumn>> {
    return this.serial(() => this.columnsNow(sql));
  }

  run(sql: string): Promise<void> {
    return this.serial(async () => {
      await this.connection.run(sql);
    });
  }

  private async queryNow(sql: string): Promise<SqlRow[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS().map((row) => {
      const out: SqlRow = {};
      for (const [key, value] of Object.entries(row)) out[key] = toSqlValue(value);
      return out;
    });
  }

  private async columnsNow(sql: string): Promise<Record<string, ResultColumn>> {
    const result = await this.connection.stream(sql);
    const names = result.columnNames();
    const numeric = names.map((name, index) => {
      const type = result.columnTypeId(index);
      if (type !== DuckDBTypeId.DOUBLE && type !== DuckDBTypeId.VARCHAR) {
        throw new MlcycleError('internal', `column ${name}: read as ${result.columnType(index).toString()}; cast it to DOUBLE or VARCHAR`);
      }
      return type === DuckDBTypeId.DOUBLE;
    });
    const numberChunks: Float64Array[][] = names.map(() => []);
    const strings: (string | null)[][] = names.map(() => []);
    let rows = 0;
    for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      const count = chunk.rowCount;
      names.forEach((_, index) => {
        const vector = chunk.getColumnVector(index);
        if (numeric[index] === true) {
          const values = new Float64Array(count);
          for (let row = 0; row < count; row++) values[row] = (vector.getItem(row) as number | null) ?? NaN;
          numberChunks[index]?.push(values);
        } else {
          const target = strings[index] as (string | null)[];
          for (let row = 0; row < count; row++) target.push(vector.getItem(row) as string | null);
        }
      });
      rows += count;
    }
    return Object.fromEntries(
      names.map((name, index) => {
        if (numeric[index] !== true) return [name, strings[index] ?? []];
        const column = new Float64Array(rows);
        let offset = 0;
        for (const part of numberChunks[index] ?? []) {
          column.set(part, offset);
          offset += part.length;
        }
        return [name, column];
      }),
    );
  }

  async describe(sql: string): Promise<{ name: string; type: string }[]> {
    const rows = await this.query(`DESCRIBE ${sql}`);
    return rows.map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
  }

  async close(): Promise<void> {
    await this.last;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** Opens an in-memory DuckDB. Timestamps are read and written in UTC. */
export async function openDuckDb(): Promise<AnalyticsEngine> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  // Timestamps with time zone compare and print in UTC, whatever the machine's zone.
  await connection.run(`SET TimeZone = 'UTC'`);
  return new DuckDbEngine(instance, connection);
}
