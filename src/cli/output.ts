/** How commands print: text for people, JSON for programs, errors the same way on every command. */
import { formatIssue, type MlcycleError } from '../error.js';

/** What a command produced: the same result as text and as JSON, and its exit code. */
export interface CommandOutput {
  text: string;
  json: unknown;
  /** 0 unless a check failed (1). */
  exitCode?: number;
}

export interface OutputStreams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const processStreams: OutputStreams = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Prints a command's output in the chosen form. */
export function printOutput(output: CommandOutput, json: boolean, streams: OutputStreams): void {
  streams.stdout(json ? `${JSON.stringify(output.json, null, 2)}\n` : ensureNewline(output.text));
}

/** Prints an error: as JSON on stdout with `--json`, else as lines on stderr. */
export function printError(error: MlcycleError, json: boolean, streams: OutputStreams): void {
  if (json) {
    streams.stdout(`${JSON.stringify(error.toJSON(), null, 2)}\n`);
    return;
  }
  // An issue the message already states in full is not repeated below it.
  const details = error.issues.filter((issue) => !error.message.includes(issue.message));
  const lines = [`error: ${error.message}`, ...details.map((issue) => `  ${formatIssue(issue)}`)];
  streams.stderr(`${lines.join('\n')}\n`);
}

function ensureNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

/** Left-aligned columns, two spaces apart. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))).join('  '))
    .join('\n');
}
