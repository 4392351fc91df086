/** `mlcycle server`: the HTTP API on the workspace, bound to loopback unless told otherwise. */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { MlcycleError } from '../error.js';
import type { AccessToken } from '../server/auth.js';
import { untilStopped } from './interrupt.js';
import { parseWholeNumber } from './option-parsers.js';
import type { RegisterCommands } from './program.js';
import { openCommandWorkspace } from './workspace-option.js';

export const registerServer: RegisterCommands = (program, action) => {
  program
    .command('server')
    .description("serve MLflow's REST API (/api/2.0/mlflow), mlcycle's /api/v1 and the prediction service (mlcycle serve's routes) on the workspace, until interrupted")
    .option('--port <port>', 'the TCP port (0 picks a free one)', '5000')
    .option('--host <address>', 'the address to bind; 0.0.0.0 exposes the server to the network', '127.0.0.1')
    .option('--tokens-file <file>', 'require tokens, one NAME:read|write:TOKEN per line (or set MLCYCLE_TOKENS)')
    .option('--rollout-interval <seconds>', 'how often the rollout controller ticks (0: never)', '60')
    .option('--monitor-interval <seconds>', "how often the monitor scheduler computes the spec's monitors' new windows (0: never)", '300')
    .option('--lease-ttl <seconds>', 'how long a background loop\'s lease lasts without renewal: when several servers share a database, another one takes over a dead holder\'s loops after this', '15')
    .option('--allow-private-webhooks', 'let webhooks call private, loopback and link-local addresses (a receiver on this machine or network)')
    .action(
      action(async (environment, _positional, command: Command) => {
        const options = command.opts<{ port: string; host: string; tokensFile?: string; allowPrivateWebhooks?: boolean; rolloutInterval: string; monitorInterval: string; leaseTtl: string }>();
        const port = parseWholeNumber(options.port, '--port', '0 to 65535', { min: 0, max: 65535 });
        const rolloutSeconds = parseWholeNumber(options.rolloutInterval, '--rollout-interval', 'a whole number of seconds', { min: 0, max: 86_400 });
        const monitorSeconds = parseWholeNumber(options.monitorInterval, '--monitor-interval', 'a whole number of seconds', { min: 0, max: 86_400 });
        const leaseSeconds = parseWholeNumber(options.leaseTtl, '--lease-ttl', 'a whole number of seconds from 1 to 3600', { min: 1, max: 3600 });
        const [{ buildServer }, { parseTokens }] = await Promise.all([import('../server/app.js'), import('../server/auth.js')]);
        const tokens: AccessToken[] = [];
        if (process.env.MLCYCLE_TOKENS !== undefined) tokens.push(...parseTokens(process.env.MLCYCLE_TOKENS, 'MLCYCLE_TOKENS'));
        if (options.tokensFile !== undefined) {
          const text = await readFile(options.tokensFile, 'utf8').catch(() => {
            throw new MlcycleError('usage', `--tokens-file: cannot read ${options.tokensFile}`);
          });
          tokens.push(...parseTokens(text, options.tokensFile));
        }
        if (tokens.length === 0 && !['127.0.0.1', '::1', 'localhost'].includes(options.host)) {
          environment.streams.stderr(`warning: serving on ${options.host} without tokens: anyone who can reach it can change the workspace\n`);
        }
        const workspace = await openCommandWorkspace(environment);
        const { STAGING_LEFTOVER_AGE_MS } = await import('../store/artifact-store.js');
        const leftovers = await workspace.artifacts.removeStagingLeftovers(new Date(Date.now() - STAGING_LEFTOVER_AGE_MS));
        if (leftovers.length > 0) environment.streams.stderr(`removed ${leftovers.length} partial artifact file(s) left in the staging folder by an interrupted write\n`);
        const logError = (error: unknown) => environment.streams.stderr(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        // The prediction service's routes come along; its event log is this server's unless `mlcycle serve` holds it.
        const [{ openServeRoutes }, { loadSpec }, { knownEventNames }] = await Promise.all([import('../serve/prediction-service.js'), import('../problem/load-spec.js'), import('../events/business-events.js')]);
        const spec = await loadSpec(workspace.specFile);
        const names = knownEventNames(spec.exists ? spec.spec : undefined);
        const serve = await openServeRoutes(workspace, { eventNames: () => names }, '0.1.0', logError);
        // Each background loop runs on one server at a time: the one holding its lease in the metadata database.
        const { LeaseGate } = await import('../jobs/lease-gate.js');
        const holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
        const gate = (name: string) =>
          new LeaseGate(workspace.leases, {
            name,
            holder,
            ttlMs: leaseSeconds * 1000,
            onChange: (held) => environment.streams.stderr(`lease ${name}: ${held ? 'taken' : 'lost'} by this server (${holder})\n`),
            onError: logError,
          });
        const webhookGate = gate('webhook-delivery');
        const app = buildServer({ workspace, tokens, webhookDelivery: { mayRun: () => webhookGate.mayRun() }, allowPrivateWebhooks: options.allowPrivateWebhooks === true || process.env.MLCYCLE_ALLOW_PRIVATE_WEBHOOKS === '1', logError, serve: serve.routes });
        app.addHook('onClose', async () => serve.close());
        app.addHook('onClose', async () => webhookGate.stop());
        if (rolloutSeconds > 0) {
          const [{ startRolloutController }, { openDuckDb }, { defaultChangeContext }] = await Promise.all([import('../rollout/rollout-controller.js'), import('../store/duckdb/engine.js'), import('../store/audit-log.js')]);
          const rolloutGate = gate('rollout-controller');
          const controller = startRolloutController(
            workspace,
            openDuckDb,
            () => ({ ...defaultChangeContext('rollout controller'), actor: 'rollout-controller' }),
            rolloutSeconds * 1000,
            (line) => environment.streams.stderr(`${line}\n`),
            () => rolloutGate.mayRun(),
          );
          app.addHook('onClose', async () => {
            await controller.stop();
            await rolloutGate.stop();
          });
        }
        if (monitorSeconds > 0) {
          const [{ startMonitorScheduler }, { openDuckDb }, { defaultChangeContext }] = await Promise.all([import('../monitor/monitor-scheduler.js'), import('../store/duckdb/engine.js'), import('../store/audit-log.js')]);
          const monitorGate = gate('monitor-scheduler');
          const scheduler = startMonitorScheduler(
            workspace,
            openDuckDb,
            () => ({ ...defaultChangeContext('monitor scheduler'), actor: 'monitor-scheduler' }),
            monitorSeconds * 1000,
            (line) => environment.streams.stderr(`${line}\n`),
            () => monitorGate.mayRun(),
          );
          app.addHook('onClose', async () => {
            await scheduler.stop();
            await monitorGate.stop();
          });
        }
        const address = await app.listen({ port, host: options.host });
        environment.streams.stdout(`mlcycle server on ${address} (MLflow tracking URI: ${address})\n`);
        await untilStopped();
        await app.close();
        await workspace.close();
        return { text: 'server stopped', json: { stopped: true, address } };
      }),
    );
};
