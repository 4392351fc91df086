import { describe, expect, it } from 'vitest';
import { MlcycleError } from '../error.js';
import { classifyFailure, wantsTrace } from './failure.js';
import type { RegisterCommands } from './program.js';
import { runCommands } from './run-commands.js';

/** Runs the CLI frame with one command `fail` whose body throws the given value; returns what it printed. */
async function runFailing(thrown: unknown, extra: string[] = [], env: Record<string, string> = {}): Promise<{ code: number; stderr: string; stdout: string }> {
  const register: RegisterCommands = (program, action) => {
    program.command('fail').action(
      action(async () => {
        throw thrown;
      }),
    );
  };
  let stderr = '';
  let stdout = '';
  const saved = process.env.MLCYCLE_DEBUG;
  if (env.MLCYCLE_DEBUG === undefined) delete process.env.MLCYCLE_DEBUG;
  else process.env.MLCYCLE_DEBUG = env.MLCYCLE_DEBUG;
  try {
    const code = await runCommands(['node', 'mlcycle', ...extra, 'fail'], [register], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
    return { code, stderr, stdout };
  } finally {
    if (saved === undefined) delete process.env.MLCYCLE_DEBUG;
    else process.env.MLCYCLE_DEBUG = saved;
  }
}

function systemError(code: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(`${code}: something`), { code, ...fields });
}

describe('classifyFailure', () => {
  it('keeps an MlcycleError as it is', () => {
    const error = new MlcycleError('not_found', 'no such run');
    expect(classifyFailure(error)).toBe(error);
  });

  it('turns file-system errors on a path into exit-2 errors naming the path', () => {
    const cases = [
      [systemError('ENOENT', { syscall: 'open', path: '/x/card.md' }), 'not_found', 'cannot open /x/card.md: no such file or folder (ENOENT)'],
      [systemError('EISDIR', { syscall: 'open', path: '/x' }), 'invalid_input', 'cannot open /x: it is a folder, not a file (EISDIR)'],
      [systemError('EEXIST', { syscall: 'mkdir', path: '/x/a.csv' }), 'conflict', 'cannot mkdir /x/a.csv: a file of that name is in the way of the folder (EEXIST)'],
      [systemError('EACCES', { syscall: 'open', path: '/root/x' }), 'invalid_input', 'cannot open /root/x: permission denied (EACCES)'],
    ] as const;
    for (const [thrown, code, message] of cases) {
      const error = classifyFailure(thrown);
      expect([error.code, error.message, error.exitCode]).toEqual([code, message, 2]);
    }
  });

  it('names the address of a listen failure', () => {
    expect(classifyFailure(systemError('EADDRINUSE', { syscall: 'listen', address: '127.0.0.1', port: 5000 })).message).toMatch(/^cannot listen on 127\.0\.0\.1:5000: the address is already in use/);
    expect(classifyFailure(systemError('EACCES', { syscall: 'listen', address: '0.0.0.0', port: 80 })).message).toMatch(/ports below 1024/);
  });

  it('treats SQLite size limits as the input being too large, and other errors as bugs', () => {
    const tooDeep = Object.assign(new Error('Expression tree is too large (maximum depth 1000)'), { name: 'SqliteError', code: 'SQLITE_ERROR' });
    expect(classifyFailure(tooDeep).code).toBe('invalid_input');
    const syntax = Object.assign(new Error('near "x": syntax error'), { name: 'SqliteError', code: 'SQLITE_ERROR' });
    expect(classifyFailure(syntax).code).toBe('internal');
    expect(classifyFailure(new TypeError('x is undefined')).exitCode).toBe(70);
    // A system error without a path is not the user's file: a bug until shown otherwise.
    expect(classifyFailure(systemError('ENOENT', { syscall: 'spawn' })).code).toBe('internal');
  });

  it('wants the trace with --verbose or MLCYCLE_DEBUG=1 only', () => {
    expect(wantsTrace(['node', 'mlcycle', 'x'], {})).toBe(false);
    expect(wantsTrace(['node', 'mlcycle', '--verbose', 'x'], {})).toBe(true);
    expect(wantsTrace(['node', 'mlcycle', 'x'], { MLCYCLE_DEBUG: '1' })).toBe(true);
    expect(wantsTrace(['node', 'mlcycle', 'x'], { MLCYCLE_DEBUG: '0' })).toBe(false);
  });
});

describe('the CLI frame on a failure', () => {
  it('prints a bug as its one-line message and a hint, exit code 70, and its trace only when asked', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'column')");
    const plain = await runFailing(bug);
    expect(plain.code).toBe(70);
    expect(plain.stderr.trimEnd().split('\n')).toEqual([
      "error: Cannot read properties of undefined (reading 'column')",
      '  internal error (exit 70): rerun with --verbose or MLCYCLE_DEBUG=1 for the stack trace',
    ]);
    const verbose = await runFailing(bug, ['--verbose']);
    expect(verbose.code).toBe(70);
    expect(verbose.stderr).toMatch(/^TypeError: Cannot read properties of undefined/m);
    expect(verbose.stderr).toMatch(/^\s+at .+failure\.test\.ts/m);
    const debug = await runFailing(bug, [], { MLCYCLE_DEBUG: '1' });
    expect(debug.stderr).toMatch(/^\s+at /m);
  });

  it('prints a user error as one line with exit code 2, in JSON with --json', async () => {
    const run = await runFailing(systemError('EISDIR', { syscall: 'open', path: '/tmp/reports' }));
    expect(run).toEqual({ code: 2, stdout: '', stderr: 'error: cannot open /tmp/reports: it is a folder, not a file (EISDIR)\n' });
    const json = await runFailing(systemError('EISDIR', { syscall: 'open', path: '/tmp/reports' }), ['--json']);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'invalid_input', message: 'cannot open /tmp/reports: it is a folder, not a file (EISDIR)', issues: [] } });
  });
});
