/**
 * The analytics engine: SQL over data files (Parquet, CSV, JSON) without pulling rows into JavaScript.
 * DuckDB in-process by default; a warehouse later, behind the same interface (DESIGN.md section 3).
 */

/** A value as a query returns it: JSON-friendly (integers beyond 2^53 come back as strings). */
export type SqlValue = null | boolean | number | string | SqlValue[] | { [key: string]: SqlValue };

export type SqlRow = Record<string, SqlValue>;

export type ResultColumn = Float64Array | (string | null)[];

export interface AnalyticsEngine {
  /** Runs a query and returns its rows. */
  query(sql: string): Promise<SqlRow[]>;
  /** Runs a statement whose result is not needed (COPY, CREATE...). */
  run(sql: string): Promise<void>;
  /**
   * A query's result by column, for reading many rows fast: DOUBLE columns as Float64Array (NULL as NaN),
   * VARCHAR columns as strings (NULL as null). Cast other types in the query; they are refused.
   */
  columns(sql: string): Promise<Record<string, ResultColumn>>;
  /** Column names and the engine's storage types of a query's result, without running it over the data. */
  describe(sql: string): Promise<{ name: string; type: string }[]>;
  close(): Promise<void>;
}

/** Quotes a column or table name for SQL: `emp.var.rate` becomes `"emp.var.rate"`. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string as a SQL literal. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
