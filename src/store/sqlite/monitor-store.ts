/** Monitor results and incidents in the metadata database; every change and its audit entry share a transaction. */
import type { Kysely } from 'kysely';
import { MlcycleError } from '../../error.js';
import { atOneInstant, type ChangeContext } from '../audit-log.js';
import type { Incident, IncidentState, MonitorResult, MonitorStore, NewIncident } from '../monitor-store.js';
import { appendAuditEntry } from './audit-log.js';
import type { Database, IncidentTable, MonitorResultTable } from './database.js';

function toResult(row: Omit<MonitorResultTable, 'id'> & { id: number }): MonitorResult {
  return { id: Number(row.id), monitor: row.monitor, at: row.at, alerting: Number(row.alerting) === 1, report: JSON.parse(row.report) as unknown };
}

function toIncident(row: Omit<IncidentTable, 'id'> & { id: number }): Incident {
  return {
    id: Number(row.id),
    source: row.source,
    dedupeKey: row.dedupe_key,
    title: row.title,
    severity: row.severity as Incident['severity'],
    state: row.state as IncidentState,
    owner: row.owner,
    onCall: row.on_call,
    occurrences: Number(row.occurrences),
    openedAt: row.opened_at,
    updatedAt: row.updated_at,
    note: row.note,
  };
}

export class SqliteMonitorStore implements MonitorStore {
  constructor(private readonly db: Kysely<Database>) {}

  async recordResult(monitor: string, alerting: boolean, report: unknown, changeContext: ChangeContext): Promise<MonitorResult> {
    const context = atOneInstant(changeContext);
    const at = context.now().toISOString();
    const id = await this.db.transaction().execute(async (trx) => {
      const inserted = await trx.insertInto('monitor_results').values({ monitor, at, alerting: alerting ? 1 : 0, report: JSON.stringify(report) }).returning('id').executeTakeFirstOrThrow();
      await appendAuditEntry(trx, { action: 'monitor.checked', subject: `monitor:${monitor}`, details: { alerting } }, context);
      return Number(inserted.id);
    });
    return { id, monitor, at, alerting, report };
  }

  async listResults(options: { monitor?: string; limit?: number } = {}): Promise<MonitorResult[]> {
    let query = this.db.selectFrom('monitor_results').selectAll().orderBy('id', 'desc');
    if (options.monitor !== undefined) query = query.where('monitor', '=', options.monitor);
    if (options.limit !== undefined) query = query.limit(options.limit);
    return (await query.execute()).map(toResult);
  }

  async raiseIncident(incident: NewIncident, changeContext: ChangeContext): Promise<{ incident: Incident; opened: boolean }> {
    const context = atOneInstant(changeContext);
    const now = context.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('incidents').selectAll().where('dedupe_key', '=', incident.dedupeKey).where('state', '!=', 'resolved').orderBy('id', 'desc').executeTakeFirst();
      if (existing !== undefined) {
        await trx.updateTable('incidents').set({ occurrences: Number(existing.occurrences) + 1, updated_at: now }).where('id', '=', existing.id).execute();
        const row = await trx.selectFrom('incidents').selectAll().where('id', '=', existing.id).executeTakeFirstOrThrow();
        return { incident: toIncident(row), opened: false };
      }
      const inserted = await trx
        .insertInto('incidents')
        .values({ source: incident.source, dedupe_key: incident.dedupeKey, title: incident.title, severity: incident.severity, state: 'open', owner: incident.owner, on_call: incident.onCall, occurrences: 1, opened_at: now, updated_at: now, note: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendAuditEntry(trx, { action: 'incident.opened', subject: `incident:${inserted.id}`, details: { source: incident.source, title: incident.title, severity: incident.severity, owner: incident.owner } }, context);
      const row = await trx.selectFrom('incidents').selectAll().where('id', '=', inserted.id).executeTakeFirstOrThrow();
      return { incident: toIncident(row), opened: true };
    });
  }

  async listIncidents(states?: readonly IncidentState[]): Promise<Incident[]> {
    let query = this.db.selectFrom('incidents').selectAll().orderBy('id', 'desc');
    if (states !== undefined && states.length > 0) query = query.where('state', 'in', [...states]);
    return (await query.execute()).map(toIncident);
  }

  async transitionIncident(id: number, to: Exclude<IncidentState, 'open'>, note: string | null, changeContext: ChangeContext): Promise<Incident> {
    const context = atOneInstant(changeContext);
    const now = context.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
      if (row === undefined) throw new MlcycleError('not_found', `no incident ${id} (mlcycle incidents list shows them)`);
      if (row.state === 'resolved') throw new MlcycleError('conflict', `incident ${id} is resolved already`);
      if (row.state === to) throw new MlcycleError('conflict', `incident ${id} is ${to} already`);
      await trx.updateTable('incidents').set({ state: to, updated_at: now, note }).where('id', '=', id).execute();
      await appendAuditEntry(trx, { action: to === 'acknowledged' ? 'incident.acknowledged' : 'incident.resolved', subject: `incident:${id}`, details: { note } }, context);
      return toIncident(await trx.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
    });
  }
}
