/**
 * Webhooks of the model registry and their deliveries. A delivery row is written for each matching
 * webhook in the transaction that records a registry event (the outbox, see model-registry.ts), so no
 * event is lost between the change and its notification; deliverers then claim due rows, send them and
 * record the outcome. States: `pending` (not yet delivered, maybe retrying), `delivered`, `failed`
 * (every attempt failed).
 */
import type { ChangeContext } from './audit-log.js';
import type { RegistryEvent, RegistryEventType } from './model-registry.js';

export interface Webhook {
  id: number;
  url: string;
  /** The event types it receives; empty for every event. */
  events: RegistryEventType[];
  active: boolean;
  createdAt: string;
  createdBy: string;
}

export const DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface WebhookDelivery {
  id: number;
  webhookId: number;
  eventId: number;
  state: DeliveryState;
  attempts: number;
  /** The HTTP status of the last attempt; absent when it got no answer. */
  lastStatus?: number;
  lastError?: string;
  /** When the next attempt is due (while pending). */
  nextAttemptAt: string;
  updatedAt: string;
}

/** A claimed delivery with what sending it needs. */
export interface DueDelivery {
  delivery: WebhookDelivery;
  webhook: Webhook;
  secret: string;
  event: RegistryEvent;
}

export interface NewWebhook {
  url: string;
  events: readonly RegistryEventType[];
  secret: string;
}

/** The outcome of one attempt: the receiver's status (absent when it did not answer) and what went wrong. */
export interface DeliveryAttempt {
  status?: number;
  error?: string;
  /** Delivered (a 2xx answer), retry at this time, or give up. */
  outcome: { state: 'delivered' } | { state: 'pending'; nextAttemptAt: Date } | { state: 'failed' };
  at: Date;
}

export interface WebhookStore {
  addWebhook(webhook: NewWebhook, context: ChangeContext): Promise<Webhook>;
  listWebhooks(): Promise<Webhook[]>;
  /** Deactivates a webhook: it gets no new deliveries, its pending ones fail; its history stays. */
  removeWebhook(id: number, context: ChangeContext): Promise<void>;
  /**
   * Claims up to `limit` pending deliveries due at `now`, pushing their due time to `now + leaseMs` so a
   * second deliverer (the CLI beside a server) does not send them too; a crashed sender's claim expires.
   */
  claimDueDeliveries(now: Date, leaseMs: number, limit: number): Promise<DueDelivery[]>;
  recordAttempt(deliveryId: number, attempt: DeliveryAttempt): Promise<WebhookDelivery>;
  listDeliveries(query?: { webhookId?: number; state?: DeliveryState; limit?: number }): Promise<WebhookDelivery[]>;
}
