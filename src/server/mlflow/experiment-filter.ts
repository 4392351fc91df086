/**
 * The filter of MLflow's SearchExperiments (mlflow/utils/search_utils.py, SearchExperimentsUtils, MLflow
 * 2.22): clauses joined by AND on `name` and `tags.<key>` (the registry grammar of registry-search.ts),
 * or on the times `creation_time` and `last_update_time` compared with `=`, `!=`, `>`, `>=`, `<` or `<=`
 * to a whole number of milliseconds. Attributes may carry MLflow's prefixes `attribute.`, `attributes.`
 * or `attr.`.
 */
import { MlcycleError } from '../../error.js';
import { parseRegistryFilter, splitAnd, type RegistryClause } from './registry-search.js';

/** A comparison of one of an experiment's times with a number of milliseconds since the epoch. */
export interface TimeClause {
  field: 'creation_time' | 'last_update_time';
  comparator: '=' | '!=' | '>' | '>=' | '<' | '<=';
  value: number;
}

const ATTRIBUTE_PREFIX = /^(\s*)(?:attributes?|attr)\.(?=name\b|creation_time\b|last_update_time\b)/i;
const TIME_CLAUSE = /^\s*(creation_time|last_update_time)\s*(>=|<=|!=|=|>|<)\s*(\S+)\s*$/i;

/** The name and tag clauses and the time clauses of an experiment filter; a clause outside the grammar is refused naming it. */
export function parseExperimentFilter(filter: string | undefined): { clauses: RegistryClause[]; times: TimeClause[] } {
  if (filter === undefined || filter.trim() === '') return { clauses: [], times: [] };
  const clauses: RegistryClause[] = [];
  const times: TimeClause[] = [];
  for (const part of splitAnd(filter)) {
    const text = part.replace(ATTRIBUTE_PREFIX, '$1');
    const time = TIME_CLAUSE.exec(text);
    if (time === null) {
      clauses.push(...parseRegistryFilter(text, ['name', 'tags']));
      continue;
    }
    const [, field, comparator, value] = time as unknown as [string, string, TimeClause['comparator'], string];
    if (!/^-?\d{1,16}$/.test(value)) throw new MlcycleError('invalid_input', `filter: "${part.trim()}" compares ${field} with "${value}"; expected a whole number of milliseconds since the epoch`);
    times.push({ field: field.toLowerCase() as TimeClause['field'], comparator, value: Number(value) });
  }
  return { clauses, times };
}

/** Whether an experiment's times, as `timeOf` reads them, satisfy every time clause. */
export function matchesTimes(times: readonly TimeClause[], timeOf: (field: TimeClause['field']) => number): boolean {
  return times.every(({ field, comparator, value }) => {
    const time = timeOf(field);
    switch (comparator) {
      case '=':
        return time === value;
      case '!=':
        return time !== value;
      case '>':
        return time > value;
      case '>=':
        return time >= value;
      case '<':
        return time < value;
      case '<=':
        return time <= value;
    }
  });
}
