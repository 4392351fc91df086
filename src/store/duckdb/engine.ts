/** The embedded analytics engine: an in-memory DuckDB (`@duckdb/node-api`) per command. */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { AnalyticsEngine, SqlRow, SqlValue } from '../analytics.js';

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

class DuckDbEngine implements AnalyticsEngine {
  constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  async query(sql: string): Promise<SqlRow[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS().map((row) => {
      const out: SqlRow = {};
      for (const [key, value] of Object.entries(row)) out[key] = toSqlValue(value);
      return out;
    });
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  async describe(sql: string): Promise<{ name: string; type: string }[]> {
    const rows = await this.query(`DESCRIBE ${sql}`);
    return rows.map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
  }

  async close(): Promise<void> {
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
