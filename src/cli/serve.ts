/** `mlcycle serve`: the prediction service on the workspace, until interrupted. */
import type { Command } from 'commander';
import { MlcycleError } from '../error.js';
import type { RegisterCommands } from './program.js';
import { untilStopped } from './interrupt.js';
import { parsePositiveInteger, parseWholeNumber } from './option-parsers.js';
import { openCommandWorkspace } from './workspace-option.js';

interface ServeOptions {
  port: string;
  host: string;
  model?: string;
  fsync?: boolean;
  log: boolean;
  logInputs: string;
  maxBatchRows: string;
  retentionDays?: string;
}

export const registerServe: RegisterCommands = (program, action) => {
  program
    .command('serve')
    .description('serve predictions of registered models (POST /api/v1/predict/NAME[@ALIAS|/VERSION], MLflow\'s /invocations), recording each in the event log')
    .option('--port <port>', 'the TCP port (0 picks a free one)', '8080')
    .option('--host <address>', 'the address to bind', '127.0.0.1')
    .option('--model <ref>', 'the model /invocations answers with, loaded before the service is ready: NAME, NAME@ALIAS or NAME/VERSION')
    .option('--fsync', 'acknowledge a request only once its record is on disk (survives power loss; group commit)')
    .option('--no-log', 'do not record predictions (and accept no events)')
    .option('--log-inputs <mode>', 'what a prediction record keeps of the inputs: full, digest or none', 'full')
    .option('--max-batch-rows <n>', 'the most rows one request may hold (larger: 413)', '10000')
    .option('--retention-days <n>', 'delete sealed event files older than this')
    .action(
      action(async (environment, _positional, command: Command) => {
        const options = command.opts<ServeOptions>();
        const port = parseWholeNumber(options.port, '--port', '0 to 65535', { min: 0, max: 65535 });
        if (!['full', 'digest', 'none'].includes(options.logInputs)) throw new MlcycleError('usage', `--log-inputs: expected full, digest or none, got "${options.logInputs}"`);
        const maxBatchRows = parsePositiveInteger(options.maxBatchRows, '--max-batch-rows');
        const retentionDays = options.retentionDays === undefined ? undefined : parsePositiveInteger(options.retentionDays, '--retention-days');
        const [{ buildPredictionService }, { loadSpec }, { knownEventNames }] = await Promise.all([import('../serve/prediction-service.js'), import('../problem/load-spec.js'), import('../events/business-events.js')]);
        const workspace = await openCommandWorkspace(environment);
        const spec = await loadSpec(workspace.specFile);
        const names = knownEventNames(spec.exists ? spec.spec : undefined);
        const app = await buildPredictionService(
          workspace,
          {
            log: options.log,
            durability: options.fsync === true ? 'fsync' : 'process',
            logInputs: options.logInputs as 'full' | 'digest' | 'none',
            maxBatchRows,
            eventNames: () => names,
            ...(options.model === undefined ? {} : { defaultModel: options.model }),
            ...(retentionDays === undefined ? {} : { retentionDays }),
          },
          '0.1.0',
        ).catch(async (error: unknown) => {
          await workspace.close();
          throw error;
        });
        const address = await app.listen({ port, host: options.host });
        environment.streams.stdout(`mlcycle serve on ${address} (predict: POST ${address}/api/v1/predict/NAME; events: POST ${address}/api/v1/events)\n`);
        await untilStopped();
        await app.close();
        await workspace.close();
        return { text: 'service stopped', json: { stopped: true, address } };
      }),
    );
};
