/**
 * Registry webhooks against a real HTTP receiver on a real port: the outbox row written with the event,
 * signatures a receiver can verify, retries with backoff after a failure, giving up, event filters, and
 * delivery by the server process.
 */
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createWorkspace, type Workspace } from '../src/store/workspace.js';
import { registerModel, setModelAlias } from '../src/tracking/registry/register-model.js';
import { addWebhook, deliverWebhooks, verifyWebhookSignature } from '../src/tracking/registry/webhooks.js';
import { mlflowServer } from './support/api-server.js';
import { tempDir, testContext } from './support/temp-dir.js';
import { startReceiver } from './support/webhook-receiver.js';

async function workspaceWithRun(): Promise<{ workspace: Workspace; runId: string; context: ReturnType<typeof testContext> }> {
  const context = testContext('ana');
  const { workspace } = await createWorkspace(tempDir(), 'hooks', context);
  const experiment = await workspace.runs.ensureExperiment('delays', context);
  const run = await workspace.runs.createRun({ experimentId: experiment.id, name: 'gbdt', startTime: 0 }, context);
  await workspace.runs.recordArtifacts(run.id, [{ path: 'model/model.json', size: 2, sha256: 'b'.repeat(64) }], context);
  return { workspace, runId: run.id, context };
}

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A clock the test moves by hand. */
function handClock(start = Date.parse('2026-05-01T12:00:00Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

describe('registry webhooks', () => {
  it('delivers a new version, signed so that the receiver can verify it', async () => {
    const { workspace, runId, context } = await workspaceWithRun();
    try {
      const receiver = await startReceiver();
      const { webhook, secret } = await addWebhook(workspace.webhooks, { url: receiver.url, secret: 'shared-secret-1', allowPrivateTargets: true }, context);
      expect(secret).toBe('shared-secret-1');
      await registerModel(workspace, { name: 'delay-alert', run: runId }, context);
      // The outbox rows were written with the events, before any delivery ran.
      expect((await workspace.webhooks.listDeliveries()).map((delivery) => [delivery.state, delivery.attempts])).toEqual([['pending', 0], ['pending', 0]]);
      const delivered = await deliverWebhooks(workspace.webhooks, { allowPrivateTargets: true });
      expect(delivered.map((delivery) => [delivery.state, delivery.attempts, delivery.lastStatus])).toEqual([['delivered', 1, 200], ['delivered', 1, 200]]);
      expect(receiver.received).toHaveLength(2);
      const created = receiver.received.find((request) => request.headers['x-mlcycle-event'] === 'model_version.created');
      expect(created).toBeDefined();
      const { headers, body } = created!;
      expect(JSON.parse(body)).toMatchObject({ event: { type: 'model_version.created', model: 'delay-alert', version: 1, actor: 'ana', details: { runId, source: 'model' } } });
      expect(verifyWebhookSignature('shared-secret-1', String(headers['x-mlcycle-timestamp']), body, String(headers['x-mlcycle-signature-256']))).toBe(true);
      expect(verifyWebhookSignature('another-secret', String(headers['x-mlcycle-timestamp']), body, String(headers['x-mlcycle-signature-256']))).toBe(false);
      expect(verifyWebhookSignature('shared-secret-1', String(headers['x-mlcycle-timestamp']), body.replace('delay-alert', 'delay-alerts'), String(headers['x-mlcycle-signature-256']))).toBe(false);
      expect(verifyWebhookSignature('shared-secret-1', String(Number(headers['x-mlcycle-timestamp']) + 1), body, String(headers['x-mlcycle-signature-256']))).toBe(false);
      // Nothing is sent twice.
      expect(await deliverWebhooks(workspace.webhooks, { allowPrivateTargets: true })).toEqual([]);
      expect((await workspace.webhooks.listDeliveries({ webhookId: webhook.id })).every((delivery) => delivery.state === 'delivered')).toBe(true);
    } finally {
      await workspace.close();
    }
  });

  it('retries a receiver that fails first, after the backoff, then records it delivered', async () => {
    const { workspace, runId, context } = await workspaceWithRun();
    try {
      const receiver = await startReceiver([503, 200]);
      await addWebhook(workspace.webhooks, { url: receiver.url, events: ['model_version.alias_set'], allowPrivateTargets: true }, context);
      await registerModel(workspace, { name: 'delay-alert', run: runId }, context);
      await setModelAlias(workspace, 'delay-alert', 'champion', 1, context);
      const clock = handClock();
      const options = { now: clock.now, baseDelayMs: 30_000, allowPrivateTargets: true };
      const first = await deliverWebhooks(workspace.webhooks, options);
      expect(first).toMatchObject([{ state: 'pending', attempts: 1, lastStatus: 503, lastError: 'HTTP 503', nextAttemptAt: new Date(Date.parse('2026-05-01T12:00:30Z')).toISOString() }]);
      clock.advance(29_000);
      expect(await deliverWebhooks(workspace.webhooks, options)).toEqual([]);
      clock.advance(1_000);
      const second = await deliverWebhooks(workspace.webhooks, options);
      expect(second).toMatchObject([{ state: 'delivered', attempts: 2, lastStatus: 200 }]);
      expect(second[0]).not.toHaveProperty('lastError');
      // Only the alias event was wanted; both requests carried it, under the same delivery id.
      expect(receiver.received.map((request) => request.headers['x-mlcycle-event'])).toEqual(['model_version.alias_set', 'model_version.alias_set']);
      expect(new Set(receiver.received.map((request) => request.headers['x-mlcycle-delivery'])).size).toBe(1);
      expect(JSON.parse(receiver.received[0]!.body).event).toMatchObject({ details: { alias: 'champion', previousVersion: null } });
    } finally {
      await workspace.close();
    }
  });

  it('gives up after the last attempt, waiting twice as long each time, and reports a receiver that is down', async () => {
    const { workspace, runId, context } = await workspaceWithRun();
    try {
      const receiver = await startReceiver([500]);
      await addWebhook(workspace.webhooks, { url: receiver.url, events: ['model_version.created'], allowPrivateTargets: true }, context);
      await addWebhook(workspace.webhooks, { url: `http://127.0.0.1:${await closedPort()}/closed`, events: ['model_version.created'], allowPrivateTargets: true }, context);
      await registerModel(workspace, { name: 'delay-alert', run: runId }, context);
      const clock = handClock();
      const options = { now: clock.now, baseDelayMs: 1000, maxAttempts: 3, allowPrivateTargets: true };
      const waits: number[] = [];
      for (let round = 0; round < 3; round++) {
        const results = await deliverWebhooks(workspace.webhooks, options);
        const next = results[0]!;
        if (next.state === 'pending') waits.push(Date.parse(next.nextAttemptAt) - clock.now().getTime());
        clock.advance(10_000);
      }
      expect(waits).toEqual([1000, 2000]);
      const deliveries = await workspace.webhooks.listDeliveries();
      expect(deliveries.map((delivery) => [delivery.state, delivery.attempts])).toEqual([['failed', 3], ['failed', 3]]);
      expect(deliveries.find((delivery) => delivery.lastStatus === undefined)?.lastError).toMatch(/ECONNREFUSED|connect/);
      expect(receiver.received).toHaveLength(3);
    } finally {
      await workspace.close();
    }
  });

  it('refuses bad webhook settings', async () => {
    const { workspace, context } = await workspaceWithRun();
    try {
      await expect(addWebhook(workspace.webhooks, { url: 'ftp://example.org/x' }, context)).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/url: expected http/) });
      await expect(addWebhook(workspace.webhooks, { url: 'not a url' }, context)).rejects.toMatchObject({ message: expect.stringMatching(/url: "not a url" is not a URL/) });
      await expect(addWebhook(workspace.webhooks, { url: 'http://x.org', events: ['model_version.created', 'version.moved'] }, context)).rejects.toMatchObject({ message: expect.stringMatching(/events\[1\]: "version.moved" is not an event type/) });
      await expect(addWebhook(workspace.webhooks, { url: 'http://x.org', secret: 'short' }, context)).rejects.toMatchObject({ message: expect.stringMatching(/secret/) });
      expect(await workspace.webhooks.listWebhooks()).toEqual([]);
    } finally {
      await workspace.close();
    }
  });

  it('is delivered by the server process as MLflow clients change the registry', async () => {
    const { workspace, call, listen, context } = await mlflowServer({ webhookDelivery: { intervalMs: 20, baseDelayMs: 10 }, allowPrivateWebhooks: true });
    const receiver = await startReceiver([500, 200]);
    const { secret } = await addWebhook(workspace.webhooks, { url: receiver.url, events: ['model_version.created'], allowPrivateTargets: true }, context);
    await listen();
    const { experiment_id: experimentId } = (await call('POST', '/experiments/create', { name: 'e' })).body;
    const runId = (await call('POST', '/runs/create', { experiment_id: experimentId, start_time: 1 })).body.run.info.run_id;
    await workspace.runs.recordArtifacts(runId, [{ path: 'model/MLmodel', size: 1, sha256: 'c'.repeat(64) }], context);
    expect((await call('POST', '/model-versions/create', { name: 'm', source: `runs:/${runId}/model`, run_id: runId })).status).toBe(200);
    await receiver.waitFor(2);
    const last = receiver.received[1]!;
    expect(verifyWebhookSignature(secret, String(last.headers['x-mlcycle-timestamp']), last.body, String(last.headers['x-mlcycle-signature-256']))).toBe(true);
    const deadline = Date.now() + 10_000;
    let delivery = (await workspace.webhooks.listDeliveries())[0];
    // The receiver answered before the server recorded it: read until the record lands.
    while (delivery?.state !== 'delivered' && Date.now() < deadline) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      delivery = (await workspace.webhooks.listDeliveries())[0];
    }
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 2, lastStatus: 200 });
  });
});
