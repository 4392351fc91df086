import { describe, expect, it } from 'vitest';
import { tempDir, testContext } from '../../test/support/temp-dir.js';
import { createWorkspace } from '../store/workspace.js';
import { buildServer } from './app.js';
import { authenticate, parseTokens } from './auth.js';

const WRITER = 'w-0123456789abcdef';
const READER = 'r-0123456789abcdef';

describe('token parsing', () => {
  it('reads names, access and tokens, and reports every bad line without the secret', () => {
    const tokens = parseTokens(`# team tokens\nana:write:${WRITER}\nci:read:${READER}`, 'tokens.txt');
    expect(tokens.map((token) => [token.name, token.access])).toEqual([['ana', 'write'], ['ci', 'read']]);
    expect(authenticate(`Bearer ${WRITER}`, tokens)?.name).toBe('ana');
    expect(authenticate(`Basic ${Buffer.from(`anyone:${READER}`).toString('base64')}`, tokens)?.name).toBe('ci');
    expect(authenticate('Bearer wrong-token-000000', tokens)).toBeUndefined();
    expect(authenticate(undefined, tokens)).toBeUndefined();
    try {
      parseTokens('ana:admin:0123456789abcdef0\nbob:write:short\nbad name:read:0123456789abcdef0', 'tokens.txt');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_input', message: 'tokens.txt: 3 bad token line(s); expected NAME:read|write:TOKEN' });
      const issues = (error as { issues: { line: number; message: string }[] }).issues;
      expect(issues.map((issue) => [issue.line, issue.message])).toEqual([
        [1, 'ana: access must be read or write'],
        [2, 'bob: the token must have at least 16 characters'],
        [3, 'the name must be 1 to 100 letters, digits, _ . @ or -'],
      ]);
      expect(JSON.stringify(error)).not.toContain('short');
    }
  });
});

describe('tokens fail closed', () => {
  it('refuses a source that holds no token, naming it, and a malformed line by its number', () => {
    for (const text of ['', '\n\n', '# only a comment\n  # another\n', ' , ,']) {
      expect(() => parseTokens(text, 'tokens.txt')).toThrow(/^tokens\.txt: holds no token/);
    }
    try {
      parseTokens(`# header\nana:write:${WRITER}\nno-colons-here`, 'tokens.txt');
      expect.unreachable();
    } catch (error) {
      expect((error as { issues: { line: number }[] }).issues.map((issue) => issue.line)).toEqual([3]);
    }
  });
});

describe('server authentication', () => {
  it('refuses requests without a valid token, lets read tokens only read, and audits the token name', async () => {
    const { workspace } = await createWorkspace(tempDir(), 'auth', testContext());
    const app = buildServer({ workspace, tokens: parseTokens(`ana:write:${WRITER},ci:read:${READER}`, 'MLCYCLE_TOKENS'), context: (user) => ({ ...testContext(), actor: user ?? 'nobody' }) });
    const call = (token: string | undefined, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
      app.inject({ method, url: `/api/2.0/mlflow${url}`, headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload }) });
    const anonymous = await call(undefined, 'POST', '/experiments/create', { name: 'x' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ error_code: 'UNAUTHENTICATED' });
    expect((await call('not-a-valid-token-at-all', 'GET', '/experiments/get-by-name?experiment_name=x')).statusCode).toBe(401);
    expect((await call(READER, 'POST', '/experiments/create', { name: 'x' })).json()).toMatchObject({ error_code: 'PERMISSION_DENIED' });
    expect((await call(WRITER, 'POST', '/experiments/create', { name: 'x' })).statusCode).toBe(200);
    expect((await call(READER, 'GET', '/experiments/get-by-name?experiment_name=x')).statusCode).toBe(200);
    expect((await call(READER, 'POST', '/runs/search', { experiment_ids: ['1'] })).statusCode).toBe(200);
    const run = await call(WRITER, 'POST', '/runs/create', { experiment_id: '1', user_id: 'someone-else', start_time: 1 });
    expect(run.json().run.info.user_id).toBe('ana');
    expect((await app.inject({ method: 'GET', url: '/api/v1/runs/0/metrics/x' })).json()).toMatchObject({ error: { code: 'unauthenticated' } });
    expect((await workspace.audit.list({ actionPrefix: 'experiment.' })).map((entry) => entry.actor)).toEqual(['ana']);
    await app.close();
    await workspace.close();
  });
});
