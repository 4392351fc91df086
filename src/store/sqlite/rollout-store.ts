/** Rollouts in the SQLite metadata database; a transition and its audit entry share a transaction. */
import type { Kysely } from 'kysely';
import { MlcycleError } from '../../error.js';
import { atOneInstant, type ChangeContext } from '../audit-log.js';
import type { RolloutRecord, RolloutState, RolloutStore, RolloutTransition } from '../rollout-store.js';
import { appendAuditEntry } from './audit-log.js';
import type { Database, RolloutTable } from './database.js';

type Row = Omit<RolloutTable, 'id'> & { id: number };

function toRecord(row: Row): RolloutRecord {
  return {
    name: row.name,
    plan: JSON.parse(row.plan) as unknown,
    state: row.state as RolloutState,
    step: row.step,
    stepStartedAt: row.step_started_at,
    history: JSON.parse(row.history) as RolloutTransition[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class SqliteRolloutStore implements RolloutStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(name: string, plan: unknown, changeContext: ChangeContext): Promise<RolloutRecord> {
    const context = atOneInstant(changeContext);
    const now = context.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      if ((await trx.selectFrom('rollouts').select('id').where('name', '=', name).executeTakeFirst()) !== undefined) {
        throw new MlcycleError('conflict', `a rollout named "${name}" exists already`);
      }
      const history: RolloutTransition[] = [{ at: now, actor: context.actor, action: 'started', fromStep: 0, toStep: 0, reason: context.reason ?? 'started', evidence: null }];
      await trx.insertInto('rollouts').values({ name, plan: JSON.stringify(plan), state: 'running', step: 0, step_started_at: now, history: JSON.stringify(history), created_at: now, updated_at: now }).execute();
      await appendAuditEntry(trx, { action: 'rollout.started', subject: `rollout:${name}`, details: { plan } }, context);
    });
    return (await this.find(name)) as RolloutRecord;
  }

  async find(name: string): Promise<RolloutRecord | undefined> {
    const row = await this.db.selectFrom('rollouts').selectAll().where('name', '=', name).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async list(): Promise<RolloutRecord[]> {
    const rows = await this.db.selectFrom('rollouts').selectAll().orderBy('id', 'desc').execute();
    return rows.map(toRecord);
  }

  async transition(name: string, expected: { state: RolloutState; step: number }, next: { state: RolloutState; step: number }, transition: Omit<RolloutTransition, 'at' | 'actor' | 'fromStep' | 'toStep'>, changeContext: ChangeContext): Promise<RolloutRecord> {
    const context = atOneInstant(changeContext);
    const now = context.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('rollouts').selectAll().where('name', '=', name).executeTakeFirst();
      if (row === undefined) throw new MlcycleError('not_found', `no rollout "${name}" (mlcycle rollout status lists them)`);
      if (row.state !== expected.state || row.step !== expected.step) {
        throw new MlcycleError('conflict', `rollout "${name}" is ${row.state} at step ${row.step + 1}, not ${expected.state} at step ${expected.step + 1}: another actor moved it`);
      }
      const history = JSON.parse(row.history) as RolloutTransition[];
      const entry: RolloutTransition = { at: now, actor: context.actor, action: transition.action, fromStep: row.step, toStep: next.step, reason: transition.reason, evidence: transition.evidence };
      history.push(entry);
      await trx
        .updateTable('rollouts')
        .set({ state: next.state, step: next.step, step_started_at: next.step === row.step && next.state === row.state ? row.step_started_at : now, history: JSON.stringify(history), updated_at: now })
        .where('id', '=', row.id)
        .execute();
      await appendAuditEntry(trx, { action: `rollout.${transition.action}`, subject: `rollout:${name}`, details: { fromStep: row.step, toStep: next.step, state: next.state, reason: transition.reason, evidence: transition.evidence } }, context);
    });
    return (await this.find(name)) as RolloutRecord;
  }
}
