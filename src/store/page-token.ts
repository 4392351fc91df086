/**
 * Opaque page tokens for searches: the offset of the next page and a fingerprint of the query it belongs
 * to, so that a token passed with a different filter or ordering is refused instead of paging wrongly.
 */
import { createHash } from 'node:crypto';
import { MlcycleError } from '../error.js';

interface TokenBody {
  v: 1;
  offset: number;
  query: string;
}

/** A short hash of the parts of a query that decide which rows come in which order. */
export function queryFingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

/** The token for the page that starts at `offset`. */
export function encodePageToken(offset: number, fingerprint: string): string {
  const body: TokenBody = { v: 1, offset, query: fingerprint };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The offset a token points at; a token that is malformed or from another query is invalid input. */
export function decodePageToken(token: string, fingerprint: string): number {
  let body: Partial<TokenBody> | undefined;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    body = undefined;
  }
  if (body === undefined || body === null || body.v !== 1 || !Number.isSafeInteger(body.offset) || (body.offset as number) < 0) {
    throw new MlcycleError('invalid_input', 'pageToken: not a page token mlcycle issued', { issues: [{ path: 'pageToken', message: 'malformed' }] });
  }
  if (body.query !== fingerprint) {
    throw new MlcycleError('invalid_input', 'pageToken: the token belongs to a search with another filter, ordering or experiments', {
      issues: [{ path: 'pageToken', message: 'from another query' }],
    });
  }
  return body.offset as number;
}
