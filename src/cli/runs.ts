/** `mlcycle runs list|show|compare`: tracked runs (stage 6). */
import type { Command } from 'commander';
import { MlcycleError } from '../error.js';
import { compareRuns, filterFields, formatComparison, formatRunDetails, formatRunList } from './format-runs.js';
import type { RegisterCommands } from './program.js';
import { SERVER_OPTION_HELP, withTrackingSource } from './tracking-source.js';
import { collect, parsePositiveInteger } from './option-parsers.js';


interface ListOptions {
  experiment: string[];
  filter?: string;
  orderBy: string[];
  max: string;
  pageToken?: string;
  columns?: string;
  deleted: boolean;
  all: boolean;
  server?: string;
}

export const registerRuns: RegisterCommands = (program, action) => {
  const runs = program.command('runs').description('tracked training runs: search, inspect and compare');
  runs
    .command('list')
    .description("search runs with MLflow's filter syntax plus OR, parentheses and IN")
    .option('-e, --experiment <name>', 'only runs of this experiment (repeatable)', collect, [])
    .option('-f, --filter <text>', "e.g. \"metrics.auc > 0.8 and params.lr = '0.1'\"")
    .option('-o, --order-by <field>', 'e.g. "metrics.auc DESC" (repeatable)', collect, [])
    .option('-n, --max <count>', 'runs per page', '50')
    .option('--page-token <token>', 'the next page of an earlier search (same filter and ordering)')
    .option('--columns <fields>', 'comma-separated fields to show, e.g. metrics.auc,params.lr (default: those in the filter and ordering)')
    .option('--deleted', 'deleted runs instead of active ones', false)
    .option('--all', 'active and deleted runs', false)
    .option('--server <url>', SERVER_OPTION_HELP)
    .action(
      action(async (environment, _positional, command: Command) => {
        const options = command.opts<ListOptions>();
        const maxResults = parsePositiveInteger(options.max, '--max');
        if (options.deleted && options.all) throw new MlcycleError('usage', '--deleted and --all exclude each other');
        // Parse here too, so that bad text fails before the workspace is opened.
        const { parseFilter, parseOrderBy } = await import('../tracking/search/parse-filter.js');
        const filter = options.filter === undefined ? undefined : parseFilter(options.filter);
        const orders = parseOrderBy(options.orderBy);
        const columns = options.columns === undefined ? undefined : parseOrderBy(options.columns.split(',').filter((part) => part.trim() !== '')).map((order) => order.field);
        return withTrackingSource(environment, options.server, async (source) => {
          const page = await source.searchRuns({
            experiments: options.experiment,
            ...(options.filter === undefined ? {} : { filter: options.filter }),
            orderBy: options.orderBy,
            maxResults,
            ...(options.pageToken === undefined ? {} : { pageToken: options.pageToken }),
            lifecycle: options.all ? 'all' : options.deleted ? 'deleted' : 'active',
          });
          const names = await source.experimentNames();
          const fields = columns ?? [...filterFields(filter), ...orders.map((order) => order.field).filter((field) => field.entity !== 'attribute')];
          const more = page.nextPageToken === undefined ? '' : `\nmore runs match: add --page-token ${page.nextPageToken}`;
          const text = page.runs.length === 0 ? 'no runs match' : `${formatRunList(page.runs, names, fields)}${more}`;
          return { text, json: { runs: page.runs, nextPageToken: page.nextPageToken ?? null } };
        });
      }),
    );
  runs
    .command('show')
    .description('one run: status, times, source, params, latest metrics, tags, dataset inputs, artifacts')
    .argument('<run>', 'a run id or at least 6 of its first hex digits')
    .option('--server <url>', SERVER_OPTION_HELP)
    .action(
      action(async (environment, positional, command: Command) => {
        const [reference] = positional as [string];
        return withTrackingSource(environment, command.opts<{ server?: string }>().server, async (source) => {
          const run = await source.resolveRun(reference);
          const experimentName = (await source.experimentNames()).get(run.experimentId);
          const artifacts = await source.listArtifacts(run.id, '');
          return { text: formatRunDetails(run, experimentName ?? run.experimentId, artifacts), json: { ...run, experimentName: experimentName ?? null, artifacts } };
        });
      }),
    );
  runs
    .command('compare')
    .description('runs side by side: params and latest metrics, differing rows marked with *')
    .argument('<runs...>', 'two or more run ids or id prefixes')
    .option('--server <url>', SERVER_OPTION_HELP)
    .action(
      action(async (environment, positional, command: Command) => {
        const [references] = positional as [string[]];
        if (references.length < 2) throw new MlcycleError('usage', 'compare needs at least two runs');
        return withTrackingSource(environment, command.opts<{ server?: string }>().server, async (source) => {
          const found = [];
          for (const reference of references) found.push(await source.resolveRun(reference));
          const comparison = compareRuns(found);
          return { text: formatComparison(comparison), json: comparison };
        });
      }),
    );
};
