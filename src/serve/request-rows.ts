/**
 * The bodies a prediction request may carry, read into named input columns or rows:
 * - mlcycle's own (`POST /api/v1/predict/:model`): one row as an object of feature values; or
 *   `{"unit": ID, "row": {...}}`; or `{"rows": [{...}, ...], "units": [ID, ...]}`; or columnar
 *   `{"columns": {NAME: [...], ...}, "units": [...]}`;
 * - MLflow's scoring protocol (`POST /invocations`, as `mlflow models serve` documents it): `dataframe_split`
 *   (`{columns, data, index?}`), `dataframe_records`, `instances` and `inputs` (rows, or columns), each
 *   with optional `params`; or a CSV body with a header row.
 * Every problem is a 400 naming the field; a batch larger than the limit is a 413.
 */
import { MlcycleError } from '../error.js';
import type { InputColumns, InputRows, InputValue, ModelInput } from '../models/input-signature.js';

export interface RequestRows {
  input: ModelInput;
  rows: number;
  /** The unit id of each row, when the request gave them. */
  units?: (string | undefined)[];
  /** Request attributes beyond the model's inputs (for experiment targeting and segments), per row. */
  attributes?: (Record<string, InputValue> | undefined)[];
}

function readAttributes(value: unknown, field: string): Record<string, InputValue> {
  if (!isObject(value)) throw invalid(field, 'expected an object of attribute values');
  for (const [name, cell] of Object.entries(value)) checkValue(cell, `${field}.${name}`);
  return value as Record<string, InputValue>;
}

function readAttributeList(value: unknown, rows: number, field: string): (Record<string, InputValue> | undefined)[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalid(field, 'expected a list of attribute objects, one per row');
  if (value.length !== rows) throw invalid(field, `has ${value.length} entries for ${rows} rows`);
  return value.map((entry, index) => (entry === null ? undefined : readAttributes(entry, `${field}[${index}]`)));
}

const invalid = (field: string, message: string) => new MlcycleError('invalid_input', `${field === '' ? 'body' : field}: ${message}`, { issues: [{ path: field, message }] });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the row count against the limit: a 413 names both. */
export function checkBatchSize(rows: number, maxRows: number): void {
  if (rows > maxRows) throw new MlcycleError('too_large', `the request holds ${rows} rows; this service takes at most ${maxRows} per request (--max-batch-rows)`);
}

function checkValue(value: unknown, field: string): InputValue {
  if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  throw invalid(field, `expected a number, string, boolean or null, found ${Array.isArray(value) ? 'a list' : typeof value}`);
}

function readRows(value: unknown, field: string): InputRows {
  if (!Array.isArray(value)) throw invalid(field, 'expected a list of rows (objects of feature values)');
  return value.map((row, index) => {
    if (!isObject(row)) throw invalid(`${field}[${index}]`, 'expected an object of feature values');
    for (const [name, cell] of Object.entries(row)) checkValue(cell, `${field}[${index}].${name}`);
    return row as Record<string, InputValue>;
  });
}

function readColumns(value: unknown, field: string): { columns: InputColumns; rows: number } {
  if (!isObject(value)) throw invalid(field, 'expected an object of columns');
  let rows: number | undefined;
  for (const [name, column] of Object.entries(value)) {
    if (!Array.isArray(column)) throw invalid(`${field}.${name}`, 'expected a list of values');
    if (rows !== undefined && column.length !== rows) throw invalid(`${field}.${name}`, `has ${column.length} values where the other columns have ${rows}`);
    rows = column.length;
    column.forEach((cell, index) => checkValue(cell, `${field}.${name}[${index}]`));
  }
  return { columns: value as InputColumns, rows: rows ?? 0 };
}

function readUnits(value: unknown, rows: number, field: string): (string | undefined)[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalid(field, 'expected a list of unit ids, one per row');
  if (value.length !== rows) throw invalid(field, `has ${value.length} unit ids for ${rows} rows`);
  return value.map((unit, index) => {
    if (unit === null) return undefined;
    if (typeof unit !== 'string' && typeof unit !== 'number') throw invalid(`${field}[${index}]`, 'expected a string');
    return String(unit);
  });
}

/** Reads mlcycle's predict body. */
export function readPredictBody(body: unknown, maxRows: number): RequestRows {
  if (!isObject(body)) throw invalid('', 'expected a JSON object: one row of feature values, {"row": {...}}, {"rows": [...]} or {"columns": {...}}');
  const given = ['row', 'rows', 'columns'].filter((key) => Object.hasOwn(body, key));
  if (given.length > 1) throw invalid(given[1] as string, `give one of row, rows or columns, not ${given.join(' and ')}`);
  if (given.length === 0) {
    // The body itself is one row.
    for (const [name, cell] of Object.entries(body)) checkValue(cell, name);
    return { input: [body as Record<string, InputValue>], rows: 1 };
  }
  const unknown = Object.keys(body).filter((key) => !['row', 'rows', 'columns', 'unit', 'units', 'attributes'].includes(key));
  if (unknown.length > 0) throw invalid(unknown[0] as string, 'unknown field; the body takes row, rows or columns, with unit or units and attributes');
  if (given[0] === 'row') {
    const [row] = readRows([body.row], 'row');
    if (body.units !== undefined) throw invalid('units', 'a single row takes "unit"');
    const unit = body.unit;
    if (unit !== undefined && typeof unit !== 'string' && typeof unit !== 'number') throw invalid('unit', 'expected a string');
    const attributes = body.attributes === undefined ? undefined : readAttributes(body.attributes, 'attributes');
    return { input: [row as Record<string, InputValue>], rows: 1, ...(unit === undefined ? {} : { units: [String(unit)] }), ...(attributes === undefined ? {} : { attributes: [attributes] }) };
  }
  if (body.unit !== undefined) throw invalid('unit', 'a batch takes "units", one per row');
  if (given[0] === 'rows') {
    if (Array.isArray(body.rows)) checkBatchSize(body.rows.length, maxRows);
    const rows = readRows(body.rows, 'rows');
    const units = readUnits(body.units, rows.length, 'units');
    const attributes = readAttributeList(body.attributes, rows.length, 'attributes');
    return { input: rows, rows: rows.length, ...(units === undefined ? {} : { units }), ...(attributes === undefined ? {} : { attributes }) };
  }
  const { columns, rows } = readColumns(body.columns, 'columns');
  checkBatchSize(rows, maxRows);
  const units = readUnits(body.units, rows, 'units');
  const attributes = readAttributeList(body.attributes, rows, 'attributes');
  return { input: columns, rows, ...(units === undefined ? {} : { units }), ...(attributes === undefined ? {} : { attributes }) };
}

const SCORING_FORMATS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

/** Reads an MLflow scoring request's JSON body. */
export function readScoringBody(body: unknown, maxRows: number): RequestRows {
  if (!isObject(body)) throw invalid('', `expected a JSON object with one of ${SCORING_FORMATS.join(', ')}`);
  const given = SCORING_FORMATS.filter((key) => Object.hasOwn(body, key));
  const extra = Object.keys(body).filter((key) => !(SCORING_FORMATS as readonly string[]).includes(key) && key !== 'params');
  if (given.length !== 1 || extra.length > 0) {
    throw invalid(extra[0] ?? '', `the body must hold exactly one of ${SCORING_FORMATS.join(', ')} (and optionally params), as MLflow's scoring server takes`);
  }
  const format = given[0] as (typeof SCORING_FORMATS)[number];
  const value = body[format];
  if (format === 'dataframe_split') {
    if (!isObject(value)) throw invalid(format, 'expected {"columns": [...], "data": [[...], ...]}');
    const { columns, data } = value;
    if (!Array.isArray(columns) || columns.some((name) => typeof name !== 'string')) throw invalid(`${format}.columns`, 'expected a list of column names');
    if (!Array.isArray(data)) throw invalid(`${format}.data`, 'expected a list of rows (lists of values)');
    checkBatchSize(data.length, maxRows);
    const names = columns as string[];
    const rows = data.map((row: unknown, index) => {
      if (!Array.isArray(row) || row.length !== names.length) throw invalid(`${format}.data[${index}]`, `expected a list of ${names.length} values`);
      const out: Record<string, InputValue> = Object.create(null) as Record<string, InputValue>;
      names.forEach((name, column) => (out[name] = checkValue(row[column], `${format}.data[${index}][${column}]`)));
      return out;
    });
    return { input: rows, rows: rows.length };
  }
  if (Array.isArray(value)) {
    checkBatchSize(value.length, maxRows);
    const rows = readRows(value, format);
    return { input: rows, rows: rows.length };
  }
  if (format === 'dataframe_records') throw invalid(format, 'expected a list of records');
  const { columns, rows } = readColumns(value, format);
  checkBatchSize(rows, maxRows);
  return { input: columns, rows };
}

/** Reads a CSV body (a header row, then one row per line; RFC 4180 quoting); numbers become numbers. */
export function readScoringCsv(text: string, maxRows: number): RequestRows {
  const records = parseCsv(text);
  const header = records.shift();
  if (header === undefined || header.length === 0 || header.every((name) => name === '')) throw invalid('', 'a CSV body needs a header row naming the columns');
  checkBatchSize(records.length, maxRows);
  const rows = records.map((record, index) => {
    if (record.length !== header.length) throw invalid(`line ${index + 2}`, `has ${record.length} fields where the header has ${header.length}`);
    const out: Record<string, InputValue> = Object.create(null) as Record<string, InputValue>;
    header.forEach((name, column) => {
      const cell = record[column] as string;
      out[name] = cell === '' ? null : Number.isFinite(Number(cell)) && cell.trim() !== '' ? Number(cell) : cell;
    });
    return out;
  });
  return { input: rows, rows: rows.length };
}

function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index++;
      record.push(field);
      if (!(record.length === 1 && record[0] === '')) records.push(record);
      record = [];
      field = '';
    } else field += char;
  }
  if (quoted) throw invalid('', 'the CSV body ends inside a quoted field');
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}
