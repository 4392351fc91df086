/**
 * The experiment of `npm run bench -- stats`, generated once with DuckDB SQL and cached as Parquet (and as
 * CSV for pandas, since this machine's python3 has no Parquet reader: no pyarrow, no fastparquet):
 *   - exposures.parquet: 10,000,000 exposure rows (user_id, variant, segment) of UNITS users, three arms,
 *     ten segments; a user is exposed several times, and 0.1% of users see a second arm;
 *   - outcomes.parquet: 10,000,000 outcome events (user_id, revenue, purchases, clicks, sessions, latency_ms);
 *   - pre_period.parquet: one row per user with the same columns, summed over the weeks before the test,
 *     correlated with the user's outcomes through a per-user activity level (what CUPED uses).
 * Randomness is hash-based (DuckDB's hash of the row number and a salt), so the data is the same on every
 * machine and every run, whatever the number of threads.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { quoteLiteral, type AnalyticsEngine } from '../src/store/analytics.js';

export const EXPOSURE_ROWS = 10_000_000;
export const OUTCOME_ROWS = 10_000_000;
export const UNITS = 2_000_000;
export const ARMS = ['control', 'treatment-a', 'treatment-b'] as const;

/** The cache folder; its name changes whenever the generator does. */
export function statsBenchFolder(): string {
  return path.join(os.tmpdir(), 'mlcycle-bench-stats-v1');
}

/** A uniform in [0, 1) from a key and a salt. */
const uniform = (key: string, salt: number): string => `((hash(${key}, ${salt}) % 1000003)::DOUBLE / 1000003)`;
/** A standard normal by Box-Muller from two uniforms. */
const normal = (key: string, salt: number): string => `(sqrt(-2 * ln(1 - ${uniform(key, salt)})) * cos(2 * pi() * ${uniform(key, salt + 1)}))`;

/** Generates the files unless they are cached; returns their folder. */
export async function ensureStatsBenchData(engine: AnalyticsEngine): Promise<string> {
  const folder = statsBenchFolder();
  if (existsSync(path.join(folder, 'done'))) return folder;
  const building = `${folder}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const file = (name: string): string => quoteLiteral(path.join(building, name));
  // Per user: arm, segment and an activity level (log-normal) shared by the pre-period and the test.
  await engine.run(`CREATE OR REPLACE TEMP TABLE bench_users AS
    SELECT u AS user_id,
      ['${ARMS.join("', '")}'][1 + (hash(u, 1) % 3)::INTEGER] AS variant,
      'segment-' || (hash(u, 2) % 10)::VARCHAR AS segment,
      exp(0.6 * ${normal('u', 3)}) AS activity
    FROM range(${UNITS}) t(u)`);
  // Every user once, then the rest of the rows at random users; 0.1% of users also get the next arm.
  await engine.run(`COPY (
    SELECT e.user_id, CASE WHEN ${uniform('i', 20)} < 0.001 AND i >= ${UNITS} THEN ['${ARMS.join("', '")}'][1 + ((hash(e.user_id, 1) + 1) % 3)::INTEGER] ELSE u.variant END AS variant, u.segment
    FROM (SELECT i, CASE WHEN i < ${UNITS} THEN i ELSE (hash(i, 10) % ${UNITS})::BIGINT END AS user_id FROM range(${EXPOSURE_ROWS}) t(i)) e
    JOIN bench_users u USING (user_id)
  ) TO ${file('exposures.parquet')} (FORMAT parquet)`);
  // Treatment A lifts revenue by 3% and clicks by 2%; treatment B lifts revenue by 1% and adds 5 ms of latency.
  const revenueLift = `CASE u.variant WHEN 'treatment-a' THEN 1.03 WHEN 'treatment-b' THEN 1.01 ELSE 1 END`;
  const clickLift = `CASE u.variant WHEN 'treatment-a' THEN 1.02 ELSE 1 END`;
  const latencyShift = `CASE u.variant WHEN 'treatment-b' THEN 5 ELSE 0 END`;
  await engine.run(`COPY (
    SELECT o.user_id,
      CASE WHEN ${uniform('j', 30)} < 0.08 THEN round(20 * u.activity * ${revenueLift} * exp(0.5 * ${normal('j', 31)}), 2) ELSE 0 END AS revenue,
      CASE WHEN ${uniform('j', 30)} < 0.08 THEN 1 ELSE 0 END AS purchases,
      floor(3 * u.activity * ${clickLift} * ${uniform('j', 33)})::INTEGER AS clicks,
      1 AS sessions,
      greatest(10, 180 + 40 * ${normal('j', 34)} + ${latencyShift}) AS latency_ms
    FROM (SELECT j, (hash(j, 40) % ${UNITS})::BIGINT AS user_id FROM range(${OUTCOME_ROWS}) t(j)) o
    JOIN bench_users u USING (user_id)
  ) TO ${file('outcomes.parquet')} (FORMAT parquet)`);
  await engine.run(`COPY (
    SELECT user_id,
      round(100 * activity * exp(0.5 * ${normal('user_id', 50)}), 2) AS revenue,
      floor(2 * activity * ${uniform('user_id', 52)})::INTEGER AS purchases,
      floor(15 * activity * ${uniform('user_id', 53)})::INTEGER AS clicks,
      5 AS sessions,
      180 + 10 * ${normal('user_id', 54)} AS latency_ms
    FROM bench_users
  ) TO ${file('pre_period.parquet')} (FORMAT parquet)`);
  for (const name of ['exposures', 'outcomes', 'pre_period']) {
    await engine.run(`COPY (SELECT * FROM read_parquet(${file(`${name}.parquet`)})) TO ${file(`${name}.csv`)} (FORMAT csv, HEADER true)`);
  }
  await engine.run(`COPY (SELECT 1 AS done) TO ${file('done')} (FORMAT csv)`);
  await engine.run('DROP TABLE bench_users');
  rmSync(folder, { recursive: true, force: true });
  renameSync(building, folder);
  return folder;
}
