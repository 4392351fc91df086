/**
 * Declarative data checks from `mlcycle.yaml`, run as SQL in DuckDB: every count-based check in one
 * aggregate pass over the version, then a small query for examples of each failed check.
 */
import type { DataCheck } from '../problem/spec-schema.js';
import { quoteIdentifier, quoteLiteral, type AnalyticsEngine, type SqlValue } from '../store/analytics.js';
import type { CheckOutcome, ColumnSchema, DatasetVersion } from '../store/dataset-store.js';

export interface CheckEnvironment {
  engine: AnalyticsEngine;
  /** The SQL table expression of the version under test. */
  table: string;
  version: DatasetVersion;
  now: Date;
  /** Finds the reference version of a schema-match check. */
  resolveReference: (ref: string) => Promise<DatasetVersion>;
}

/** What a count-based check compiles to: the rows that fail it, or a measured value and a verdict. */
interface CompiledCheck {
  check: DataCheck;
  description: string;
  /** SQL aggregate measured in the shared pass. */
  measure: string;
  /** Whether the measured value passes. */
  passes: (measured: SqlValue) => boolean;
  /** A row filter for failing rows, when examples make sense. */
  failing?: string;
  exampleColumn?: string;
}

function formatValue(value: string | number | boolean): string {
  return typeof value === 'string' ? value : String(value);
}

function listLiteral(values: readonly (string | number | boolean)[]): string {
  return values.map((value) => (typeof value === 'string' ? quoteLiteral(value) : String(value))).join(', ');
}

/** A short reading of a check, e.g. `age in [17, 98]`. */
export function describeCheck(check: DataCheck, timeColumn?: string): string {
  switch (check.check) {
    case 'not-null':
      return `${check.column} is never null`;
    case 'range':
      if (check.min !== undefined && check.max !== undefined) return `${check.column} in [${check.min}, ${check.max}]`;
      return check.min !== undefined ? `${check.column} >= ${check.min}` : `${check.column} <= ${String(check.max)}`;
    case 'allowed-values': {
      const shown = check.values.slice(0, 6).map(formatValue).join(', ');
      return `${check.column} in {${shown}${check.values.length > 6 ? `, ... ${check.values.length} values` : ''}}`;
    }
    case 'unique':
      return `${check.columns.join(', ')} unique`;
    case 'row-count':
      return `row count in [${check.min ?? 0}, ${check.max ?? 'any'}]`;
    case 'freshness':
      return `newest ${check.column ?? timeColumn ?? 'time'} within ${check.maxAgeDays} days`;
    case 'schema-match':
      return `schema matches ${check.reference}`;
  }
}

function compile(check: DataCheck, version: DatasetVersion, now: Date): CompiledCheck | string {
  const has = (column: string): boolean => version.columns.some((candidate) => candidate.name === column);
  const description = describeCheck(check, version.timeColumn);
  const zeroFailing = (measured: SqlValue): boolean => Number(measured) === 0;
  switch (check.check) {
    case 'not-null': {
      if (!has(check.column)) return `column "${check.column}" does not exist`;
      const failing = `${quoteIdentifier(check.column)} IS NULL`;
      return { check, description, measure: `count(*) FILTER (WHERE ${failing})`, passes: zeroFailing };
    }
    case 'range': {
      if (!has(check.column)) return `column "${check.column}" does not exist`;
      const name = quoteIdentifier(check.column);
      const parts = [...(check.min === undefined ? [] : [`${name} < ${check.min}`]), ...(check.max === undefined ? [] : [`${name} > ${check.max}`])];
      const failing = parts.join(' OR ');
      return { check, description, measure: `count(*) FILTER (WHERE ${failing})`, passes: zeroFailing, failing, exampleColumn: check.column };
    }
    case 'allowed-values': {
      if (!has(check.column)) return `column "${check.column}" does not exist`;
      const name = quoteIdentifier(check.column);
      const failing = `${name} IS NOT NULL AND ${name}::VARCHAR NOT IN (${listLiteral(check.values.map(String))})`;
      return { check, description, measure: `count(*) FILTER (WHERE ${failing})`, passes: zeroFailing, failing, exampleColumn: check.column };
    }
    case 'unique': {
      const absent = check.columns.filter((column) => !has(column));
      if (absent.length > 0) return `column(s) ${absent.map((column) => `"${column}"`).join(', ')} do not exist`;
      const key = check.columns.length === 1 ? quoteIdentifier(check.columns[0] ?? '') : `(${check.columns.map(quoteIdentifier).join(', ')})`;
      return { check, description, measure: `count(*) - count(DISTINCT ${key})`, passes: zeroFailing };
    }
    case 'row-count':
      return { check, description, measure: 'count(*)', passes: (measured) => Number(measured) >= (check.min ?? 0) && Number(measured) <= (check.max ?? Infinity) };
    case 'freshness': {
      const column = check.column ?? version.timeColumn;
      if (column === undefined) return 'no time column: name one with --time-column when adding, or give the check a column';
      if (!has(column)) return `column "${column}" does not exist`;
      const oldest = new Date(now.getTime() - check.maxAgeDays * 86_400_000).toISOString();
      return {
        check,
        description,
        measure: `max(${quoteIdentifier(column)})`,
        passes: (measured) => measured !== null && Date.parse(String(measured)) >= Date.parse(oldest),
      };
    }
    case 'schema-match':
      throw new Error('schema-match checks compare metadata and are not compiled to SQL');
  }
}

function schemaDifferences(actual: readonly ColumnSchema[], reference: readonly ColumnSchema[]): string[] {
  const differences: string[] = [];
  for (const column of reference) {
    const found = actual.find((candidate) => candidate.name === column.name);
    if (found === undefined) differences.push(`missing ${column.name}`);
    else if (found.storageType !== column.storageType) differences.push(`${column.name}: ${found.storageType}, expected ${column.storageType}`);
  }
  for (const column of actual) if (!reference.some((candidate) => candidate.name === column.name)) differences.push(`extra ${column.name}`);
  return differences;
}

/** Runs the checks and returns one outcome per check, in order. */
export async function runChecks(environment: CheckEnvironment, checks: readonly DataCheck[]): Promise<CheckOutcome[]> {
  const { engine, table, version, now } = environment;
  const outcomes: (CheckOutcome | undefined)[] = checks.map(() => undefined);
  const compiled: { index: number; compiled: CompiledCheck }[] = [];
  for (const [index, check] of checks.entries()) {
    const base = { description: describeCheck(check, version.timeColumn), kind: check.check, severity: check.severity };
    if (check.check === 'schema-match') {
      try {
        const reference = await environment.resolveReference(check.reference);
        const differences = schemaDifferences(version.columns, reference.columns);
        outcomes[index] = { ...base, passed: differences.length === 0, observed: differences.length, examples: differences.slice(0, 5) };
      } catch (error) {
        outcomes[index] = { ...base, passed: false, observed: null, examples: [], error: (error as Error).message };
      }
      continue;
    }
    const result = compile(check, version, now);
    if (typeof result === 'string') outcomes[index] = { ...base, passed: false, observed: null, examples: [], error: result };
    else compiled.push({ index, compiled: result });
  }
  if (compiled.length > 0) {
    const [row] = await engine.query(`SELECT ${compiled.map(({ compiled: check }, position) => `${check.measure} AS "m${position}"`).join(', ')} FROM ${table}`);
    for (const [position, { index, compiled: check }] of compiled.entries()) {
      const measured = row?.[`m${position}`] ?? null;
      const passed = check.passes(measured);
      let examples: SqlValue[] = [];
      if (!passed && check.failing !== undefined && check.exampleColumn !== undefined) {
        const rows = await engine.query(`SELECT DISTINCT ${quoteIdentifier(check.exampleColumn)} AS v FROM ${table} WHERE ${check.failing} ORDER BY 1 LIMIT 5`);
        examples = rows.map((example) => example.v ?? null);
      }
      outcomes[index] = { description: check.description, kind: check.check.check, severity: check.check.severity, passed, observed: measured, examples };
    }
  }
  return outcomes.map((outcome) => {
    if (outcome === undefined) throw new Error('a check produced no outcome');
    return outcome;
  });
}
