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

/**
 * Where the first NUL byte of a file is (1-based line and column), if it has one: a text file with NUL bytes
 * is UTF-16, binary or corrupt, and DuckDB would read it without a word. Read in blocks, never whole.
 */
export async function firstNulByte(file: string): Promise<{ line: number; column: number } | undefined> {
  let line = 1;
  let lineStart = 0;
  let offset = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const nul = chunk.indexOf(0);
    const end = nul < 0 ? chunk.length : nul;
    for (let index = chunk.indexOf(10); index >= 0 && index < end; index = chunk.indexOf(10, index + 1)) {
      line += 1;
      lineStart = offset + index + 1;
    }
    if (nul >= 0) return { line, column: offset + nul - lineStart + 1 };
    offset += chunk.length;
  }
  return undefined;
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
