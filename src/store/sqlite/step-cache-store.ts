/** The step cache's entries in the SQLite metadata database (table `pipeline_steps`). */
import type { Kysely } from 'kysely';
import { stableJson } from '../stable-json.js';
import type { StepCacheEntry, StepCacheStore, StepOutput } from '../step-cache-store.js';
import type { Database, PipelineStepTable } from './database.js';

export class SqliteStepCacheStore implements StepCacheStore {
  constructor(private readonly db: Kysely<Database>) {}

  async find(cacheKey: string): Promise<StepCacheEntry | undefined> {
    const row = await this.db.selectFrom('pipeline_steps').selectAll().where('cache_key', '=', cacheKey).executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      cacheKey,
      step: row.step,
      codeVersion: row.code_version,
      params: JSON.parse(row.params) as unknown,
      inputs: JSON.parse(row.inputs) as Record<string, string>,
      outputs: JSON.parse(row.outputs) as Record<string, StepOutput>,
      summary: JSON.parse(row.summary) as Record<string, unknown>,
      seconds: row.seconds,
      runId: row.run_id ?? undefined,
      createdAt: row.created_at,
      createdBy: row.created_by,
    };
  }

  async save(entry: StepCacheEntry): Promise<void> {
    const row: PipelineStepTable = {
      cache_key: entry.cacheKey,
      step: entry.step,
      code_version: entry.codeVersion,
      params: stableJson(entry.params),
      inputs: stableJson(entry.inputs),
      outputs: stableJson(entry.outputs),
      summary: JSON.stringify(entry.summary),
      seconds: entry.seconds,
      run_id: entry.runId ?? null,
      created_at: entry.createdAt,
      created_by: entry.createdBy,
    };
    await this.db
      .insertInto('pipeline_steps')
      .values(row)
      .onConflict((conflict) => conflict.column('cache_key').doUpdateSet({ ...row }))
      .execute();
  }
}
