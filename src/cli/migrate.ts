/** `mlcycle migrate --to URI [--artifacts URI]`: copies the workspace to a team's PostgreSQL and object store, or back (store/migrate-workspace.ts). */
import type { Command } from 'commander';
import type { RegisterCommands } from './program.js';
import { withWorkspace } from './workspace-option.js';

export const registerMigrate: RegisterCommands = (program, action) => {
  program
    .command('migrate')
    .description('copy the workspace\'s metadata to PostgreSQL (--to postgresql://...) and its artifacts to an object store (--artifacts s3://...), or back (--to sqlite, --artifacts files); targets must be empty; verified by row counts and digests')
    .option('--to <uri>', 'the metadata target: postgresql://user@host:port/database, or sqlite (this workspace\'s .mlcycle/metadata.db)')
    .option('--artifacts <uri>', 'the artifact target: s3://bucket/prefix (endpoint and keys from the AWS environment), or files (.mlcycle/artifacts)')
    .action(
      action(async (environment, _positional, command: Command) => {
        const options = command.opts<{ to?: string; artifacts?: string }>();
        const { migrateWorkspace } = await import('../store/migrate-workspace.js');
        return withWorkspace(environment, async (workspace) => {
          const result = await migrateWorkspace(workspace, { ...(options.to === undefined ? {} : { to: options.to }), ...(options.artifacts === undefined ? {} : { artifacts: options.artifacts }) });
          const lines: string[] = [];
          if (result.artifacts !== undefined) lines.push(`artifacts: ${result.artifacts.files} file(s), ${result.artifacts.bytes.toLocaleString('en-US')} bytes copied to ${result.artifacts.to}, each read back and its SHA-256 matched`);
          if (result.metadata !== undefined) {
            const rows = result.metadata.tables.reduce((sum, table) => sum + table.rows, 0);
            lines.push(`metadata: ${result.metadata.tables.length} tables, ${rows.toLocaleString('en-US')} rows copied to ${result.metadata.to}; row counts and digests match the source:`);
            for (const table of result.metadata.tables) if (table.rows > 0) lines.push(`  ${table.table.padEnd(28)} ${String(table.rows).padStart(9)}  sha256 ${table.digest.slice(0, 16)}`);
          }
          const next: string[] = [];
          if (options.to !== undefined) next.push(options.to === 'sqlite' ? 'unset MLCYCLE_STORE' : 'set MLCYCLE_STORE to the new database');
          if (options.artifacts !== undefined) next.push(options.artifacts === 'files' ? 'unset MLCYCLE_ARTIFACTS' : `set MLCYCLE_ARTIFACTS=${options.artifacts}`);
          lines.push(`next: ${next.join(' and ')} on every machine and process of the workspace`);
          return { text: lines.join('\n'), json: result };
        });
      }),
    );
};
