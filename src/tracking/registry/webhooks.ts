/**
 * Registry webhooks: configuring them, signing and sending their deliveries, retrying with backoff.
 *
 * Each delivery is a POST of the event as JSON with these headers:
 * - `x-mlcycle-event`: the event type; `x-mlcycle-delivery`: the delivery id (the same on every retry);
 * - `x-mlcycle-timestamp`: Unix seconds when this attempt was signed;
 * - `x-mlcycle-signature-256`: `sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>` under the
 *   webhook's secret (the scheme of Stripe's signatures: binding the time lets receivers refuse replays).
 * A 2xx answer is delivered; anything else (or no answer within the timeout) is retried after
 * `baseDelayMs * 2^(attempt-1)` (capped at an hour), up to `maxAttempts`, then the delivery is `failed`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { MlcycleError } from '../../error.js';
import type { ChangeContext } from '../../store/audit-log.js';
import { REGISTRY_EVENT_TYPES, type RegistryEvent, type RegistryEventType } from '../../store/model-registry.js';
import type { DueDelivery, Webhook, WebhookDelivery, WebhookStore } from '../../store/webhook-store.js';
import { postWebhook } from './webhook-request.js';
import { checkWebhookTarget, resolveWithDns, type ResolveHost } from './webhook-targets.js';

export const WEBHOOK_DEFAULTS = { timeoutMs: 10_000, maxAttempts: 8, baseDelayMs: 10_000, maxDelayMs: 3_600_000, leaseMs: 60_000, batch: 50 } as const;

export interface AddWebhookOptions {
  url: string;
  /** Event types to receive; all when empty or absent. */
  events?: readonly string[];
  /** The signing secret; 32 random bytes (hex) when absent. */
  secret?: string;
  /** Allow private, loopback and link-local targets (a local receiver); refused by default. */
  allowPrivateTargets?: boolean;
  resolveHost?: ResolveHost;
}

/** Checks and stores a webhook; returns it with its secret, which is shown this once. */
export async function addWebhook(store: WebhookStore, options: AddWebhookOptions, context: ChangeContext): Promise<{ webhook: Webhook; secret: string }> {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new MlcycleError('invalid_input', `url: "${options.url}" is not a URL`, { issues: [{ path: 'url', message: 'not a URL' }] });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new MlcycleError('invalid_input', `url: expected http:// or https://, got ${url.protocol}`, { issues: [{ path: 'url', message: 'not http or https' }] });
  const events = [...new Set(options.events ?? [])];
  events.forEach((event, index) => {
    if (!(REGISTRY_EVENT_TYPES as readonly string[]).includes(event)) {
      throw new MlcycleError('invalid_input', `events[${index}]: "${event}" is not an event type (${REGISTRY_EVENT_TYPES.join(', ')})`, { issues: [{ path: `events[${index}]`, message: 'unknown event type' }] });
    }
  });
  const secret = options.secret ?? randomBytes(32).toString('hex');
  if (secret.length < 8 || secret.length > 500) throw new MlcycleError('invalid_input', 'secret: expected 8 to 500 characters', { issues: [{ path: 'secret', message: 'expected 8 to 500 characters' }] });
  await checkWebhookTarget(url, { allowPrivate: options.allowPrivateTargets === true, unresolvable: 'accept', ...(options.resolveHost === undefined ? {} : { resolve: options.resolveHost }) });
  const webhook = await store.addWebhook({ url: url.toString(), events: events as RegistryEventType[], secret }, context);
  return { webhook, secret };
}

/** The signature header's value for a body signed at `timestamp` (Unix seconds). */
export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers: true when the signature matches the body and timestamp (compared in constant time). */
export function verifyWebhookSignature(secret: string, timestamp: string, body: string, signature: string): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  const expected = Buffer.from(signWebhookBody(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The JSON body of an event's delivery. */
export function webhookPayload(event: RegistryEvent, deliveryId: number): string {
  return JSON.stringify({ deliveryId, event: { id: event.id, type: event.type, at: event.at, actor: event.actor, model: event.model, version: event.version ?? null, details: event.details } });
}

export interface DeliverOptions {
  now?: () => Date;
  timeoutMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  leaseMs?: number;
  /** At most this many deliveries per call. */
  batch?: number;
  /** Deliver to private, loopback and link-local addresses too (otherwise checked on every attempt, at the connection). */
  allowPrivateTargets?: boolean;
  /** How hosts resolve; DNS by default, injectable in tests. */
  resolveHost?: ResolveHost;
}

/** The wait before attempt `attempts + 1`, after `attempts` failures: exponential, capped. */
export function retryDelayMs(attempts: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempts - 1));
}

async function sendOne(due: DueDelivery, options: Required<Omit<DeliverOptions, 'batch' | 'leaseMs'>>): Promise<{ status?: number; error?: string }> {
  const body = webhookPayload(due.event, due.delivery.id);
  const timestamp = Math.floor(options.now().getTime() / 1000);
  try {
    const status = await postWebhook(new URL(due.webhook.url), {
      headers: {
        'content-type': 'application/json',
        'user-agent': 'mlcycle-webhooks',
        'x-mlcycle-event': due.event.type,
        'x-mlcycle-delivery': String(due.delivery.id),
        'x-mlcycle-timestamp': String(timestamp),
        'x-mlcycle-signature-256': signWebhookBody(due.secret, timestamp, body),
      },
      body,
      timeoutMs: options.timeoutMs,
      allowPrivate: options.allowPrivateTargets,
      resolve: options.resolveHost,
    });
    // Redirects are not followed (a 3xx is a failed delivery), so a target cannot send the request on elsewhere.
    return status >= 200 && status < 300 ? { status } : { status, error: `HTTP ${status}` };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Sends every due delivery once and records each outcome; returns the deliveries as they now stand. */
export async function deliverWebhooks(store: WebhookStore, options: DeliverOptions = {}): Promise<WebhookDelivery[]> {
  const settings = {
    now: options.now ?? (() => new Date()),
    timeoutMs: options.timeoutMs ?? WEBHOOK_DEFAULTS.timeoutMs,
    maxAttempts: options.maxAttempts ?? WEBHOOK_DEFAULTS.maxAttempts,
    baseDelayMs: options.baseDelayMs ?? WEBHOOK_DEFAULTS.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? WEBHOOK_DEFAULTS.maxDelayMs,
    allowPrivateTargets: options.allowPrivateTargets === true,
    resolveHost: options.resolveHost ?? resolveWithDns,
  };
  const due = await store.claimDueDeliveries(settings.now(), options.leaseMs ?? WEBHOOK_DEFAULTS.leaseMs, options.batch ?? WEBHOOK_DEFAULTS.batch);
  return Promise.all(
    due.map(async (one) => {
      const result = await sendOne(one, settings);
      const at = settings.now();
      const attempts = one.delivery.attempts + 1;
      const outcome =
        result.error === undefined
          ? ({ state: 'delivered' } as const)
          : attempts >= settings.maxAttempts
            ? ({ state: 'failed' } as const)
            : ({ state: 'pending', nextAttemptAt: new Date(at.getTime() + retryDelayMs(attempts, settings.baseDelayMs, settings.maxDelayMs)) } as const);
      return store.recordAttempt(one.delivery.id, { ...result, outcome, at });
    }),
  );
}

/** A background deliverer for a long-running process (the server): polls, and runs soon when nudged. */
export class WebhookDeliverer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly store: WebhookStore,
    private readonly options: DeliverOptions & {
      intervalMs?: number;
      onError?: (error: unknown) => void;
      /** Asked before every round: when several servers deliver, only the one holding the lease does (jobs/lease-gate.ts). */
      mayRun?: () => Promise<boolean>;
    } = {},
  ) {}

  start(): void {
    this.schedule(this.options.intervalMs ?? 1000);
  }

  /** Runs a delivery round now (after the one in progress). */
  nudge(): void {
    if (this.stopped) return;
    this.running = this.running.then(() => this.round());
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.nudge();
      void this.running.then(() => this.schedule(this.options.intervalMs ?? 1000));
    }, delayMs);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    try {
      if (this.options.mayRun !== undefined && !(await this.options.mayRun())) return;
      await deliverWebhooks(this.store, this.options);
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** Stops polling and waits for a round in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
  }
}
