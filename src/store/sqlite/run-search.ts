/**
 * Run search compiled to SQLite SQL. Every value and key of the filter is a bound parameter; the only
 * text spliced into the SQL comes from the fixed tables below (operators, column and table names).
 * Semantics follow MLflow: a comparison on a metric, param, tag or dataset holds only for runs that have
 * that key (so `params.x != 'a'` skips runs without x); LIKE is case-sensitive, ILIKE is not.
 */
import { sql, type RawBuilder } from 'kysely';
import { MlcycleError } from '../../error.js';
import { decodePageToken, encodePageToken, queryFingerprint } from '../page-token.js';
import {
  DEFAULT_MAX_RESULTS,
  MAX_RESULTS_LIMIT,
  type Comparator,
  type FilterComparison,
  type FilterExpression,
  type FilterField,
  type FilterValue,
  type RunAttribute,
  type RunOrder,
  type RunQuery,
} from '../run-filter.js';
import { onPostgres } from './dialect.js';
import type { Executor, RunRow } from './run-rows.js';

const OPERATORS: Record<Exclude<Comparator, 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN'>, string> = {
  '=': '=',
  '!=': '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

/** Run attributes as SQL expressions over `runs r`. */
const ATTRIBUTE_COLUMNS: Record<RunAttribute, RawBuilder<unknown>> = {
  run_id: sql`r.id`,
  run_name: sql`r.name`,
  status: sql`r.status`,
  user_id: sql`r.user_id`,
  experiment_id: sql`r.experiment_id`,
  parent_run_id: sql`parent.id`,
  git_commit: sql`r.git_commit`,
  start_time: sql`r.start_time`,
  end_time: sql`r.end_time`,
};

/** The child table holding each keyed entity, and its value column. */
const KEYED_TABLES = {
  metric: { table: sql`latest_metrics`, value: sql`value` },
  param: { table: sql`run_params`, value: sql`value` },
  tag: { table: sql`run_tags`, value: sql`value` },
} as const;

const DATASET_COLUMNS = { name: sql`dataset`, digest: sql`digest`, context: sql`context` } as const;

/** SQL LIKE's `%` and `_` as GLOB's `*` and `?`, GLOB's own specials made literal: a case-sensitive LIKE. */
export function likeToGlob(pattern: string): string {
  let glob = '';
  for (const char of pattern) {
    if (char === '%') glob += '*';
    else if (char === '_') glob += '?';
    else if (char === '*' || char === '?' || char === '[') glob += `[${char}]`;
    else glob += char;
  }
  return glob;
}

function condition(column: RawBuilder<unknown>, comparator: Comparator, value: FilterValue | readonly FilterValue[], postgres: boolean): RawBuilder<unknown> {
  if (comparator === 'IN' || comparator === 'NOT IN') {
    const list = sql.join((value as readonly FilterValue[]).map((item) => sql`${item}`));
    return comparator === 'IN' ? sql`${column} in (${list})` : sql`${column} not in (${list})`;
  }
  // SQLite's like ignores case, so its case-sensitive LIKE is a glob; PostgreSQL's like keeps case.
  if (comparator === 'LIKE') return postgres ? sql`${column} like ${String(value)}` : sql`${column} glob ${likeToGlob(String(value))}`;
  if (comparator === 'ILIKE') return sql`lower(${column}) like lower(${String(value)})`;
  return sql`${column} ${sql.raw(OPERATORS[comparator])} ${value as FilterValue}`;
}

function compileComparison(comparison: FilterComparison, postgres: boolean): RawBuilder<unknown> {
  const { field, comparator, value } = comparison;
  if (field.entity === 'attribute') {
    const column = ATTRIBUTE_COLUMNS[field.key as RunAttribute];
    if (column === undefined) throw new MlcycleError('invalid_input', `filter: unknown attribute "${field.key}"`);
    return condition(column, comparator, value, postgres);
  }
  if (field.entity === 'dataset') {
    const column = DATASET_COLUMNS[field.key as keyof typeof DATASET_COLUMNS];
    if (column === undefined) throw new MlcycleError('invalid_input', `filter: unknown dataset field "${field.key}"`);
    return sql`exists (select 1 from run_inputs i where i.run_key = r.run_key and ${condition(sql`i.${column}`, comparator, value, postgres)})`;
  }
  const { table, value: valueColumn } = KEYED_TABLES[field.entity];
  return sql`exists (select 1 from ${table} k where k.run_key = r.run_key and k.key = ${field.key} and ${condition(sql`k.${valueColumn}`, comparator, value, postgres)})`;
}

/** The filter as a SQL boolean expression over `runs r` (joined to its parent as `parent`). */
export function compileFilter(expression: FilterExpression, postgres = false): RawBuilder<unknown> {
  if (expression.kind === 'comparison') return compileComparison(expression, postgres);
  if (expression.operands.length === 0) return expression.kind === 'and' ? sql`1 = 1` : sql`1 = 0`;
  const parts = expression.operands.map((operand) => sql`(${compileFilter(operand, postgres)})`);
  return sql.join(parts, expression.kind === 'and' ? sql` and ` : sql` or `);
}

/** Joins and ORDER BY terms for an ordering; keyed values come from one left join each. */
function compileOrder(orderBy: readonly RunOrder[]): { joins: RawBuilder<unknown>[]; terms: RawBuilder<unknown>[] } {
  const joins: RawBuilder<unknown>[] = [];
  const terms: RawBuilder<unknown>[] = [];
  orderBy.forEach((order, index) => {
    const direction = sql.raw(order.direction === 'asc' ? 'asc' : 'desc');
    let column: RawBuilder<unknown>;
    const field: FilterField = order.field;
    if (field.entity === 'attribute') {
      const attribute = ATTRIBUTE_COLUMNS[field.key as RunAttribute];
      if (attribute === undefined) throw new MlcycleError('invalid_input', `orderBy: unknown attribute "${field.key}"`);
      column = attribute;
    } else if (field.entity === 'dataset') {
      throw new MlcycleError('invalid_input', 'orderBy: runs cannot be ordered by dataset fields');
    } else {
      const alias = sql.raw(`o${index}`);
      joins.push(sql`left join ${KEYED_TABLES[field.entity].table} ${alias} on ${alias}.run_key = r.run_key and ${alias}.key = ${field.key}`);
      column = sql`${alias}.value`;
    }
    // Runs without the value come last in either direction, as in MLflow.
    terms.push(sql`(${column} is null)`, sql`${column} ${direction}`);
  });
  terms.push(sql`r.start_time desc`, sql`r.id asc`);
  return { joins, terms };
}

/** One page of run rows for a query, and the token of the next page when there is one. */
export async function searchRunRows(db: Executor, query: RunQuery): Promise<{ rows: RunRow[]; nextPageToken?: string }> {
  const maxResults = query.maxResults ?? DEFAULT_MAX_RESULTS;
  if (!Number.isSafeInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS_LIMIT) {
    throw new MlcycleError('invalid_input', `maxResults: expected a whole number from 1 to ${MAX_RESULTS_LIMIT}, got ${maxResults}`);
  }
  const lifecycle = query.lifecycle ?? 'active';
  const orderBy = query.orderBy ?? [];
  const fingerprint = queryFingerprint([query.experimentIds ?? null, query.filter ?? null, orderBy, lifecycle]);
  const offset = query.pageToken === undefined ? 0 : decodePageToken(query.pageToken, fingerprint);

  const where: RawBuilder<unknown>[] = [];
  if (lifecycle !== 'all') where.push(sql`r.lifecycle_stage = ${lifecycle}`);
  if (query.experimentIds !== undefined) {
    const ids = query.experimentIds.map((id) => Number(id));
    if (ids.some((id) => !Number.isSafeInteger(id))) throw new MlcycleError('invalid_input', `experimentIds: ${query.experimentIds.join(', ')} are not all whole numbers`);
    where.push(ids.length === 0 ? sql`0` : sql`r.experiment_id in (${sql.join(ids)})`);
  }
  if (query.filter !== undefined) where.push(compileFilter(query.filter, onPostgres(db)));
  const { joins, terms } = compileOrder(orderBy);
  const statement = sql<RunRow>`select r.*, parent.id as parent_id from runs r left join runs parent on parent.run_key = r.parent_key ${sql.join(joins, sql` `)}
    where ${where.length === 0 ? sql`1` : sql.join(where.map((part) => sql`(${part})`), sql` and `)}
    order by ${sql.join(terms)} limit ${maxResults + 1} offset ${offset}`;
  const { rows } = await statement.execute(db);
  if (rows.length <= maxResults) return { rows };
  return { rows: rows.slice(0, maxResults), nextPageToken: encodePageToken(offset + maxResults, fingerprint) };
}
