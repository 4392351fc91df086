/**
 * The flights benchmark data of issue 5, made with DuckDB from vega-datasets' flights-3m.parquet: label
 * delay > 15; features month, day of month, day of week (0 = Sunday), hour, minute, distance, origin and
 * destination (codes numbered alphabetically over every airport seen as either, as in
 * test/data/lightgbm-models); train January to April, test May and June.
 */
import { vegaDataFile } from '../src/demo/flight-data.js';
import { quoteLiteral, type AnalyticsEngine } from '../src/store/analytics.js';

export const FLIGHT_FEATURES = ['month', 'day', 'weekday', 'hour', 'minute', 'distance', 'origin', 'destination'] as const;
export const FLIGHT_CATEGORICAL = FLIGHT_FEATURES.map((name) => name === 'origin' || name === 'destination');

export interface FlightSplit {
  columns: Float64Array[];
  rowMajor: Float64Array;
  label: Float64Array;
  rows: number;
}

/** Writes train.csv and test.csv (label first, no header) for the Python references, and returns both splits. */
export async function flightSplits(engine: AnalyticsEngine, folder: string): Promise<{ train: FlightSplit; test: FlightSplit }> {
  const source = `read_parquet(${quoteLiteral(vegaDataFile('flights-3m.parquet'))})`;
  await engine.run(`CREATE OR REPLACE TEMP TABLE airport_codes AS SELECT code, (row_number() OVER (ORDER BY code) - 1)::INTEGER AS id FROM (SELECT origin AS code FROM ${source} UNION SELECT destination FROM ${source})`);
  await engine.run(`CREATE OR REPLACE TEMP TABLE flight_rows AS
    SELECT (delay > 15)::INTEGER AS label, month(date) AS month, day(date) AS day, dayofweek(date) AS weekday, hour(date) AS hour, minute(date) AS minute,
      distance, o.id AS origin, d.id AS destination, month(date) <= 4 AS is_train
    FROM ${source} f JOIN airport_codes o ON o.code = f.origin JOIN airport_codes d ON d.code = f.destination ORDER BY date, f.origin, f.destination, distance, delay`);
  const split = async (train: boolean): Promise<FlightSplit> => {
    const where = `WHERE is_train = ${train}`;
    await engine.run(`COPY (SELECT label, ${FLIGHT_FEATURES.join(', ')} FROM flight_rows ${where}) TO ${quoteLiteral(`${folder}/${train ? 'train' : 'test'}.csv`)} (FORMAT csv, HEADER false)`);
    // Column by column into typed arrays: an array of 3M row objects would dwarf the trainer's own memory.
    const result = await engine.columns(`SELECT label::DOUBLE AS label, ${FLIGHT_FEATURES.map((name) => `${name}::DOUBLE AS ${name}`).join(', ')} FROM flight_rows ${where}`);
    const label = result.label as Float64Array;
    const columns = FLIGHT_FEATURES.map((name) => result[name] as Float64Array);
    const rows = label.length;
    const rowMajor = new Float64Array(rows * FLIGHT_FEATURES.length);
    columns.forEach((column, feature) => {
      for (let row = 0; row < rows; row++) rowMajor[row * FLIGHT_FEATURES.length + feature] = column[row] as number;
    });
    return { columns, rowMajor, label, rows };
  };
  return { train: await split(true), test: await split(false) };
}
