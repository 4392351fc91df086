/** `mlcycle models webhook add|list|remove|deliveries`, and the best-effort delivery after registry commands. */
import type { Command } from 'commander';
import type { Workspace } from '../store/workspace.js';
import { formatTable } from './output.js';
import type { ActionFactory } from './program.js';
import { parseList, parsePositiveInteger } from './option-parsers.js';
import { withWorkspace } from './workspace-option.js';

/** How long a command waits for receivers after its change; the server delivers whatever is left. */
const COMMAND_DELIVERY_TIMEOUT_MS = 2000;

/** Whether MLCYCLE_ALLOW_PRIVATE_WEBHOOKS=1 lets webhooks call private, loopback and link-local addresses. */
export function allowPrivateWebhooksFromEnvironment(): boolean {
  return process.env.MLCYCLE_ALLOW_PRIVATE_WEBHOOKS === '1';
}

/** Sends the deliveries a command's change queued, once each and briefly; failures stay queued for retries. */
export async function deliverAfterCommand(workspace: Workspace): Promise<void> {
  const { deliverWebhooks } = await import('../tracking/registry/webhooks.js');
  await deliverWebhooks(workspace.webhooks, { timeoutMs: COMMAND_DELIVERY_TIMEOUT_MS, allowPrivateTargets: allowPrivateWebhooksFromEnvironment() }).catch(() => undefined);
}

/** Registers the webhook commands under `models`. */
export function registerModelWebhooks(models: Command, action: ActionFactory): void {
  const webhook = models.command('webhook').description('webhooks called on registry events (signed with HMAC-SHA256, retried with backoff)');
  webhook
    .command('add')
    .description('call URL on registry events; prints the signing secret once')
    .argument('<url>', 'an http:// or https:// URL')
    .option('--events <types>', 'comma-separated event types, e.g. model_version.created,model_version.alias_set (default: all)')
    .option('--secret <secret>', 'the signing secret (default: 32 random bytes, printed)')
    .action(
      action(async (environment, positional, command: Command) => {
        const [url] = positional as [string];
        const options = command.opts<{ events?: string; secret?: string }>();
        const events = options.events === undefined ? [] : parseList(options.events);
        const { addWebhook } = await import('../tracking/registry/webhooks.js');
        return withWorkspace(environment, async (workspace) => {
          const { webhook: added, secret } = await addWebhook(workspace.webhooks, { url, events, ...(options.secret === undefined ? {} : { secret: options.secret }), allowPrivateTargets: allowPrivateWebhooksFromEnvironment() }, environment.context);
          const text = [`webhook ${added.id}: ${added.url} on ${added.events.length === 0 ? 'every event' : added.events.join(', ')}`, `signing secret: ${secret}`].join('\n');
          return { text, json: { ...added, secret } };
        });
      }),
    );
  webhook
    .command('list')
    .description('active webhooks')
    .action(
      action(async (environment) =>
        withWorkspace(environment, async (workspace) => {
          const list = await workspace.webhooks.listWebhooks();
          const rows = [['id', 'url', 'events', 'created'], ...list.map((one) => [String(one.id), one.url, one.events.join(', ') || 'all', one.createdAt])];
          return { text: list.length === 0 ? 'no webhooks: `mlcycle models webhook add URL`' : formatTable(rows), json: list };
        }),
      ),
    );
  webhook
    .command('remove')
    .description('stop calling a webhook; its pending deliveries are marked failed')
    .argument('<id>', 'the webhook id')
    .action(
      action(async (environment, positional) => {
        const id = parsePositiveInteger((positional as [string])[0], 'id');
        return withWorkspace(environment, async (workspace) => {
          await workspace.webhooks.removeWebhook(id, environment.context);
          return { text: `removed webhook ${id}`, json: { id, removed: true } };
        });
      }),
    );
  webhook
    .command('deliveries')
    .description('recent deliveries, newest first: state, attempts, last status')
    .option('--webhook <id>', 'only this webhook')
    .action(
      action(async (environment, _positional, command: Command) => {
        const options = command.opts<{ webhook?: string }>();
        const webhookId = options.webhook === undefined ? undefined : parsePositiveInteger(options.webhook, '--webhook');
        return withWorkspace(environment, async (workspace) => {
          const list = await workspace.webhooks.listDeliveries(webhookId === undefined ? {} : { webhookId });
          const rows = [['id', 'webhook', 'event', 'state', 'attempts', 'last status', 'next attempt'], ...list.map((one) => [String(one.id), String(one.webhookId), String(one.eventId), one.state, String(one.attempts), String(one.lastStatus ?? one.lastError ?? ''), one.state === 'pending' ? one.nextAttemptAt : ''])];
          return { text: list.length === 0 ? 'no deliveries' : formatTable(rows), json: list };
        });
      }),
    );
}
