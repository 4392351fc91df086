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

/** The training split as columns, which is what the trainer reads. */
export interface FlightTrainSplit {
  columns: Float64Array[];
  label: Float64Array;
  rows: number;
}

/** The test split row-major, which is what prediction reads: no column copy is kept beside it. */
export interface FlightTestSplit {
  rowMajor: Float64Array;
  label: Float64Array;
  rows: number;
}

/** Writes train.csv and test.csv (label first, no header) for the Python references, and returns both splits. */
export async function flightSplits(engine: AnalyticsEngine, folder: string): Promise<{ train: FlightTrainSplit; test: FlightTestSplit }> {
  const source = `read_parquet(${quoteLiteral(vegaDataFile('flights-3m.parquet'))})`;
  await engine.run(`CREATE OR REPLACE TEMP TABLE airport_codes AS SELECT code, (row_number() OVER (ORDER BY code) - 1)::INTEGER AS id FROM (SELECT origin AS code FROM ${source} UNION SELECT destination FROM ${source})`);
  // The narrowest types that hold each value: the sorted table is the largest thing DuckDB keeps.
  await engine.run(`CREATE OR REPLACE TEMP TABLE flight_rows AS
    SELECT (delay > 15)::TINYINT AS label, month(date)::TINYINT AS month, day(date)::TINYINT AS day, dayofweek(date)::TINYINT AS weekday, hour(date)::TINYINT AS hour,
      minute(date)::TINYINT AS minute, distance::INTEGER AS distance, o.id::SMALLINT AS origin, d.id::SMALLINT AS destination, month(date) <= 4 AS is_train
    FROM ${source} f JOIN airport_codes o ON o.code = f.origin JOIN airport_codes d ON d.code = f.destination ORDER BY date, f.origin, f.destination, distance, delay`);
  const split = async (train: boolean): Promise<FlightTrainSplit> => {
    const where = `WHERE is_train = ${train}`;
    await engine.run(`COPY (SELECT label, ${FLIGHT_FEATURES.join(', ')} FROM flight_rows ${where}) TO ${quoteLiteral(`${folder}/${train ? 'train' : 'test'}.csv`)} (FORMAT csv, HEADER false)`);
    // Column by column into typed arrays: an array of 3M row objects would dwarf the trainer's own memory.
    const result = await engine.columns(`SELECT label::DOUBLE AS label, ${FLIGHT_FEATURES.map((name) => `${name}::DOUBLE AS ${name}`).join(', ')} FROM flight_rows ${where}`);
    const label = result.label as Float64Array;
    return { columns: FLIGHT_FEATURES.map((name) => result[name] as Float64Array), label, rows: label.length };
  };
  const train = await split(true);
  const { columns, label, rows } = await split(false);
  const rowMajor = new Float64Array(rows * FLIGHT_FEATURES.length);
  columns.forEach((column, feature) => {
    for (let row = 0; row < rows; row++) rowMajor[row * FLIGHT_FEATURES.length + feature] = column[row] as number;
  });
  return { train, test: { rowMajor, label, rows } };
}
