/**
 * The demo's data: 3,000,000 US flights of January to June 2001 and the airports table, both shipped by
 * the vega-datasets package (BSD-3-Clause; flight records from the US Department of Transportation).
 */
import { createRequire } from 'node:module';
import path from 'node:path';

/** The path of a file in vega-datasets' `data/` folder. */
export function vegaDataFile(name: string): string {
  const main = createRequire(import.meta.url).resolve('vega-datasets');
  return path.join(path.dirname(main), '..', 'data', name);
}

/** The four US Census Bureau regions ("Census Regions and Divisions of the United States"). */
const CENSUS_REGIONS: Record<string, readonly string[]> = {
  Northeast: ['CT', 'ME', 'MA', 'NH', 'RI', 'VT', 'NJ', 'NY', 'PA'],
  Midwest: ['IL', 'IN', 'MI', 'OH', 'WI', 'IA', 'KS', 'MN', 'MO', 'NE', 'ND', 'SD'],
  South: ['DE', 'DC', 'FL', 'GA', 'MD', 'NC', 'SC', 'VA', 'WV', 'AL', 'KY', 'MS', 'TN', 'AR', 'LA', 'OK', 'TX'],
  West: ['AZ', 'CO', 'ID', 'MT', 'NV', 'NM', 'UT', 'WY', 'AK', 'CA', 'HI', 'OR', 'WA'],
};

const regionCase = Object.entries(CENSUS_REGIONS)
  .map(([region, states]) => `WHEN a.state IN (${states.map((state) => `'${state}'`).join(', ')}) THEN '${region}'`)
  .join(' ');

/**
 * Flights joined with their origin airport's state and census region, plus the segments the spec names:
 * distance band and hour of departure. The join's output order varies from run to run with DuckDB's
 * threads, so the rows are sorted: the same version then holds the same rows in the same order everywhere,
 * and what learns from every n-th row (the logistic regression, the tuning trials) learns the same thing.
 */
export const ENRICH_FLIGHTS_SQL = `SELECT f.date, f.delay, f.distance, f.origin, f.destination,
  a.state AS origin_state,
  CASE ${regionCase} ELSE 'Territories' END AS origin_region,
  CASE WHEN f.distance < 500 THEN 'short' WHEN f.distance < 1500 THEN 'medium' ELSE 'long' END AS distance_band,
  hour(f.date) AS hour
FROM {flights} AS f LEFT JOIN {airports} AS a ON a.iata = f.origin
ORDER BY f.date, f.origin, f.destination, f.distance, f.delay`;
