/**
 * The hook for offline evaluations in model cards. Evaluations (stage 7) are stored by src/evaluate in an
 * `evaluations` table that may not exist in this schema yet; this reads it only when it is there, and
 * finds a version's rows by whichever key the table has: `model_version_id` (a model_versions row, as
 * migration 0007-evaluations on main makes it), `model` and `version`, `model_uri`, or `run_id`.
 * When the evaluate stage gets its own store interface, the model card should read through that instead.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

export const EVALUATIONS_TABLE = 'evaluations';

export interface EvaluationRows {
  /** False while no evaluations table exists. */
  available: boolean;
  rows: Record<string, unknown>[];
  /** Why no rows could be read, when that is the case. */
  note?: string;
}

/** The evaluation rows of a model version, or why there are none. */
export async function readEvaluationRows(db: Kysely<Database>, version: { model: string; version: number; runId: string }): Promise<EvaluationRows> {
  const table = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name = ${EVALUATIONS_TABLE}`.execute(db);
  if (table.rows.length === 0) return { available: false, rows: [], note: 'no offline evaluations are stored yet (mlcycle evaluate)' };
  const columns = new Set((await sql<{ name: string }>`select name from pragma_table_info(${EVALUATIONS_TABLE})`.execute(db)).rows.map((column) => column.name));
  let rows: Record<string, unknown>[];
  if (columns.has('model_version_id')) {
    rows = (
      await sql<Record<string, unknown>>`select e.* from evaluations e join model_versions v on v.id = e.model_version_id join registered_models m on m.id = v.model_id
        where m.name = ${version.model} and v.version = ${version.version} order by e.id`.execute(db)
    ).rows;
  } else if (columns.has('model') && columns.has('version')) {
    rows = (await sql<Record<string, unknown>>`select * from evaluations where model = ${version.model} and version = ${version.version}`.execute(db)).rows;
  } else if (columns.has('model_uri')) {
    const uri = `models:/${version.model}/${version.version}`;
    rows = (await sql<Record<string, unknown>>`select * from evaluations where model_uri = ${uri}`.execute(db)).rows;
  } else if (columns.has('run_id')) {
    rows = (await sql<Record<string, unknown>>`select * from evaluations where run_id = ${version.runId}`.execute(db)).rows;
  } else {
    return { available: true, rows: [], note: 'the evaluations table has no model_version_id, model/version, model_uri or run_id column to find this version by' };
  }
  // JSON held in text columns is returned parsed, so the card shows structure rather than escaped text.
  return { available: true, rows: rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, parseJsonText(value)]))) };
}

function parseJsonText(value: unknown): unknown {
  if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
