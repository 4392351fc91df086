/** `mlcycle log`: the audit log, newest first. */
import type { AuditEntry } from '../store/audit-log.js';
import { formatTable } from './output.js';
import type { RegisterCommands } from './program.js';
import { parsePositiveInteger } from './option-parsers.js';
import { withWorkspace } from './workspace-option.js';

/** One line from an entry's details: the parts people look for first. */
function describeDetails(entry: AuditEntry): string {
  const { changes, applied, rows, source, parents, passed, failed } = entry.details;
  if (Array.isArray(changes)) return changes.join('; ');
  if (Array.isArray(applied)) return `applied ${applied.join(', ')}`;
  if (typeof rows === 'number') {
    const origin = typeof source === 'string' ? `from ${source}` : Array.isArray(parents) ? `from ${parents.join(', ')}` : '';
    return `${rows.toLocaleString('en-US')} rows ${origin}`.trim();
  }
  if (typeof passed === 'boolean') return passed ? 'passed' : `failed: ${Array.isArray(failed) ? failed.join('; ') : ''}`;
  return '';
}

export const registerLog: RegisterCommands = (program, action) => {
  program
    .command('log')
    .description('show the audit log: who changed what, when and why')
    .option('-n, --limit <count>', 'show at most this many entries', '50')
    .option('--action <prefix>', 'only actions starting with this, e.g. spec.')
    .action(
      action(async (environment, _positional, command) => {
        const options = command.opts<{ limit: string; action?: string }>();
        const limit = parsePositiveInteger(options.limit, '--limit');
        const query = options.action === undefined ? { limit } : { limit, actionPrefix: options.action };
        const entries = await withWorkspace(environment, (workspace) => workspace.audit.list(query));
        const rows = entries.map((entry) => [
          entry.at.replace(/\.\d{3}Z$/, 'Z'),
          entry.actor,
          entry.action,
          entry.subject,
          [describeDetails(entry), entry.reason === undefined ? '' : `why: ${entry.reason}`].filter((part) => part !== '').join('  '),
        ]);
        return { text: entries.length === 0 ? 'the audit log is empty' : formatTable(rows), json: entries };
      }),
    );
};
