/** /api/v1/webhooks: configure registry webhooks and read their deliveries. */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import { DELIVERY_STATES, type DeliveryState } from '../../store/webhook-store.js';
import { addWebhook } from '../../tracking/registry/webhooks.js';
import { fieldsOf, optionalInteger, optionalString, optionalStrings, requiredString } from '../mlflow/request-fields.js';
import { actorOf, type ServerContext } from '../server-context.js';
import { bodyOf, positiveIntegerParam } from './api-json.js';

const PREFIX = '/webhooks';

export function registerApiWebhookRoutes(app: FastifyInstance, server: ServerContext): void {
  const { webhooks } = server.workspace;
  app.get(PREFIX, async () => ({ webhooks: await webhooks.listWebhooks() }));
  app.post(PREFIX, async (request, reply) => {
    const fields = bodyOf(request);
    const secret = optionalString(fields, 'secret');
    const added = await addWebhook(webhooks, { url: requiredString(fields, 'url'), events: optionalStrings(fields, 'events'), ...(secret === undefined ? {} : { secret }), allowPrivateTargets: server.allowPrivateWebhooks === true }, actorOf(server, request)());
    return reply.status(201).send(added);
  });
  app.delete<{ Params: { id: string } }>(`${PREFIX}/:id`, async (request) => {
    await webhooks.removeWebhook(positiveIntegerParam(request.params.id, 'id'), actorOf(server, request)());
    return {};
  });
  app.get('/webhook-deliveries', async (request) => {
    const fields = fieldsOf({ query: request.query });
    const webhookId = optionalInteger(fields, 'webhookId');
    const state = optionalString(fields, 'state');
    if (state !== undefined && !(DELIVERY_STATES as readonly string[]).includes(state)) throw new MlcycleError('invalid_input', `state: "${state}" is not ${DELIVERY_STATES.join(', ')}`, { issues: [{ path: 'state', message: 'unknown state' }] });
    const limit = optionalInteger(fields, 'limit');
    return { deliveries: await webhooks.listDeliveries({ ...(webhookId === undefined ? {} : { webhookId }), ...(state === undefined ? {} : { state: state as DeliveryState }), ...(limit === undefined ? {} : { limit: Math.min(Math.max(limit, 1), 1000) }) }) };
  });
}
