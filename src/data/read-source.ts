/**
 * How DuckDB reads a source file: the format from the flag or the extension, and the SQL table
 * expression that reads it. CSV is read with DuckDB's rejects table on, so that a ragged row or a byte
 * that is not UTF-8 is reported with its line instead of being skipped or read as a wrong table.
 */
import path from 'node:path';
import { MlcycleError } from '../error.js';
import { quoteLiteral } from '../store/analytics.js';

export const DATA_FORMATS = ['csv', 'tsv', 'json', 'ndjson', 'parquet', 'arrow'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

const EXTENSIONS: Record<string, DataFormat> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.ipc': 'arrow',
};

export interface ReadOptions {
  format: DataFormat;
  /** CSV only: the field separator; DuckDB's sniffer detects it when absent. */
  delimiter?: string;
}

/** The format named by the flag, else by the file's extension. */
export function resolveFormat(file: string, format: string | undefined): DataFormat {
  if (format !== undefined) {
    if ((DATA_FORMATS as readonly string[]).includes(format)) return format as DataFormat;
    throw new MlcycleError('usage', `--format: expected one of ${DATA_FORMATS.join(', ')}, got "${format}"`);
  }
  const detected = EXTENSIONS[path.extname(file).toLowerCase()];
  if (detected === undefined) {
    throw new MlcycleError('usage', `${file}: cannot tell the format from the extension; pass --format (${DATA_FORMATS.join(', ')})`);
  }
  return detected;
}

/** The rejects tables DuckDB fills while reading a CSV file. */
export const REJECTS = { table: 'mlcycle_rejects', scan: 'mlcycle_reject_scans' } as const;

/** A SQL table expression that reads the file (Arrow files are converted to Parquet first by the caller). */
export function sourceTableSql(file: string, options: ReadOptions): string {
  const literal = quoteLiteral(file);
  switch (options.format) {
    case 'csv':
    case 'tsv': {
      const delimiter = options.delimiter ?? (options.format === 'tsv' ? '\t' : undefined);
      const settings = [
        'header = true',
        'store_rejects = true',
        `rejects_table = '${REJECTS.table}'`,
        `rejects_scan = '${REJECTS.scan}'`,
        ...(delimiter === undefined ? [] : [`delim = ${quoteLiteral(delimiter)}`]),
      ];
      return `read_csv(${literal}, ${settings.join(', ')})`;
    }
    case 'json':
      return `read_json(${literal}, format = 'array')`;
    case 'ndjson':
      return `read_json(${literal}, format = 'newline_delimited')`;
    case 'parquet':
    case 'arrow':
      return `read_parquet(${literal})`;
  }
}

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

/**
 * A CSV read as one column whose name holds another delimiter was split on the wrong character: the
 * typical result of `--format tsv` on a comma file, or of a `--delimiter` that is not the file's.
 */
export function wrongDelimiterHint(columnNames: readonly string[]): string | undefined {
  if (columnNames.length !== 1) return undefined;
  const header = columnNames[0] ?? '';
  for (const [delimiter, name] of Object.entries(DELIMITER_NAMES)) {
    if (header.includes(delimiter)) return `the header was read as one column "${header}": the file looks ${name}-separated; pass --delimiter '${delimiter === '\t' ? '\\t' : delimiter}'`;
  }
  return undefined;
}
