/**
 * Optional token authentication. Tokens come from `MLCYCLE_TOKENS` or a tokens file, one per line (or
 * comma-separated): `NAME:read:TOKEN` or `NAME:write:TOKEN`. A request then needs `Authorization: Bearer
 * TOKEN` (what MLflow clients send for MLFLOW_TRACKING_TOKEN) or Basic auth with the token as password
 * (MLFLOW_TRACKING_USERNAME / PASSWORD). Read tokens may read and search; only write tokens change state.
 * The token's name is the actor in the audit log. Tokens are compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { MlcycleError, type InputIssue } from '../error.js';

export type TokenAccess = 'read' | 'write';

export interface AccessToken {
  name: string;
  access: TokenAccess;
  /** SHA-256 of the token: the token itself is not kept. */
  digest: Buffer;
}

const MIN_TOKEN_LENGTH = 16;

function digestOf(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * Parses token lines; every bad line is reported at once, by its number, without echoing the secret.
 * Fails closed: a source that is given but holds no token (empty, blank or comments only) is an error,
 * since serving it would silently turn authentication off.
 */
export function parseTokens(text: string, source: string): AccessToken[] {
  const tokens: AccessToken[] = [];
  const issues: InputIssue[] = [];
  const entries = text.split(/\r?\n|,/).map((entry) => entry.trim());
  entries.forEach((entry, index) => {
    if (entry === '' || entry.startsWith('#')) return;
    const [name = '', access = '', ...rest] = entry.split(':');
    const token = rest.join(':');
    const where = { file: source, path: '', line: index + 1 };
    if (!/^[\w.@-]{1,100}$/.test(name)) issues.push({ ...where, message: 'the name must be 1 to 100 letters, digits, _ . @ or -' });
    else if (access !== 'read' && access !== 'write') issues.push({ ...where, message: `${name}: access must be read or write` });
    else if (token.length < MIN_TOKEN_LENGTH) issues.push({ ...where, message: `${name}: the token must have at least ${MIN_TOKEN_LENGTH} characters` });
    else if (tokens.some((existing) => existing.name === name)) issues.push({ ...where, message: `${name}: named twice` });
    else tokens.push({ name, access, digest: digestOf(token) });
  });
  if (issues.length > 0) throw new MlcycleError('invalid_input', `${source}: ${issues.length} bad token line(s); expected NAME:read|write:TOKEN`, { issues });
  if (tokens.length === 0) {
    throw new MlcycleError('invalid_input', `${source}: holds no token (empty or comments only); expected NAME:read|write:TOKEN lines, or give no tokens to serve without authentication`, { issues: [{ path: source, message: 'no token' }] });
  }
  return tokens;
}

/** The token a request's Authorization header carries, if any. */
function presentedToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const bearer = /^Bearer\s+(.+)$/i.exec(header);
  if (bearer !== null) return bearer[1]?.trim();
  const basic = /^Basic\s+(.+)$/i.exec(header);
  if (basic === null) return undefined;
  const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/** The token holder a header authenticates, or undefined; every token is compared, in constant time. */
export function authenticate(header: string | undefined, tokens: readonly AccessToken[]): AccessToken | undefined {
  const presented = presentedToken(header);
  if (presented === undefined || presented === '') return undefined;
  const digest = digestOf(presented);
  let found: AccessToken | undefined;
  for (const token of tokens) if (timingSafeEqual(digest, token.digest)) found = token;
  return found;
}

/** POST endpoints that only read (searches): a read token may call them. */
const READ_ONLY_POSTS = ['/api/2.0/mlflow/runs/search', '/api/2.0/mlflow/experiments/search', '/api/2.0/mlflow/registered-models/get-latest-versions', '/api/v1/runs/search'];

/** Whether a request only reads stored state. */
export function isReadRequest(method: string, url: string): boolean {
  if (method === 'GET' || method === 'HEAD') return true;
  return method === 'POST' && READ_ONLY_POSTS.includes(url.split('?')[0] as string);
}
