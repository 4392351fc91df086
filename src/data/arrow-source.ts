/**
 * Arrow IPC files. DuckDB reads Arrow only through an extension it would download at run time, which is
 * not available here, so the file is read with apache-arrow and handed to DuckDB as newline-delimited
 * JSON with the Arrow schema's types spelled out, then written as Parquet like every other source.
 */
import { createWriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tableFromIPC, Type, type DataType, type Field } from 'apache-arrow';
import { MlcycleError } from '../error.js';
import { quoteIdentifier, quoteLiteral, type AnalyticsEngine } from '../store/analytics.js';

/** The DuckDB type that holds an Arrow type's values without loss; VARCHAR for anything unusual. */
function duckDbType(type: DataType): string {
  switch (type.typeId) {
    case Type.Bool:
      return 'BOOLEAN';
    case Type.Int: {
      const { bitWidth, isSigned } = type as DataType & { bitWidth: number; isSigned: boolean };
      const name = { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' }[bitWidth] ?? 'BIGINT';
      return isSigned ? name : `U${name}`;
    }
    case Type.Float:
      return (type as DataType & { precision: number }).precision === 2 ? 'DOUBLE' : 'FLOAT';
    case Type.Decimal:
      return 'DOUBLE';
    case Type.Date:
      return 'DATE';
    case Type.Timestamp:
      return 'TIMESTAMP';
    default:
      return 'VARCHAR';
  }
}

function toJsonValue(value: unknown, field: Field): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  const typeId = field.type.typeId;
  if ((typeId === Type.Date || typeId === Type.Timestamp) && (typeof value === 'number' || value instanceof Date)) {
    const iso = new Date(value).toISOString();
    return typeId === Type.Date ? iso.slice(0, 10) : iso.replace('T', ' ').replace('Z', '');
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

/** Converts an Arrow IPC file (file or stream format) to a Parquet file. */
export async function convertArrowToParquet(file: string, output: string, engine: AnalyticsEngine, label: string): Promise<void> {
  let table;
  try {
    table = tableFromIPC(await readFile(file));
  } catch (error) {
    throw new MlcycleError('invalid_input', `${label}: not a readable Arrow IPC file (${(error as Error).message})`, { cause: error });
  }
  const fields = table.schema.fields;
  if (fields.length === 0) throw new MlcycleError('invalid_input', `${label}: the Arrow file has no columns`);
  const json = `${output}.ndjson`;
  const sink = createWriteStream(json);
  try {
    for (const batch of table.batches) {
      const columns = fields.map((field) => batch.getChild(field.name));
      let chunk = '';
      for (let row = 0; row < batch.numRows; row++) {
        const record: Record<string, unknown> = {};
        fields.forEach((field, index) => (record[field.name] = toJsonValue(columns[index]?.get(row), field)));
        chunk += `${JSON.stringify(record)}\n`;
      }
      if (!sink.write(chunk)) await once(sink, 'drain');
    }
    sink.end();
    await once(sink, 'finish');
    const columnTypes = fields.map((field) => `${quoteLiteral(field.name)}: ${quoteLiteral(duckDbType(field.type))}`).join(', ');
    const order = fields.map((field) => quoteIdentifier(field.name)).join(', ');
    await engine.run(
      `COPY (SELECT ${order} FROM read_json(${quoteLiteral(json)}, format = 'newline_delimited', columns = {${columnTypes}})) TO ${quoteLiteral(output)} (FORMAT parquet)`,
    );
  } finally {
    sink.destroy();
    await rm(json, { force: true });
  }
}
