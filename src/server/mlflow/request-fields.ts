/** Reading fields of MLflow REST requests (JSON bodies and query strings), naming the field on failure. */
import { MlcycleError } from '../../error.js';
import { jsonExcerpt } from '../../excerpt.js';
import { keyRecord } from '../../key-record.js';

export type Fields = Record<string, unknown>;

function invalid(field: string, message: string): MlcycleError {
  return new MlcycleError('invalid_input', `${field}: ${message}`, { issues: [{ path: field, message }] });
}

/** The request's fields: the JSON body for POST and PATCH, the query string otherwise. */
export function fieldsOf(request: { body?: unknown; query?: unknown }): Fields {
  const source = request.body ?? request.query;
  if (source === undefined || source === null) return {};
  if (typeof source !== 'object' || Array.isArray(source)) throw invalid('body', 'expected a JSON object');
  return source as Fields;
}

export function requiredString(fields: Fields, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string' || value === '') throw invalid(name, `missing value for required parameter '${name}'`);
  return value;
}

export function optionalString(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(name, 'expected a string');
  return value;
}

/** A 64-bit integer field; MLflow clients send them as JSON numbers or as decimal strings. */
export function optionalInteger(fields: Fields, name: string): number | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) throw invalid(name, `expected a whole number, got ${jsonExcerpt(value)}`);
  return number;
}

/** A whole-number field that must be at least 1 when given (page sizes: `max_results=-1` is refused). */
export function optionalPositiveInteger(fields: Fields, name: string): number | undefined {
  const number = optionalInteger(fields, name);
  if (number !== undefined && number < 1) throw invalid(name, `expected a whole number of at least 1, got ${number}`);
  return number;
}

/** A double field; MLflow's JSON may spell NaN and infinities as strings. */
export function requiredNumber(fields: Fields, name: string): number {
  const value = fields[name];
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw invalid(name, `expected a number, got ${jsonExcerpt(value)}`);
}

/** A list field; absent means empty. */
export function optionalList(fields: Fields, name: string): Fields[] {
  const value = fields[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'object' || item === null || Array.isArray(item))) throw invalid(name, 'expected a list of objects');
  return value as Fields[];
}

/** A list of strings, or one string (query strings repeat a key for lists). */
export function optionalStrings(fields: Fields, name: string): string[] {
  const value = fields[name];
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.some((item) => typeof item !== 'string')) throw invalid(name, 'expected a list of strings');
  return list as string[];
}

/** `[{key, value}]` as a record; a key given twice is refused as MLflow refuses duplicate params. */
export function keyValues(fields: Fields, name: string): Record<string, string> {
  const record = keyRecord<string>();
  optionalList(fields, name).forEach((item, index) => {
    const key = requiredString(item, 'key');
    const value = item.value ?? '';
    if (typeof value !== 'string') throw invalid(`${name}[${index}].value`, 'expected a string');
    if (Object.hasOwn(record, key) && record[key] !== value) throw invalid(`${name}[${index}].key`, `duplicate key "${key}" with another value`);
    record[key] = value;
  });
  return record;
}
