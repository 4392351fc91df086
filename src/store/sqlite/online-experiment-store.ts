/** Online experiments in the SQLite metadata database; each change and its audit entry share a transaction. */
import { sql, type Kysely, type Transaction } from 'kysely';
import { MlcycleError } from '../../error.js';
import { atOneInstant, type ChangeContext } from '../audit-log.js';
import type { ExperimentPhase, NewExperimentAnalysis, OnlineExperimentRecord, OnlineExperimentState, OnlineExperimentStore, StoredExperimentAnalysis } from '../online-experiment-store.js';
import { appendAuditEntry } from './audit-log.js';
import type { Database } from './database.js';

type Row = { id: number; name: string; state: string; definition: string; phase: number; created_at: string; created_by: string; updated_at: string };

export class SqliteOnlineExperimentStore implements OnlineExperimentStore {
  constructor(private readonly db: Kysely<Database>) {}

  private async toRecord(db: Kysely<Database> | Transaction<Database>, row: Row): Promise<OnlineExperimentRecord> {
    const phases = await db.selectFrom('online_experiment_phases').selectAll().where('experiment_id', '=', row.id).orderBy('phase').execute();
    return {
      name: row.name,
      state: row.state as OnlineExperimentState,
      definition: JSON.parse(row.definition) as unknown,
      phase: row.phase,
      phases: phases.map((phase): ExperimentPhase => ({
        phase: phase.phase,
        definition: JSON.parse(phase.definition) as unknown,
        startedAt: phase.started_at,
        ...(phase.ended_at === null ? {} : { endedAt: phase.ended_at }),
      })),
      createdAt: row.created_at,
      createdBy: row.created_by,
      updatedAt: row.updated_at,
    };
  }

  private async row(db: Kysely<Database> | Transaction<Database>, name: string): Promise<Row> {
    const row = await db.selectFrom('online_experiments').select(['id', 'name', 'state', 'definition', 'phase', 'created_at', 'created_by', 'updated_at']).where('name', '=', name).executeTakeFirst();
    if (row === undefined) throw new MlcycleError('not_found', `no experiment "${name}" (mlcycle experiment list shows them)`);
    return row;
  }

  private static async nextRevision(trx: Transaction<Database>): Promise<number> {
    const row = await trx.selectFrom('online_experiments').select(sql<number>`coalesce(max(revision), 0)`.as('revision')).executeTakeFirstOrThrow();
    return Number(row.revision) + 1;
  }

  async create(name: string, definition: unknown, changeContext: ChangeContext): Promise<OnlineExperimentRecord> {
    const context = atOneInstant(changeContext);
    const now = context.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('online_experiments').select('id').where('name', '=', name).executeTakeFirst();
      if (existing !== undefined) throw new MlcycleError('conflict', `an experiment named "${name}" exists already; choose another name or update it`);
      await trx
        .insertInto('online_experiments')
        .values({ name, state: 'draft', definition: JSON.stringify(definition), phase: 0, revision: await SqliteOnlineExperimentStore.nextRevision(trx), created_at: now, created_by: context.actor, updated_at: now })
        .execute();
      await appendAuditEntry(trx, { action: 'experiment.created', subject: `experiment:${name}`, details: { definition } }, context);
    });
    return (await this.find(name)) as OnlineExperimentRecord;
  }

  async find(name: string): Promise<OnlineExperimentRecord | undefined> {
    const row = await this.db.selectFrom('online_experiments').select(['id', 'name', 'state', 'definition', 'phase', 'created_at', 'created_by', 'updated_at']).where('name', '=', name).executeTakeFirst();
    return row === undefined ? undefined : this.toRecord(this.db, row);
  }

  async list(): Promise<OnlineExperimentRecord[]> {
    const rows = await this.db.selectFrom('online_experiments').select(['id', 'name', 'state', 'definition', 'phase', 'created_at', 'created_by', 'updated_at']).orderBy('id', 'desc').execute();
    return Promise.all(rows.map((row) => this.toRecord(this.db, row)));
  }

  async start(name: string, changeContext: ChangeContext): Promise<OnlineExperimentRecord> {
    const context = atOneInstant(changeContext);
    const now = context.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const row = await this.row(trx, name);
      if (row.state === 'running') throw new MlcycleError('conflict', `experiment "${name}" is running already (phase ${row.phase})`);
      const phase = row.phase + 1;
      await trx.insertInto('online_experiment_phases').values({ experiment_id: row.id, phase, definition: row.definition, started_at: now, ended_at: null }).execute();
      await trx.updateTable('online_experiments').set({ state: 'running', phase, revision: await SqliteOnlineExperimentStore.nextRevision(trx), updated_at: now }).where('id', '=', row.id).execute();
      await appendAuditEntry(trx, { action: 'experiment.started', subject: `experiment:${name}`, details: { phase } }, context);
    });
    return (await this.find(name)) as OnlineExperimentRecord;
  }

  async stop(name: string, changeContext: ChangeContext): Promise<OnlineExperimentRecord> {
    const context = atOneInstant(changeContext);
    const now = context.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const row = await this.row(trx, name);
      if (row.state !== 'running') throw new MlcycleError('conflict', `experiment "${name}" is not running (it is ${row.state})`);
      await trx.updateTable('online_experiment_phases').set({ ended_at: now }).where('experiment_id', '=', row.id).where('phase', '=', row.phase).execute();
      await trx.updateTable('online_experiments').set({ state: 'stopped', revision: await SqliteOnlineExperimentStore.nextRevision(trx), updated_at: now }).where('id', '=', row.id).execute();
      await appendAuditEntry(trx, { action: 'experiment.stopped', subject: `experiment:${name}`, details: { phase: row.phase } }, context);
    });
    return (await this.find(name)) as OnlineExperimentRecord;
  }

  async update(name: string, definition: unknown, newPhase: boolean, changeContext: ChangeContext): Promise<OnlineExperimentRecord> {
    const context = atOneInstant(changeContext);
    const now = context.now().toISOString();
    const text = JSON.stringify(definition);
    await this.db.transaction().execute(async (trx) => {
      const row = await this.row(trx, name);
      if (row.definition === text) return;
      let phase = row.phase;
      if (row.state === 'running' && !newPhase) {
        await trx.updateTable('online_experiment_phases').set({ definition: text }).where('experiment_id', '=', row.id).where('phase', '=', row.phase).execute();
      } else if (row.state === 'running') {
        await trx.updateTable('online_experiment_phases').set({ ended_at: now }).where('experiment_id', '=', row.id).where('phase', '=', row.phase).execute();
        phase += 1;
        await trx.insertInto('online_experiment_phases').values({ experiment_id: row.id, phase, definition: text, started_at: now, ended_at: null }).execute();
      }
      await trx.updateTable('online_experiments').set({ definition: text, phase, revision: await SqliteOnlineExperimentStore.nextRevision(trx), updated_at: now }).where('id', '=', row.id).execute();
      await appendAuditEntry(trx, { action: 'experiment.updated', subject: `experiment:${name}`, details: { definition, phase, newPhase: phase !== row.phase } }, context);
    });
    return (await this.find(name)) as OnlineExperimentRecord;
  }

  async changeCounter(): Promise<number> {
    const row = await this.db.selectFrom('online_experiments').select(sql<number>`coalesce(max(revision), 0)`.as('revision')).executeTakeFirstOrThrow();
    return Number(row.revision);
  }

  async recordAnalysis(analysis: NewExperimentAnalysis, changeContext: ChangeContext): Promise<StoredExperimentAnalysis> {
    const context = atOneInstant(changeContext);
    const now = context.now().toISOString();
    const id = await this.db.transaction().execute(async (trx) => {
      const row = await this.row(trx, analysis.experiment);
      const inserted = await trx
        .insertInto('online_experiment_analyses')
        .values({ experiment_id: row.id, phase: analysis.phase, decision: analysis.decision, summary: analysis.summary, decided: analysis.decided ? 1 : 0, result: JSON.stringify(analysis.result), created_at: now, created_by: context.actor })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendAuditEntry(trx, { action: 'experiment.analyzed', subject: `experiment:${analysis.experiment}`, details: { id: inserted.id, phase: analysis.phase, decision: analysis.decision, decided: analysis.decided } }, context);
      return inserted.id;
    });
    return (await this.analyses(analysis.experiment)).find((entry) => entry.id === id) as StoredExperimentAnalysis;
  }

  async analyses(experiment?: string): Promise<StoredExperimentAnalysis[]> {
    let query = this.db
      .selectFrom('online_experiment_analyses as a')
      .innerJoin('online_experiments as e', 'e.id', 'a.experiment_id')
      .select(['a.id', 'e.name', 'a.phase', 'a.decision', 'a.summary', 'a.decided', 'a.result', 'a.created_at', 'a.created_by'])
      .orderBy('a.id', 'desc');
    if (experiment !== undefined) query = query.where('e.name', '=', experiment);
    const rows = await query.execute();
    return rows.map((row) => ({
      id: row.id,
      experiment: row.name,
      phase: row.phase,
      decision: row.decision,
      summary: row.summary,
      decided: row.decided === 1,
      result: JSON.parse(row.result) as unknown,
      createdAt: row.created_at,
      createdBy: row.created_by,
    }));
  }
}
