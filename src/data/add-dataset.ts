/**
 * `mlcycle data add`: read a file with DuckDB, check it, store it as a Parquet artifact and register an
 * immutable, content-addressed dataset version. Phases:
 *   1. resolve  the format, the spec's declarations for the dataset, the source's columns
 *   2. check    type overrides and the time column fit, the target exists when it must
 *   3. write    one COPY to a staged Parquet file; CSV rows DuckDB rejected fail the add
 *   4. register the hash decides: same content is the same version; new content a new version
 * Any failure discards the staged file: nothing is registered and no artifact is left behind.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { MlcycleError, type InputIssue } from '../error.js';
import type { DataSpec } from '../problem/data-spec.js';
import { quoteIdentifier, quoteLiteral, type AnalyticsEngine, type SqlValue } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { DatasetVersion, SemanticType } from '../store/dataset-store.js';
import type { Workspace } from '../store/workspace.js';
import { convertArrowToParquet } from './arrow-source.js';
import { validateDatasetName } from './dataset-ref.js';
import { engineErrorToInput } from './engine-errors.js';
import { firstMalformedJsonLine, firstNulByteLine } from './source-lines.js';
import { profileColumns, toColumnSchemas } from './profile-columns.js';
import { REJECTS, resolveFormat, sourceTableSql, wrongDelimiterHint, type ReadOptions } from './read-source.js';
import { storeVersions } from './store-versions.js';
import { expectedTarget, resolveTarget } from './target.js';
import { castFor, checkCastsFit, type ColumnCast } from './type-overrides.js';

export interface AddDatasetRequest {
  file: string;
  name: string;
  format?: string;
  delimiter?: string;
  timeColumn?: string;
  /** A label column this dataset must contain. */
  target?: string;
}

export interface AddDatasetOutcome {
  version: DatasetVersion;
  /** False when the same content was already registered under this name. */
  created: boolean;
}

/** Adds a file as a dataset version (phases in the file comment). */
export async function addDataset(
  workspace: Workspace,
  engine: AnalyticsEngine,
  spec: DataSpec | undefined,
  request: AddDatasetRequest,
  context: ChangeContext,
): Promise<AddDatasetOutcome> {
  // 1. resolve
  validateDatasetName(request.name);
  const { file, info } = await checkSourceFile(request.file);
  const label = request.file;
  const format = resolveFormat(file, request.format);
  const options: ReadOptions = { format, ...(request.delimiter === undefined ? {} : { delimiter: unescapeDelimiter(request.delimiter) }) };
  if (format === 'csv' || format === 'tsv' || format === 'json' || format === 'ndjson') {
    const nulLine = await firstNulByteLine(file);
    if (nulLine !== undefined) {
      throw new MlcycleError('invalid_input', `${label}:${nulLine}: a NUL byte (\\0) in a text file; it is refused rather than read as part of a value, which would turn its column into text: remove it (for example with tr -d '\\000') or fix the export`);
    }
  }
  const datasetSpec = spec?.datasets[request.name];
  const timeColumn = request.timeColumn ?? datasetSpec?.timeColumn;
  const hashing = hashFile(file);
  const staged: string[] = [];
  try {
    let readable = file;
    if (format === 'arrow') {
      readable = await workspace.artifacts.stagingPath('.parquet');
      staged.push(readable);
      await convertArrowToParquet(file, readable, engine, label);
    }
    const source = sourceTableSql(readable, options);
    const described = await engine.describe(`SELECT * FROM ${source}`).catch(async (error: unknown) => {
      throw engineErrorToInput(error, label, format === 'ndjson' ? await firstMalformedJsonLine(file) : undefined);
    });
    const names = described.map((column) => column.name);
    const csv = format === 'csv' || format === 'tsv';
    const hint = csv ? wrongDelimiterHint(names) : undefined;
    if (hint !== undefined) throw new MlcycleError('invalid_input', `${label}: ${hint}`);

    // 2. check
    const issues: InputIssue[] = [];
    const missing = (column: string, what: string): void => {
      issues.push({ file: label, path: column, message: `${what} "${column}" is not a column (columns: ${names.join(', ')})` });
    };
    const overrides: Record<string, SemanticType> = {};
    const casts: ColumnCast[] = [];
    for (const [column, declared] of Object.entries(datasetSpec?.columns ?? {})) {
      if (declared.type === undefined) continue;
      const storage = described.find((candidate) => candidate.name === column);
      if (storage === undefined) {
        missing(column, `mlcycle.yaml datasets.${request.name}.columns declares a type for`);
        continue;
      }
      overrides[column] = declared.type;
      const cast = castFor(column, storage.type, declared.type, `declared in mlcycle.yaml datasets.${request.name}.columns`);
      if (cast !== undefined) casts.push(cast);
    }
    if (timeColumn !== undefined) {
      const storage = described.find((candidate) => candidate.name === timeColumn);
      if (storage === undefined) missing(timeColumn, 'the time column');
      else if (overrides[timeColumn] === undefined) {
        const cast = castFor(timeColumn, storage.type, 'datetime', 'the time column');
        if (cast !== undefined) {
          overrides[timeColumn] = 'datetime';
          casts.push(cast);
        }
      }
    }
    const expected = expectedTarget(spec, datasetSpec, request.target);
    if (expected?.required === true && (await resolveTarget(engine, source, names, expected, spec)) === undefined) {
      missing(expected.column, 'the target');
    }
    if (issues.length > 0) throw new MlcycleError('invalid_input', `${label}: ${issues.length} problem(s); nothing was registered`, { issues });
    await checkCastsFit(engine, source, casts, { path: file, label, csv, ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }) }).catch(
      (error: unknown) => {
        throw engineErrorToInput(error, label);
      },
    );

    // 3. write
    const output = await workspace.artifacts.stagingPath('.parquet');
    staged.push(output);
    const projection = described
      .map((column) => {
        const cast = casts.find((candidate) => candidate.column === column.name);
        const name = quoteIdentifier(column.name);
        return cast === undefined ? name : `CAST(${name} AS ${cast.storageType}) AS ${name}`;
      })
      .join(', ');
    await engine.run(`COPY (SELECT ${projection} FROM ${source}) TO ${quoteLiteral(output)} (FORMAT parquet)`).catch(async (error: unknown) => {
      throw engineErrorToInput(error, label, format === 'ndjson' ? await firstMalformedJsonLine(file) : undefined);
    });
    if (csv) await failOnRejectedRows(engine, label);
    const storedTable = `read_parquet(${quoteLiteral(output)})`;
    const { rowCount, facts } = await profileColumns(engine, storedTable, output);
    if (rowCount === 0) throw new MlcycleError('invalid_input', `${label}: no data rows${csv ? ' (the file holds only a header)' : ''}; nothing was registered`);

    // 4. register
    const castSummary = Object.fromEntries(casts.map((cast) => [cast.column, cast.storageType]));
    const shape: Record<string, SqlValue> = { format, delimiter: options.delimiter ?? null, casts: castSummary };
    const hash = createHash('sha256').update(await hashing).update(JSON.stringify(shape)).digest('hex');
    const [outcome] = await storeVersions(
      workspace,
      [
        {
          file: output,
          draft: {
            dataset: request.name,
            hash,
            rowCount,
            columns: toColumnSchemas(facts, overrides),
            ...(timeColumn === undefined ? {} : { timeColumn }),
            lineage: { source: { path: file, size: info.size, modifiedAt: info.mtime.toISOString(), format, options: shape } },
          },
        },
      ],
      context,
    );
    if (outcome === undefined) throw new Error('storing the version returned nothing');
    return outcome;
  } finally {
    await Promise.all(staged.map((file) => workspace.artifacts.discard(file)));
    await engine.run(`DROP TABLE IF EXISTS ${REJECTS.table}; DROP TABLE IF EXISTS ${REJECTS.scan}`).catch(() => undefined);
  }
}

/** The absolute path and file-system facts of a file to register; refuses a missing, empty or non-regular file, naming it. */
export async function checkSourceFile(given: string): Promise<{ file: string; info: Stats }> {
  const file = path.resolve(given);
  const info = await stat(file).catch(() => {
    throw new MlcycleError('not_found', `${given}: file not found (${file})`);
  });
  if (!info.isFile()) throw new MlcycleError('invalid_input', `${given}: not a file`);
  if (info.size === 0) throw new MlcycleError('invalid_input', `${given}: the file is empty`);
  return { file, info };
}

/**
 * `\t` typed on a command line arrives as two characters; DuckDB wants the tab itself. A separator is one
 * character: DuckDB's `delim` accepts up to 4 bytes, but our line finder (source-lines.ts) and every
 * CSV dialect we read use one.
 */
function unescapeDelimiter(delimiter: string): string {
  const unescaped = delimiter === '\\t' ? '\t' : delimiter;
  if ([...unescaped].length !== 1 || ['\n', '\r', '"'].includes(unescaped)) {
    throw new MlcycleError('usage', `delimiter: expected one character other than a quote or line break (\\t for a tab), got ${JSON.stringify(delimiter)}`);
  }
  return unescaped;
}

async function hashFile(file: string): Promise<Buffer> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest();
}

/** DuckDB skipped rows it could not read; a dataset with silently missing rows is worse than an error. */
async function failOnRejectedRows(engine: AnalyticsEngine, label: string): Promise<void> {
  const rows = await engine.query(
    `SELECT line, column_name, error_type, error_message, csv_line, count(*) OVER () AS total FROM ${REJECTS.table} ORDER BY line LIMIT 5`,
  );
  if (rows.length === 0) return;
  const total = Number(rows[0]?.total ?? rows.length);
  const issues: InputIssue[] = rows.map((row) => ({
    file: label,
    line: Number(row.line),
    path: '',
    message: `${String(row.error_type).toLowerCase()}: ${String(row.error_message)} (line reads ${JSON.stringify(row.csv_line)})`,
  }));
  throw new MlcycleError('invalid_input', `${label}: ${total} row(s) could not be read; nothing was registered`, { issues });
}
