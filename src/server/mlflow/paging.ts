/**
 * Paging of MLflow searches answered from a whole list (experiments, registered models, model versions,
 * metric histories): `max_results` and `page_token` in, one page and `next_page_token` out. Tokens are the
 * store's opaque ones, bound to the query they came from.
 */
import { MlcycleError } from '../../error.js';
import { decodePageToken, encodePageToken, queryFingerprint } from '../../store/page-token.js';
import { optionalInteger, optionalString, type Fields } from './request-fields.js';

/** The page the request's `max_results` and `page_token` ask for: where it starts and how long it is. */
export function pageWindow(fields: Fields, query: unknown, defaults: { maxResults: number; limit: number }): { offset: number; maxResults: number } {
  const maxResults = optionalInteger(fields, 'max_results') ?? defaults.maxResults;
  if (maxResults < 1 || maxResults > defaults.limit) throw new MlcycleError('invalid_input', `max_results: ${maxResults} is not between 1 and ${defaults.limit}`, { issues: [{ path: 'max_results', message: 'out of range' }] });
  const token = optionalString(fields, 'page_token');
  return { offset: token === undefined || token === '' ? 0 : decodePageToken(token, queryFingerprint(query)), maxResults };
}

/** The token of the page starting at `offset` of the same query. */
export function pageTokenAt(offset: number, query: unknown): string {
  return encodePageToken(offset, queryFingerprint(query));
}

/** One page of `items` as the request's `max_results` and `page_token` ask; `limit` is MLflow's largest page. */
export function pageOf<T>(items: readonly T[], fields: Fields, query: unknown, defaults: { maxResults: number; limit: number }): { page: T[]; nextPageToken?: string } {
  const { offset, maxResults } = pageWindow(fields, query, defaults);
  const fingerprint = queryFingerprint(query);
  const page = items.slice(offset, offset + maxResults);
  const next = offset + maxResults;
  return next < items.length ? { page, nextPageToken: encodePageToken(next, fingerprint) } : { page };
}

/** `next_page_token` as MLflow's responses carry it: present only when another page follows. */
export function nextPageField(nextPageToken: string | undefined): { next_page_token?: string } {
  return nextPageToken === undefined ? {} : { next_page_token: nextPageToken };
}
