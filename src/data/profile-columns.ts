/**
 * One pass of DuckDB over a table that gives each column's count, distinct count, range and, for
 * strings, the mean number of spaces: what schema inference and `data diff` need.
 */
import { quoteIdentifier, type AnalyticsEngine } from '../store/analytics.js';
import type { ColumnSchema, SemanticType } from '../store/dataset-store.js';
import { inferSemanticType, type ColumnFacts } from './semantic-types.js';

const COMPARABLE = /^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*|DATE|TIMESTAMP.*|TIME.*|VARCHAR)$/;

/** Row count and per-column facts of a table expression. */
export async function profileColumns(engine: AnalyticsEngine, table: string): Promise<{ rowCount: number; facts: ColumnFacts[] }> {
  const described = await engine.describe(`SELECT * FROM ${table}`);
  const select = ['count(*) AS "rows"'];
  described.forEach((column, index) => {
    const name = quoteIdentifier(column.name);
    select.push(`count(${name}) AS "n${index}"`);
    if (COMPARABLE.test(column.type)) {
      select.push(`count(DISTINCT ${name}) AS "d${index}"`, `min(${name}) AS "lo${index}"`, `max(${name}) AS "hi${index}"`);
    } else {
      select.push(`count(DISTINCT ${name}::VARCHAR) AS "d${index}"`, `NULL AS "lo${index}"`, `NULL AS "hi${index}"`);
    }
    if (column.type === 'VARCHAR') select.push(`avg(length(${name}) - length(replace(${name}, ' ', ''))) AS "s${index}"`);
  });
  const [row] = await engine.query(`SELECT ${select.join(', ')} FROM ${table}`);
  if (row === undefined) throw new Error('profile query returned no row');
  const facts = described.map((column, index): ColumnFacts => {
    const fact: ColumnFacts = {
      name: column.name,
      storageType: column.type,
      nonNull: Number(row[`n${index}`]),
      distinct: Number(row[`d${index}`]),
      min: row[`lo${index}`] ?? null,
      max: row[`hi${index}`] ?? null,
    };
    const spaces = row[`s${index}`];
    if (typeof spaces === 'number') fact.meanSpaces = spaces;
    return fact;
  });
  return { rowCount: Number(row.rows), facts };
}

/** Column schemas from facts, with the spec's type overrides applied. */
export function toColumnSchemas(facts: readonly ColumnFacts[], overrides: Readonly<Record<string, SemanticType>>): ColumnSchema[] {
  return facts.map((fact) => {
    const inferredType = inferSemanticType(fact);
    const override = overrides[fact.name];
    return {
      name: fact.name,
      storageType: fact.storageType,
      semanticType: override ?? inferredType,
      inferredType,
      overridden: override !== undefined,
      nonNull: fact.nonNull,
      distinct: fact.distinct,
      min: fact.min,
      max: fact.max,
    };
  });
}
