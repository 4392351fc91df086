/**
 * A team's PostgreSQL warehouse as an analytics engine: the experiment aggregations (warehouse SQL,
 * experiment/aggregate-statistics.ts) run there and only their per-arm rows come back. Numbers arrive as
 * JavaScript numbers (int8 and numeric are parsed so in ./database.ts, double precision by `pg` itself).
 */
import pg from 'pg';
import type { AnalyticsEngine, ResultColumn, SqlRow } from '../analytics.js';
import './database.js';

const FLOAT_TYPES = new Set([pg.types.builtins.FLOAT4, pg.types.builtins.FLOAT8, pg.types.builtins.INT2, pg.types.builtins.INT4, pg.types.builtins.INT8, pg.types.builtins.NUMERIC]);

export function openPostgresAnalytics(uri: string, poolSize = 2): AnalyticsEngine {
  const pool = new pg.Pool({ connectionString: uri, max: poolSize });
  pool.on('error', () => undefined);
  return {
    query: async (sql: string) => (await pool.query<SqlRow>(sql)).rows,
    run: async (sql: string) => {
      await pool.query(sql);
    },
    columns: async (sql: string) => {
      const result = await pool.query<SqlRow>(sql);
      const columns: Record<string, ResultColumn> = {};
      for (const field of result.fields) {
        if (FLOAT_TYPES.has(field.dataTypeID)) columns[field.name] = Float64Array.from(result.rows, (row) => (row[field.name] === null ? NaN : Number(row[field.name])));
        else if (field.dataTypeID === pg.types.builtins.TEXT || field.dataTypeID === pg.types.builtins.VARCHAR) columns[field.name] = result.rows.map((row) => (row[field.name] === null ? null : String(row[field.name])));
        else throw new Error(`column ${field.name}: cast it to double precision or varchar (its type oid is ${field.dataTypeID})`);
      }
      return columns;
    },
    describe: async (sql: string) => {
      const result = await pool.query(`SELECT * FROM (${sql}) AS described LIMIT 0`);
      const names = await pool.query<{ oid: number; typname: string }>('SELECT oid::int AS oid, typname FROM pg_type WHERE oid = ANY($1)', [result.fields.map((field) => field.dataTypeID)]);
      const byOid = new Map(names.rows.map((row) => [Number(row.oid), row.typname]));
      return result.fields.map((field) => ({ name: field.name, type: byOid.get(field.dataTypeID) ?? String(field.dataTypeID) }));
    },
    close: () => pool.end(),
  };
}
