/**
 * The filters and orderings MLflow's registry searches take (mlflow/utils/search_utils.py,
 * SearchModelUtils and SearchModelVersionUtils, MLflow 2.22): clauses joined by AND, each
 * `name`, `run_id`, `source_path`, or `tags.<key>` (also `tags.\`key\``) compared with `=`, `!=`, `LIKE`,
 * `ILIKE` or `IN (...)` to quoted strings; orderings by `name`, `version_number`, `creation_timestamp`,
 * `last_updated_timestamp` (or its alias `timestamp`), ASC or DESC. A clause outside that grammar is
 * refused naming it.
 */
import { MlcycleError } from '../../error.js';

/** One `field op value` clause; `values` has one entry except for IN. */
export interface RegistryClause {
  field: string;
  comparator: '=' | '!=' | 'LIKE' | 'ILIKE' | 'IN';
  values: string[];
}

const STRING = String.raw`'(?:[^']|'')*'|"(?:[^"]|"")*"`;
const CLAUSE = new RegExp(String.raw`^\s*((?:tags\.)?(?:\x60[^\x60]+\x60|"[^"]+"|[\w.]+))\s*(=|!=|ILIKE|LIKE|IN)\s*(${STRING}|\(\s*(?:${STRING})(?:\s*,\s*(?:${STRING}))*\s*\))\s*$`, 'i');

function unquote(text: string): string {
  const quote = text[0] as string;
  return text.slice(1, -1).replaceAll(quote + quote, quote);
}

/** A filter cut at each AND outside quotes. */
export function splitAnd(filter: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let index = 0; index < filter.length; index++) {
    const char = filter[index] as string;
    if (quote !== undefined) quote = char === quote ? undefined : quote;
    else if (char === "'" || char === '"') quote = char;
    else if (/\s/.test(char) && /^\s+AND\s+/i.test(filter.slice(index))) {
      parts.push(current);
      current = '';
      index += (/^\s+AND\s+/i.exec(filter.slice(index)) as RegExpExecArray)[0].length - 1;
      continue;
    }
    current += char;
  }
  parts.push(current);
  return parts;
}

/** The clauses of a registry filter; fields outside `allowed` (or `tags.*` when tags are not allowed) are refused. */
export function parseRegistryFilter(filter: string | undefined, allowed: readonly string[]): RegistryClause[] {
  if (filter === undefined || filter.trim() === '') return [];
  return splitAnd(filter).map((text) => {
    const match = CLAUSE.exec(text);
    if (match === null) throw new MlcycleError('invalid_input', `filter: cannot read "${text.trim()}"; expected a clause such as name = 'churn' or tags.team = 'growth', joined by AND`);
    const rawField = match[1] as string;
    const tag = /^tags\./i.test(rawField);
    const name = tag ? rawField.slice(5) : rawField;
    const field = tag ? `tags.${/^[`"]/.test(name) ? name.slice(1, -1) : name}` : name;
    if (!(tag ? allowed.includes('tags') : allowed.includes(field))) throw new MlcycleError('invalid_input', `filter: "${rawField}" is not searchable here; use ${allowed.join(', ')}`);
    const comparator = (match[2] as string).toUpperCase() as RegistryClause['comparator'];
    const valueText = match[3] as string;
    const values = valueText.startsWith('(') ? [...valueText.matchAll(new RegExp(STRING, 'g'))].map((found) => unquote(found[0])) : [unquote(valueText)];
    return { field, comparator, values };
  });
}

function likeRegex(pattern: string, flags: string): RegExp {
  const body = [...pattern].map((char) => (char === '%' ? '.*' : char === '_' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, `s${flags}`);
}

/** Whether an entity whose fields read as `valueOf` gives matches every clause (a missing tag matches nothing). */
export function matchesClauses(clauses: readonly RegistryClause[], valueOf: (field: string) => string | undefined): boolean {
  return clauses.every((clause) => {
    const value = valueOf(clause.field);
    if (value === undefined) return false;
    const [first = ''] = clause.values;
    switch (clause.comparator) {
      case '=':
        return value === first;
      case '!=':
        return value !== first;
      case 'IN':
        return clause.values.includes(value);
      case 'LIKE':
        return likeRegex(first, '').test(value);
      case 'ILIKE':
        return likeRegex(first, 'i').test(value);
    }
  });
}

/** One ordering key of a registry search. */
export interface RegistryOrder {
  key: string;
  descending: boolean;
}

/** `order_by` entries (`name ASC`, `last_updated_timestamp DESC`...) checked against the keys allowed. */
export function parseRegistryOrder(entries: readonly string[], allowed: readonly string[]): RegistryOrder[] {
  return entries.map((entry) => {
    const match = /^\s*([\w.]+)\s*(ASC|DESC)?\s*$/i.exec(entry);
    const key = match?.[1] === 'timestamp' ? 'last_updated_timestamp' : match?.[1];
    if (match === null || key === undefined || !allowed.includes(key)) throw new MlcycleError('invalid_input', `order_by: "${entry}" is not one of ${allowed.join(', ')}, with ASC or DESC`);
    return { key, descending: match[2]?.toUpperCase() === 'DESC' };
  });
}

/** A comparator sorting by the orderings, then by `tieBreak`. */
export function registryComparator<T>(orders: readonly RegistryOrder[], valueOf: (item: T, key: string) => string | number, tieBreak: (a: T, b: T) => number): (a: T, b: T) => number {
  return (a, b) => {
    for (const { key, descending } of orders) {
      const left = valueOf(a, key);
      const right = valueOf(b, key);
      if (left !== right) return (left < right ? -1 : 1) * (descending ? -1 : 1);
    }
    return tieBreak(a, b);
  };
}
