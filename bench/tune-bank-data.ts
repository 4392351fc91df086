/**
 * The bank marketing data (test/data/bank-marketing.csv) as the real tuning task of bench/tune.ts:
 * label y, every column but `duration` (known only after the call: a leak) as a feature, every fifth row
 * (by file order) held out for validation. Written as Parquet for the GBDT objective.
 */
import path from 'node:path';
import { quoteLiteral } from '../src/store/analytics.js';
import { openDuckDb } from '../src/store/duckdb/engine.js';
import type { GbdtObjectiveSpec } from '../src/train/tune/gbdt-objective.js';
import { BANK_CSV } from '../test/support/test-data.js';

const CATEGORICAL = ['job', 'marital', 'education', 'default', 'housing', 'loan'];
const NUMERIC = ['age', 'campaign', 'pdays', 'previous', 'emp.var.rate', 'cons.price.idx', 'cons.conf.idx', 'euribor3m', 'nr.employed'];

/** Writes train.parquet and validation.parquet into `folder` and returns the objective over them. */
export async function bankObjective(folder: string, params: Partial<GbdtObjectiveSpec['params']> = {}): Promise<GbdtObjectiveSpec> {
  const engine = await openDuckDb();
  try {
    const rows = `(SELECT *, row_number() OVER () - 1 AS row_index FROM read_csv(${quoteLiteral(BANK_CSV)}, delim = ';', header = true))`;
    for (const [part, where] of [['train', 'row_index % 5 <> 4'], ['validation', 'row_index % 5 = 4']] as const) {
      await engine.run(`COPY (SELECT * EXCLUDE (row_index, duration) FROM ${rows} WHERE ${where}) TO ${quoteLiteral(path.join(folder, `${part}.parquet`))} (FORMAT parquet)`);
    }
  } finally {
    await engine.close();
  }
  return {
    kind: 'gbdt',
    trainFile: path.join(folder, 'train.parquet'),
    validationFile: path.join(folder, 'validation.parquet'),
    features: [...NUMERIC.map((name) => ({ name, type: 'numeric' as const })), ...CATEGORICAL.map((name) => ({ name, type: 'categorical' as const }))],
    labelSql: 'y = 1',
    params: { objective: 'binary', ...params },
  };
}
