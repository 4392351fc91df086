/**
 * Finding the line of a value in a delimited text file, for error messages only: DuckDB does not report
 * the line of a row it read successfully, so on the error path we scan the file for the first line whose
 * field holds the value. Quoted fields containing the delimiter are split naively; the line is a guide.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

function splitFields(line: string, delimiter: string): string[] {
  return line.split(delimiter).map((field) => field.trim().replace(/^"(.*)"$/, '$1'));
}

/** The 1-based line of the first row whose `column` field equals `value`, if found. */
export async function findLineOfValue(file: string, column: string, value: string, delimiter?: string): Promise<number | undefined> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  let index = -1;
  let separator = delimiter ?? ',';
  try {
    for await (const line of lines) {
      lineNumber++;
      if (lineNumber === 1) {
        if (delimiter === undefined) separator = [',', ';', '\t', '|'].find((candidate) => line.includes(candidate)) ?? ',';
        index = splitFields(line, separator).indexOf(column);
        if (index < 0) return undefined;
        continue;
      }
      if (splitFields(line, separator)[index] === value) return lineNumber;
    }
  } finally {
    lines.close();
  }
  return undefined;
}

/** The 1-based line of the first line of a JSON-lines file that is not valid JSON, if any. */
export async function firstMalformedJsonLine(file: string): Promise<number | undefined> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      try {
        JSON.parse(line);
      } catch {
        return lineNumber;
      }
    }
  } finally {
    lines.close();
  }
  return undefined;
}

/**
 * The 1-based line of the first NUL byte in a file, if any. A NUL in a text file is refused rather than
 * read: DuckDB keeps it inside the value (turning a number column into text), pandas' C parser cuts the
 * field at it, so no reading of it is the one its author expects.
 */
export async function firstNulByteLine(file: string): Promise<number | undefined> {
  let line = 1;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    const at = chunk.indexOf(0);
    if (at < 0) {
      line += countNewlines(chunk, chunk.length);
      continue;
    }
    return line + countNewlines(chunk, at);
  }
  return undefined;
}

function countNewlines(chunk: Buffer, end: number): number {
  let count = 0;
  for (let at = chunk.indexOf(10); at >= 0 && at < end; at = chunk.indexOf(10, at + 1)) count++;
  return count;
}
