/**
 * Training tables: the features and label of a dataset version read by column through the analytics
 * engine, then resolved against an input signature (src/models/input-signature.ts) into the numbers and
 * category codes that learners read. The signature comes from the training rows (categories seen there,
 * sorted); validation and later rows are resolved against the same signature, so an unseen category
 * becomes a missing value, as it will at prediction.
 */
import { MlcycleError } from '../error.js';
import { resolveInputs, type FeatureSignature } from '../models/input-signature.js';
import { quoteIdentifier, quoteLiteral, type AnalyticsEngine, type ResultColumn } from '../store/analytics.js';

/** A feature: a column of the data or an SQL expression over its columns. */
export interface FeatureDefinition {
  name: string;
  type: 'numeric' | 'categorical';
  /** SQL over the dataset's columns (default: the column of the same name). */
  sql?: string;
}

export interface FeatureTable {
  rows: number;
  signature: FeatureSignature[];
  /** One column per signature feature: numbers, or category codes (NaN for missing and unseen). */
  columns: Float64Array[];
  /** The named columns as read, for learners that take raw inputs (linear models, baselines). */
  raw: Record<string, ResultColumn>;
  label: Float64Array;
}

const LABEL = '__label';

/** The signature of the training rows: each categorical feature's categories as seen, sorted. */
function signatureOf(raw: Record<string, ResultColumn>, features: readonly FeatureDefinition[]): FeatureSignature[] {
  return features.map(({ name, type }) => {
    if (type === 'numeric') return { name, type };
    const seen = new Set<string>();
    for (const value of raw[name] as (string | null)[]) if (value !== null) seen.add(value);
    return { name, type, categories: [...seen].sort() };
  });
}

/** A feature read straight from a column (no `sql`) must name a column of the data: exit 2, naming both. */
async function checkFeatureColumns(engine: AnalyticsEngine, parquetFile: string, features: readonly FeatureDefinition[]): Promise<void> {
  const columns = (await engine.describe(`SELECT * FROM read_parquet(${quoteLiteral(parquetFile)})`)).map((column) => column.name);
  const present = new Set(columns);
  const issues = features.flatMap((feature, index) =>
    feature.sql === undefined && !present.has(feature.name)
      ? [`features[${index}] "${feature.name}": the dataset has no column "${feature.name}"`]
      : [],
  );
  if (issues.length === 0) return;
  const shown = columns.length > 30 ? `${columns.slice(0, 30).join(', ')}, ... (${columns.length} in all)` : columns.join(', ');
  throw new MlcycleError('invalid_input', `${issues.join('; ')} (columns: ${shown})`);
}

/**
 * Reads a Parquet file's features and label (`labelSql`, an SQL expression such as `delay > 15`).
 * Without a signature, one is made from these rows. `sample.every` reads only every k-th row of the file.
 */
export async function readFeatureTable(
  engine: AnalyticsEngine,
  parquetFile: string,
  features: readonly FeatureDefinition[],
  labelSql: string,
  signature?: readonly FeatureSignature[],
  sample: { every?: number } = {},
): Promise<FeatureTable> {
  await checkFeatureColumns(engine, parquetFile, features);
  const select = features.map(({ name, type, sql }) => `CAST(${sql ?? quoteIdentifier(name)} AS ${type === 'numeric' ? 'DOUBLE' : 'VARCHAR'}) AS ${quoteIdentifier(name)}`);
  const every = sample.every ?? 1;
  if (!(Number.isInteger(every) && every >= 1)) throw new MlcycleError('internal', `readFeatureTable: every ${every} is not a positive whole number`);
  // Every k-th row by its position in the file, in file order: the same rows on every read.
  const from = every === 1 ? `read_parquet(${quoteLiteral(parquetFile)})` : `read_parquet(${quoteLiteral(parquetFile)}, file_row_number = true) WHERE file_row_number % ${every} = 0 ORDER BY file_row_number`;
  const raw = await engine.columns(`SELECT ${select.join(', ')}, CAST(${labelSql} AS DOUBLE) AS ${LABEL} FROM ${from}`);
  const label = raw[LABEL] as Float64Array;
  delete raw[LABEL];
  const resolvedSignature = signature ?? signatureOf(raw, features);
  const resolved = resolveInputs(resolvedSignature, raw);
  return { rows: resolved.rows, signature: [...resolvedSignature], columns: resolved.columns, raw, label };
}
