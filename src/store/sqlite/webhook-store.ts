/** Webhooks and their delivery outbox in the SQLite metadata database. */
import type { Kysely, Selectable } from 'kysely';
import { MlcycleError } from '../../error.js';
import { atOneInstant, type ChangeContext } from '../audit-log.js';
import type { RegistryEventType } from '../model-registry.js';
import type { DeliveryAttempt, DeliveryState, DueDelivery, NewWebhook, Webhook, WebhookDelivery, WebhookStore } from '../webhook-store.js';
import { appendAuditEntry } from './audit-log.js';
import type { Database, WebhookDeliveryTable, WebhookTable } from './database.js';
import { onPostgres } from './dialect.js';

function toWebhook(row: Selectable<WebhookTable>): Webhook {
  return { id: row.id, url: row.url, events: JSON.parse(row.events) as RegistryEventType[], active: row.active === 1, createdAt: row.created_at, createdBy: row.created_by };
}

function toDelivery(row: Selectable<WebhookDeliveryTable>): WebhookDelivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    state: row.state as DeliveryState,
    attempts: row.attempts,
    ...(row.last_status === null ? {} : { lastStatus: row.last_status }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    nextAttemptAt: row.next_attempt_at,
    updatedAt: row.updated_at,
  };
}

export class SqliteWebhookStore implements WebhookStore {
  constructor(private readonly db: Kysely<Database>) {}

  async addWebhook(webhook: NewWebhook, changeContext: ChangeContext): Promise<Webhook> {
    const context = atOneInstant(changeContext);
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('webhooks')
        .values({ url: webhook.url, events: JSON.stringify(webhook.events), secret: webhook.secret, active: 1, created_at: context.now().toISOString(), created_by: context.actor })
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendAuditEntry(trx, { action: 'webhook.added', subject: `webhook/${row.id}`, details: { url: webhook.url, events: webhook.events } }, context);
      return toWebhook(row);
    });
  }

  async listWebhooks(): Promise<Webhook[]> {
    return (await this.db.selectFrom('webhooks').selectAll().where('active', '=', 1).orderBy('id').execute()).map(toWebhook);
  }

  async removeWebhook(id: number, changeContext: ChangeContext): Promise<void> {
    const context = atOneInstant(changeContext);
    const at = context.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('webhooks').selectAll().where('id', '=', id).where('active', '=', 1).executeTakeFirst();
      if (row === undefined) throw new MlcycleError('not_found', `no webhook with id ${id}`);
      await trx.updateTable('webhooks').set({ active: 0 }).where('id', '=', id).execute();
      await trx.updateTable('webhook_deliveries').set({ state: 'failed', last_error: 'webhook removed', updated_at: at }).where('webhook_id', '=', id).where('state', '=', 'pending').execute();
      await appendAuditEntry(trx, { action: 'webhook.removed', subject: `webhook/${id}`, details: { url: row.url } }, context);
    });
  }

  async claimDueDeliveries(now: Date, leaseMs: number, limit: number): Promise<DueDelivery[]> {
    const at = now.toISOString();
    return this.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
        .innerJoin('registry_events as e', 'e.id', 'd.event_id')
        .selectAll('d')
        .select(['w.url', 'w.events', 'w.secret', 'w.active', 'w.created_at as webhook_created_at', 'w.created_by as webhook_created_by'])
        .select(['e.at as event_at', 'e.actor as event_actor', 'e.type as event_type', 'e.model as event_model', 'e.version as event_version', 'e.details as event_details'])
        .where('d.state', '=', 'pending')
        .where('d.next_attempt_at', '<=', at)
        .orderBy('d.id')
        .limit(limit)
        // Several servers on one PostgreSQL claim at once: each takes rows no other claim holds, so an
        // event goes out once. (SQLite runs one write transaction at a time already.)
        .$if(onPostgres(trx), (query) => query.forUpdate('d').skipLocked())
        .execute();
      if (rows.length === 0) return [];
      const leased = new Date(now.getTime() + leaseMs).toISOString();
      await trx.updateTable('webhook_deliveries').set({ next_attempt_at: leased }).where('id', 'in', rows.map((row) => row.id)).execute();
      return rows.map((row) => ({
        delivery: toDelivery({ ...row, next_attempt_at: leased }),
        webhook: toWebhook({ id: row.webhook_id, url: row.url, events: row.events, secret: row.secret, active: row.active, created_at: row.webhook_created_at, created_by: row.webhook_created_by }),
        secret: row.secret,
        event: {
          id: row.event_id,
          at: row.event_at,
          actor: row.event_actor,
          type: row.event_type as RegistryEventType,
          model: row.event_model,
          ...(row.event_version === null ? {} : { version: row.event_version }),
          details: JSON.parse(row.event_details) as Record<string, unknown>,
        },
      }));
    });
  }

  async recordAttempt(deliveryId: number, attempt: DeliveryAttempt): Promise<WebhookDelivery> {
    const at = attempt.at.toISOString();
    const row = await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        state: attempt.outcome.state,
        attempts: eb('attempts', '+', 1),
        last_status: attempt.status ?? null,
        last_error: attempt.error ?? null,
        ...(attempt.outcome.state === 'pending' ? { next_attempt_at: attempt.outcome.nextAttemptAt.toISOString() } : {}),
        updated_at: at,
      }))
      .where('id', '=', deliveryId)
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) throw new MlcycleError('not_found', `no webhook delivery with id ${deliveryId}`);
    return toDelivery(row);
  }

  async listDeliveries(query: { webhookId?: number; state?: DeliveryState; limit?: number } = {}): Promise<WebhookDelivery[]> {
    let select = this.db.selectFrom('webhook_deliveries').selectAll().orderBy('id', 'desc');
    if (query.webhookId !== undefined) select = select.where('webhook_id', '=', query.webhookId);
    if (query.state !== undefined) select = select.where('state', '=', query.state);
    select = select.limit(query.limit ?? 100);
    return (await select.execute()).map(toDelivery);
  }
}
