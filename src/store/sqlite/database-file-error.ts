/**
 * A workspace database file that SQLite cannot read (not a database, or corrupt) is the user's problem to
 * fix, not a bug: the error names the file, and nothing is written to it.
 */
import { MlcycleError } from '../../error.js';

/** SQLite's result codes for a file that is not a readable database (sqlite.org/rescode.html). */
const UNREADABLE_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

/** The error to throw for a failure opening `file`: a named invalid-input error when the file is unreadable, else the failure itself. */
export function databaseFileError(file: string, thrown: unknown): unknown {
  const code = (thrown as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !UNREADABLE_CODES.has(code)) return thrown;
  const reason = thrown instanceof Error ? thrown.message : code;
  return new MlcycleError('invalid_input', `${file} is not a readable mlcycle database (${reason}); it was left untouched: restore it from a backup, or move it away and run \`mlcycle init\``, {
    cause: thrown,
    issues: [{ file, path: '', message: reason }],
  });
}
