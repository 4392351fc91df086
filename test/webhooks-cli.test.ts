/** `mlcycle models webhook ...` through the built command, with a real receiver: the CLI delivers after its change. */
import { describe, expect, it } from 'vitest';
import { createWorkspace } from '../src/store/workspace.js';
import { verifyWebhookSignature } from '../src/tracking/registry/webhooks.js';
import { runMlcycleAsync } from './support/run-cli.js';
import { tempDir, testContext } from './support/temp-dir.js';
import { startReceiver } from './support/webhook-receiver.js';

describe('mlcycle models webhook', () => {
  it('adds a webhook and delivers the events of later commands, signed; a failing receiver stays queued', async () => {
    const dir = tempDir();
    const context = testContext('ana');
    const { workspace } = await createWorkspace(dir, 'hooks', context);
    const experiment = await workspace.runs.ensureExperiment('delays', context);
    const run = await workspace.runs.createRun({ experimentId: experiment.id, name: 'gbdt', startTime: 0 }, context);
    await workspace.runs.recordArtifacts(run.id, [{ path: 'model/model.json', size: 2, sha256: 'b'.repeat(64) }], context);
    await workspace.close();
    const cli = (...args: string[]) => runMlcycleAsync(args, { cwd: dir, env: { MLCYCLE_ALLOW_PRIVATE_WEBHOOKS: '1' } });

    const receiver = await startReceiver();
    const failing = await startReceiver([500]);
    const added = await cli('models', 'webhook', 'add', receiver.url, '--events', 'model_version.created,model_version.alias_set', '--secret', 'cli-secret-42');
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^webhook 1: http:\/\/127\.0\.0\.1:\d+\/hook on model_version\.created, model_version\.alias_set\nsigning secret: cli-secret-42\n$/);
    expect((await cli('models', 'webhook', 'add', failing.url, '--events', 'model_version.created')).code).toBe(0);

    expect((await cli('models', 'register', 'delay-alert', '--run', run.id)).code).toBe(0);
    // The command itself delivered, before it exited.
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request!.headers['x-mlcycle-event']).toBe('model_version.created');
    expect(verifyWebhookSignature('cli-secret-42', String(request!.headers['x-mlcycle-timestamp']), request!.body, String(request!.headers['x-mlcycle-signature-256']))).toBe(true);
    expect(failing.received).toHaveLength(1);

    const deliveries = JSON.parse((await cli('models', 'webhook', 'deliveries', '--json')).stdout);
    expect(deliveries.map((delivery: any) => [delivery.webhookId, delivery.state, delivery.attempts, delivery.lastStatus])).toEqual([
      [2, 'pending', 1, 500],
      [1, 'delivered', 1, 200],
    ]);
    const bad = await cli('models', 'webhook', 'add', 'ftp://example.org/hook');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/url: expected http:\/\/ or https:\/\//);
  });
});
