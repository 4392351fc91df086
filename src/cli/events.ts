/** `mlcycle events import|count|tail|export`: the workspace's event log from the command line. */
import path from 'node:path';
import type { Command } from 'commander';
import { withAnalyticsEngine } from './analytics-option.js';
import type { RegisterCommands } from './program.js';
import { parsePositiveInteger } from './option-parsers.js';
import { withWorkspace } from './workspace-option.js';

/** Opens DuckDB for a body over the workspace's event log, closing the engine afterwards. */
function withEventReader<T>(workspace: { events: import('../store/event-store.js').EventReader }, body: (engine: import('../store/analytics.js').AnalyticsEngine, reader: import('../store/event-store.js').EventReader) => Promise<T>): Promise<T> {
  return withAnalyticsEngine((engine) => body(engine, workspace.events));
}

export const registerEvents: RegisterCommands = (program, action) => {
  const events = program.command('events').description('the event log: served predictions, exposures and business events');

  events
    .command('import <file>')
    .description('append business events from a file (CSV, NDJSON, JSON or Parquet with unit, name, value, time, idempotencyKey); all or nothing')
    .option('--format <format>', 'csv, tsv, json, ndjson or parquet (default: from the extension)')
    .action(
      action(async (environment, [file], command: Command) => {
        const { format } = command.opts<{ format?: string }>();
        return withWorkspace(environment, async (workspace) => {
          const [{ importEvents }, { loadSpec }, { knownEventNames }] = await Promise.all([
            import('../events/event-log-files.js'),
            import('../problem/load-spec.js'),
            import('../events/business-events.js'),
          ]);
          const spec = await loadSpec(workspace.specFile);
          const names = knownEventNames(spec.exists ? spec.spec : undefined);
          const writer = await workspace.openEventWriter({ maintainIntervalMs: 0 });
          try {
            const result = await withEventReader(workspace, (engine) => importEvents(engine, writer, path.resolve(environment.cwd, String(file)), { ...(format === undefined ? {} : { format }), names, now: Date.now() }));
            return { text: `imported ${result.written} events from ${String(file)}${result.duplicates > 0 ? ` (${result.duplicates} already in the log by idempotency key)` : ''}`, json: result };
          } finally {
            await writer.close();
          }
        });
      }),
    );

  events
    .command('count')
    .description('records in the log by type and event name')
    .action(
      action(async (environment) =>
        withWorkspace(environment, async (workspace) => {
          const { countEvents } = await import('../events/event-log-files.js');
          const counts = await withEventReader(workspace, (engine, reader) => countEvents(engine, reader));
          const total = counts.reduce((sum, row) => sum + row.records, 0);
          const lines = counts.map((row) => `${row.type.padEnd(11)} ${(row.name ?? '-').padEnd(24)} ${String(row.records).padStart(10)}  ${row.first} .. ${row.last}`);
          return { text: [`${total} records`, ...lines].join('\n'), json: { total, counts } };
        }),
      ),
    );

  events
    .command('tail')
    .description('the newest records')
    .option('-n, --limit <n>', 'how many', '10')
    .action(
      action(async (environment, _positional, command: Command) => {
        const limit = parsePositiveInteger(command.opts<{ limit: string }>().limit, '--limit');
        return withWorkspace(environment, async (workspace) => {
          const { tailEvents } = await import('../events/event-log-files.js');
          const rows = await withEventReader(workspace, (engine, reader) => tailEvents(engine, reader, limit));
          const text = rows.map((row) => JSON.stringify(Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null)))).join('\n');
          return { text: text === '' ? 'the event log is empty' : text, json: { records: rows } };
        });
      }),
    );

  events
    .command('export')
    .description('write every record to one file (.parquet, .csv, .ndjson)')
    .requiredOption('--out <file>', 'the file to write')
    .action(
      action(async (environment, _positional, command: Command) => {
        const { out } = command.opts<{ out: string }>();
        return withWorkspace(environment, async (workspace) => {
          const { exportEvents } = await import('../events/event-log-files.js');
          const records = await withEventReader(workspace, (engine, reader) => exportEvents(engine, reader, path.resolve(environment.cwd, out)));
          return { text: `wrote ${records} records to ${out}`, json: { records, out } };
        });
      }),
    );
};
