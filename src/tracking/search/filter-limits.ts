/**
 * Limits on a run filter, checked while it is parsed so that no filter reaches the database that
 * SQLite would refuse with an internal error (its expression depth limit is 1,000 and its bound-variable
 * limit 32,766: https://www.sqlite.org/limits.html) or that would exhaust the parser's stack.
 */
import { MlcycleError } from '../../error.js';

export const FILTER_LIMITS = {
  /** Characters in one filter. */
  length: 50_000,
  /** Comparisons in one filter, joined by AND or OR. */
  comparisons: 200,
  /** Values in all IN and NOT IN lists of one filter together. */
  listValues: 5_000,
  /** Parentheses open at once. */
  nesting: 32,
  /** Orderings of one search: each keyed one is a join, and SQLite joins at most 64 tables. */
  orderings: 20,
} as const;

/** The error of a filter over one of the limits, naming the limit. */
export function filterLimitError(source: string, what: keyof typeof FILTER_LIMITS, found: number): MlcycleError {
  const names = { length: 'characters', comparisons: 'comparisons', listValues: 'values in IN lists', nesting: 'nested parentheses', orderings: 'orderings' };
  const message = `the ${source === 'orderBy' ? 'ordering' : 'filter'} has more than ${FILTER_LIMITS[what]} ${names[what]} (the limit; found ${found === Infinity ? 'more' : found})`;
  return new MlcycleError('invalid_input', `${source}: ${message}`, { issues: [{ path: source, message }] });
}

/** Refuses a filter text over the length limit before it is tokenized. */
export function checkFilterLength(text: string, source: string): void {
  if (text.length > FILTER_LIMITS.length) throw filterLimitError(source, 'length', text.length);
}
