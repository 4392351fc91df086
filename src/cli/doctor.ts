/** `mlcycle doctor [--repair]`: checks the workspace's database and artifact blobs (src/cli/workspace-doctor.ts). */
import type { Command } from 'commander';
import type { RegisterCommands } from './program.js';
import { withWorkspace } from './workspace-option.js';

export const registerDoctor: RegisterCommands = (program, action) => {
  program
    .command('doctor')
    .description('check the workspace: database integrity, artifact blobs against their records, orphans, staging leftovers')
    .option('--repair', 'remove stale staging leftovers and orphan blobs, move damaged blobs to .quarantine/')
    .action(
      action(async (environment, _positional, command: Command) => {
        const repair = command.opts<{ repair?: boolean }>().repair === true;
        const { examineWorkspace, remainsAProblem } = await import('./workspace-doctor.js');
        return withWorkspace(environment, async (workspace) => {
          const findings = await examineWorkspace(workspace, { repair, now: environment.context.now() });
          const remaining = findings.filter(remainsAProblem);
          const lines = findings.map((finding) => `${finding.kind}: ${finding.subject}: ${finding.detail}${finding.repaired === undefined ? '' : ` (repaired: ${finding.repaired})`}`);
          const summary = remaining.length === 0 ? (findings.length === 0 ? 'workspace is sound' : 'every problem found was repaired') : `${remaining.length} problem(s) remain${repair ? '' : '; `mlcycle doctor --repair` fixes what is safe to fix'}`;
          return { text: [...lines, summary].join('\n'), json: { findings, remaining: remaining.length }, exitCode: remaining.length === 0 ? 0 : 1 };
        });
      }),
    );
};
