/** `mlcycle simulate`: replays a dataset through a running prediction service with simulated customers. */
import path from 'node:path';
import type { Command } from 'commander';
import { MlcycleError } from '../error.js';
import { parsePositiveInteger, parseWholeNumber } from './option-parsers.js';
import type { RegisterCommands } from './program.js';
import { withWorkspace } from './workspace-option.js';

interface SimulateOptions {
  url: string;
  endpoint: string;
  data: string;
  responses: string;
  model?: string[];
  limit?: string;
  concurrency: string;
  rate?: string;
  timeColumn?: string;
  speedup: string;
  seed?: string;
}

function positiveNumber(text: string, option: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) throw new MlcycleError('usage', `${option}: expected a positive number, got "${text}"`);
  return value;
}

export const registerSimulate: RegisterCommands = (program, action) => {
  program
    .command('simulate')
    .description('replay a dataset version through a running prediction service as real requests, and post the business events a customer-response model (YAML) says customers cause')
    .requiredOption('--url <address>', 'the prediction service, e.g. http://127.0.0.1:8080')
    .requiredOption('--endpoint <name>', 'the endpoint (model name) requests go to; running experiments on it pick the arm')
    .requiredOption('--data <dataset>', 'the dataset version to replay: NAME or NAME@N')
    .requiredOption('--responses <file>', 'the customer-response model (YAML)')
    .option('--model <ref...>', 'the models whose inputs are sent (default: the arms of the running experiments on the endpoint, else ENDPOINT@champion)')
    .option('--limit <n>', 'replay at most this many rows')
    .option('--concurrency <n>', 'requests in flight at once', '16')
    .option('--rate <n>', 'at most this many requests per second')
    .option('--time-column <column>', 'replay in the order of this column, on a compressed clock (see --speedup)')
    .option('--speedup <factor>', 'with --time-column: simulated seconds per real second', '3600')
    .option('--seed <n>', 'the response model\'s seed (overrides the file\'s)')
    .action(
      action(async (environment, _positional, command: Command) => {
        const options = command.opts<SimulateOptions>();
        const concurrency = parsePositiveInteger(options.concurrency, '--concurrency');
        const limit = options.limit === undefined ? undefined : parsePositiveInteger(options.limit, '--limit');
        const rate = options.rate === undefined ? undefined : positiveNumber(options.rate, '--rate');
        const speedup = positiveNumber(options.speedup, '--speedup');
        const seed = options.seed === undefined ? undefined : parseWholeNumber(options.seed, '--seed', 'a whole number', { min: 0, max: 2 ** 32 - 1 });
        let url: URL;
        try {
          url = new URL(options.url);
        } catch {
          throw new MlcycleError('usage', `--url: "${options.url}" is not an address (e.g. http://127.0.0.1:8080)`);
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new MlcycleError('usage', `--url: expected http or https, got ${url.protocol}`);
        const [{ readInputText }, { parseResponseModel }] = await Promise.all([import('../input-file.js'), import('../experiment/response-model.js')]);
        const file = path.resolve(environment.cwd, options.responses);
        let text: string;
        try {
          text = await readInputText(file, 'responseModel', options.responses);
        } catch (error) {
          if (error instanceof MlcycleError) throw error;
          throw new MlcycleError('not_found', `${options.responses}: file not found`, { cause: error });
        }
        const model = parseResponseModel(text, options.responses);
        if (seed !== undefined) model.seed = seed;
        return withWorkspace(environment, async (workspace) => {
          const [{ loadSpec, requireValidSpec }, { readReplayRows }, { replayTraffic }, { openDuckDb }] = await Promise.all([
            import('../problem/load-spec.js'),
            import('../experiment/simulate-source.js'),
            import('../experiment/simulate-traffic.js'),
            import('../store/duckdb/engine.js'),
          ]);
          const spec = requireValidSpec(await loadSpec(workspace.specFile));
          const running = (await workspace.experiments.list()).filter((record) => record.state === 'running' && (record.definition as { endpoint?: string }).endpoint === options.endpoint);
          const armModels = running.flatMap((record) => ((record.definition as { arms?: { model?: string }[] }).arms ?? []).flatMap((arm) => (arm.model === undefined ? [] : [arm.model])));
          const models = options.model ?? (armModels.length > 0 ? [...new Set(armModels)] : [`${options.endpoint}@champion`]);
          const engine = await openDuckDb();
          let source;
          try {
            source = await readReplayRows(workspace, engine, spec, { dataset: options.data, models, ...(limit === undefined ? {} : { limit }), ...(options.timeColumn === undefined ? {} : { orderBy: options.timeColumn }) });
          } finally {
            await engine.close();
          }
          const result = await replayTraffic({
            url: url.origin,
            endpoint: options.endpoint,
            rows: source.rows,
            features: source.features,
            model,
            concurrency,
            ...(rate === undefined ? {} : { rate }),
            ...(options.timeColumn === undefined ? {} : { clock: { column: options.timeColumn, speedup } }),
            ...(process.env.MLCYCLE_TOKEN === undefined ? {} : { headers: { authorization: `Bearer ${process.env.MLCYCLE_TOKEN}` } }),
          });
          const arms = Object.entries(result.arms).map(([arm, count]) => `${arm} ${count}`).join(', ');
          const events = Object.entries(result.events).map(([name, count]) => `${name} ${count}`).join(', ');
          const text = [
            `replayed ${result.requests.toLocaleString('en-US')} rows of ${source.dataset} through ${url.origin}/api/v1/predict/${options.endpoint} in ${result.seconds.toFixed(1)} s (${Math.round(result.requestsPerSecond).toLocaleString('en-US')} requests/s)`,
            `arms: ${arms || 'none (no running experiment took these units)'}${result.unassigned > 0 ? `; ${result.unassigned} requests outside any experiment` : ''}`,
            `simulated events posted: ${result.eventsSent.toLocaleString('en-US')} (${events || 'none'})`,
          ];
          return { text: text.join('\n'), json: result };
        });
      }),
    );
};
