/** DuckDB's errors about a source file, turned into mlcycle's invalid-input errors with file and line. */
import { MlcycleError } from '../error.js';

/**
 * Keeps the first lines of DuckDB's message (its later lines are option dumps) and the line it names,
 * unless the caller found the line itself (`knownLine`).
 */
export function engineErrorToInput(error: unknown, label: string, knownLine?: number): MlcycleError {
  if (error instanceof MlcycleError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const named = /(?:on Line|in line):? (\d+)/i.exec(message)?.[1];
  const line = knownLine ?? (named === undefined ? undefined : Number(named));
  const lines = message.split('\n').map((text) => text.trim()).filter((text) => text !== '');
  const summary = lines.filter((text) => !/^(Original Line|Possible (Solution|fixes)|LINE \d+:|\^|\*)/.test(text)).slice(0, 2).join(' ');
  const issue = { file: label, path: '', message: summary, ...(line === undefined ? {} : { line }) };
  return new MlcycleError('invalid_input', `${label}: cannot read the file; nothing was registered`, { issues: [issue], cause: error });
}
