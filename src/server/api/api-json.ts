/** Shaping and reading /api/v1 JSON: runs with JSON-safe numbers, bodies read field by field. */
import { MlcycleError } from '../../error.js';
import { keyRecord } from '../../key-record.js';
import type { Run } from '../../store/run-store.js';
import { jsonNumber } from '../mlflow/mlflow-shapes.js';
import type { Fields } from '../mlflow/request-fields.js';
import type { ApiRun, JsonNumber } from './api-types.js';

/** A run with its metric values safe for JSON. */
export function apiRun(run: Run): ApiRun {
  const metrics = Object.fromEntries(Object.entries(run.metrics).map(([key, metric]) => [key, { ...metric, value: jsonNumber(metric.value) as JsonNumber }]));
  return { ...run, metrics };
}

/** A `{key: string}` object field; absent means empty. */
export function optionalRecord(fields: Fields, name: string): Record<string, string> {
  const value = fields[name];
  if (value === undefined || value === null) return keyRecord();
  if (typeof value !== 'object' || Array.isArray(value)) throw new MlcycleError('invalid_input', `${name}: expected an object of strings`, { issues: [{ path: name, message: 'expected an object of strings' }] });
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw new MlcycleError('invalid_input', `${name}.${key}: expected a string, got ${typeof item}`, { issues: [{ path: `${name}.${key}`, message: 'expected a string' }] });
  }
  return keyRecord(Object.entries(value as Record<string, string>));
}

/** The JSON body of a request as fields (an absent body is empty). */
export function bodyOf(request: { body?: unknown }): Fields {
  const body = request.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new MlcycleError('invalid_input', 'body: expected a JSON object', { issues: [{ path: 'body', message: 'expected a JSON object' }] });
  return body as Fields;
}

/** A path parameter that must be a positive whole number. */
export function positiveIntegerParam(value: string, name: string): number {
  if (!/^[1-9]\d{0,14}$/.test(value)) throw new MlcycleError('invalid_input', `${name}: "${value}" is not a positive whole number`, { issues: [{ path: name, message: 'not a positive whole number' }] });
  return Number(value);
}
