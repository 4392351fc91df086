/**
 * Input signatures: the named, typed columns a model was trained on, and their enforcement at prediction.
 * Every learner in the model format reads its inputs through `resolveInputs`, so a missing column, a
 * string in a numeric column or an unseen category is handled the same way for trees and linear models:
 * missing columns and wrong types are errors that name the column (and row); extra columns are ignored;
 * unseen categories are routed like missing values (NaN codes).
 */
import { MlcycleError, type InputIssue } from '../error.js';

export interface FeatureSignature {
  name: string;
  type: 'numeric' | 'categorical';
  /** Categorical features: the category behind each code, code = position. */
  categories?: string[];
}

export type InputValue = number | string | boolean | null | undefined;
/** Named columns of equal length. */
export type InputColumns = Readonly<Record<string, ArrayLike<InputValue>>>;
/** One object per row, keyed by column name. */
export type InputRows = readonly Readonly<Record<string, InputValue>>[];
export type ModelInput = InputColumns | InputRows;

/** The signature's columns as numbers: numeric values, or category codes; NaN for missing and unseen. */
export interface ResolvedInputs {
  rows: number;
  columns: Float64Array[];
}

/** Type issues reported before the rest are summarised, so a wholly wrong column stays readable. */
const MAX_ISSUES = 20;

interface ColumnReader {
  rows: number;
  /** The values of a column, or undefined when the input lacks it. */
  column(name: string): ((row: number) => InputValue) | undefined;
  issues: InputIssue[];
}

function readerOf(input: ModelInput): ColumnReader {
  if (Array.isArray(input)) {
    const rows = input as InputRows;
    return {
      rows: rows.length,
      issues: [],
      column: (name) => (rows.length === 0 || rows.some((row) => Object.hasOwn(row, name)) ? (row) => (rows[row] as Record<string, InputValue>)[name] : undefined),
    };
  }
  const columns = input as InputColumns;
  const lengths = Object.values(columns).map((column) => column.length);
  const rows = lengths[0] ?? 0;
  const issues: InputIssue[] = [];
  for (const [name, column] of Object.entries(columns)) {
    if (column.length !== rows) issues.push({ path: name, message: `has ${column.length} values where the first column has ${rows}` });
  }
  return { rows, issues, column: (name) => (Object.hasOwn(columns, name) ? (row) => (columns[name] as ArrayLike<InputValue>)[row] : undefined) };
}

function describe(value: InputValue): string {
  return typeof value === 'string' ? `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}` : `${typeof value} ${String(value)}`;
}

const codeMaps = new WeakMap<readonly string[], Map<string, number>>();

/** Category to code, built once per signature: a served model reads one row per request, and rebuilding a 229-airport map each time cost more than its trees. */
function categoryCodes(categories: readonly string[]): Map<string, number> {
  let codes = codeMaps.get(categories);
  if (codes === undefined) {
    codes = new Map(categories.map((category, code) => [category, code]));
    codeMaps.set(categories, codes);
  }
  return codes;
}

/** Reads input columns as the signature says; throws one MlcycleError listing every problem found. */
export function resolveInputs(signature: readonly FeatureSignature[], input: ModelInput): ResolvedInputs {
  const reader = readerOf(input);
  const issues = reader.issues;
  let typeIssues = 0;
  const columns = signature.map((feature) => {
    const values = new Float64Array(reader.rows).fill(NaN);
    const read = reader.column(feature.name);
    if (read === undefined) {
      issues.push({ path: feature.name, message: `the ${feature.type} column "${feature.name}" is missing from the input` });
      return values;
    }
    const codes = feature.categories === undefined ? undefined : categoryCodes(feature.categories);
    const problem = (row: number, message: string): void => {
      if (typeIssues++ < MAX_ISSUES) issues.push({ path: `${feature.name}[${row}]`, message });
    };
    for (let row = 0; row < reader.rows; row++) {
      const value = read(row);
      if (value === null || value === undefined) continue;
      if (feature.type === 'numeric') {
        if (typeof value === 'number') values[row] = value;
        else problem(row, `column "${feature.name}", row ${row}: expected a number, found ${describe(value)}`);
      } else if (codes !== undefined) {
        if (typeof value === 'number' && Number.isNaN(value)) continue;
        // Unseen categories stay NaN: routed like missing values.
        values[row] = codes.get(String(value)) ?? NaN;
      } else if (typeof value === 'number') {
        values[row] = value;
      } else {
        problem(row, `column "${feature.name}", row ${row}: the model knows this column's categories only by code, found ${describe(value)}`);
      }
    }
    return values;
  });
  if (typeIssues > MAX_ISSUES) issues.push({ path: '', message: `and ${typeIssues - MAX_ISSUES} more values of the wrong type` });
  if (issues.length > 0) {
    const first = issues[0] as InputIssue;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : '';
    throw new MlcycleError('invalid_input', `model input: ${first.message}${more}`, { issues });
  }
  return { rows: reader.rows, columns };
}

/** The resolved columns as one row-major block, as tree ensembles read them. */
export function toRowMajor(resolved: ResolvedInputs): Float64Array {
  const width = resolved.columns.length;
  const out = new Float64Array(resolved.rows * width);
  resolved.columns.forEach((column, feature) => {
    for (let row = 0; row < resolved.rows; row++) out[row * width + feature] = column[row] as number;
  });
  return out;
}

/** What the training input says about a column: its type (given, or numeric when every value is a number) and its categories, sorted. */
export function inferSignature(input: ModelInput, columns: readonly { name: string; type?: 'numeric' | 'categorical' }[]): FeatureSignature[] {
  const reader = readerOf(input);
  return columns.map(({ name, type }) => {
    const read = reader.column(name);
    if (read === undefined) throw new MlcycleError('invalid_input', `training input: the column "${name}" is missing`, { issues: [{ path: name, message: 'missing' }] });
    const seen = new Set<string>();
    let allNumbers = true;
    for (let row = 0; row < reader.rows; row++) {
      const value = read(row);
      if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) continue;
      if (typeof value !== 'number') allNumbers = false;
      seen.add(String(value));
    }
    const resolvedType = type ?? (allNumbers ? 'numeric' : 'categorical');
    return resolvedType === 'numeric' ? { name, type: 'numeric' } : { name, type: 'categorical', categories: [...seen].sort() };
  });
}
