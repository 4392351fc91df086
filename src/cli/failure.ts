/**
 * What the CLI does with a thrown value: mlcycle's own errors keep their code; failures of the operating
 * system or of SQLite that only a user's input or machine can cause (a path that exists or does not, a
 * busy port, a file that is not a database, a query too large) become user errors (exit 2) that name the
 * path, address or limit; everything else is a bug (exit 70), printed as one line unless the user asked
 * for the trace with `--verbose` or `MLCYCLE_DEBUG=1`.
 */
import { MlcycleError, type ErrorCode } from '../error.js';

/** The shape Node gives system errors (fs, net); every field but `code` may be missing. */
interface SystemError extends Error {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
  address?: string;
  port?: number;
}

/**
 * System error codes that describe the user's files or machine, with the words a user reads.
 * Source of the codes: Node's "Common system errors" (nodejs.org/api/errors.html) and errno(3).
 */
const SYSTEM_ERRORS: Readonly<Record<string, { code: ErrorCode; words: string }>> = {
  ENOENT: { code: 'not_found', words: 'no such file or folder' },
  EEXIST: { code: 'conflict', words: 'it already exists' },
  EISDIR: { code: 'invalid_input', words: 'it is a folder, not a file' },
  ENOTDIR: { code: 'invalid_input', words: 'a part of the path is a file, not a folder' },
  EACCES: { code: 'invalid_input', words: 'permission denied' },
  EPERM: { code: 'invalid_input', words: 'operation not permitted' },
  EROFS: { code: 'invalid_input', words: 'the file system is read-only' },
  ENAMETOOLONG: { code: 'invalid_input', words: 'the name is too long' },
  ELOOP: { code: 'invalid_input', words: 'too many symbolic links' },
  ENOSPC: { code: 'invalid_input', words: 'no space left on the device' },
  EMFILE: { code: 'invalid_input', words: 'too many open files' },
};

const LISTEN_ERRORS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the address is already in use (another process listens there; pick another --port, or 0 for a free one)',
  EADDRNOTAVAIL: 'this host has no such address (pick one of its own addresses with --host, e.g. 127.0.0.1)',
  EACCES: 'permission denied (ports below 1024 need privileges; pick a higher --port)',
};

/**
 * SQLite result codes (sqlite.org/rescode.html) and messages of its compile-time limits
 * (sqlite.org/limits.html: SQLITE_MAX_EXPR_DEPTH, SQLITE_MAX_VARIABLE_NUMBER) that a user's input causes.
 */
const SQLITE_DATABASE_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);
const SQLITE_LIMIT_MESSAGES = [/expression tree is too large/i, /too many SQL variables/i, /string or blob too big/i, /too many terms in compound SELECT/i];

/** Turns any thrown value into the error the CLI reports: a user error where the cause is the user's. */
export function classifyFailure(thrown: unknown): MlcycleError {
  if (thrown instanceof MlcycleError) return thrown;
  if (isSystemError(thrown)) {
    const listen = thrown.syscall === 'listen' || thrown.syscall === 'bind' ? LISTEN_ERRORS[thrown.code] : undefined;
    if (listen !== undefined) {
      const where = thrown.port === undefined ? thrown.address : `${thrown.address ?? ''}:${thrown.port}`;
      return new MlcycleError('invalid_input', `cannot listen on ${where ?? 'the address'}: ${listen}`, { cause: thrown });
    }
    const known = SYSTEM_ERRORS[thrown.code];
    if (known !== undefined && thrown.path !== undefined) {
      const target = thrown.dest === undefined ? thrown.path : `${thrown.path} to ${thrown.dest}`;
      // mkdir over a file is the common EEXIST (`mlcycle init data.csv`): say what is in the way.
      const words = thrown.code === 'EEXIST' && thrown.syscall === 'mkdir' ? 'a file of that name is in the way of the folder' : known.words;
      return new MlcycleError(known.code, `cannot ${thrown.syscall ?? 'use'} ${target}: ${words} (${thrown.code})`, { cause: thrown });
    }
  }
  if (thrown instanceof Error && thrown.name === 'SqliteError') {
    const code = (thrown as Partial<SystemError>).code ?? '';
    if (SQLITE_DATABASE_CODES.has(code)) return new MlcycleError('invalid_input', `the workspace database is unreadable: ${thrown.message} (${code})`, { cause: thrown });
    if (SQLITE_LIMIT_MESSAGES.some((pattern) => pattern.test(thrown.message))) {
      return new MlcycleError('invalid_input', `the request is too large for the database: ${thrown.message}; make the filter or input smaller`, { cause: thrown });
    }
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new MlcycleError('internal', firstLine(message), { cause: thrown });
}

/** True when the user asked for stack traces: `--verbose` anywhere in the arguments, or MLCYCLE_DEBUG set to 1 or true. */
export function wantsTrace(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  return argv.includes('--verbose') || ['1', 'true'].includes((env.MLCYCLE_DEBUG ?? '').toLowerCase());
}

/**
 * What follows an internal error's one line: its stack trace when the user asked for it, else one line
 * saying how to ask (the error line stays the original message, as a worker reports the same failure).
 */
export function internalErrorDetails(error: MlcycleError, trace: boolean): string {
  if (!trace) return '  internal error (exit 70): rerun with --verbose or MLCYCLE_DEBUG=1 for the stack trace\n';
  const cause = error.cause instanceof Error ? error.cause : error;
  return `${cause.stack ?? cause.message}\n`;
}

function isSystemError(thrown: unknown): thrown is SystemError {
  return thrown instanceof Error && typeof (thrown as Partial<SystemError>).code === 'string' && /^E[A-Z]+$/.test((thrown as SystemError).code);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
