/** `mlcycle spec check`: every problem of the spec at once, with file, line and field path. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MlcycleError } from '../error.js';
import type { RegisterCommands } from './program.js';
import { resolveRoot } from './workspace-option.js';

export const registerSpec: RegisterCommands = (program, action) => {
  const spec = program.command('spec').description('the problem spec, mlcycle.yaml');
  spec
    .command('check')
    .description('validate mlcycle.yaml and list every problem with its line and field path (exit code 2 if any)')
    .argument('[file]', 'the spec file (default: mlcycle.yaml in the workspace)')
    .action(
      action(async (environment, positional) => {
        const [file] = positional as [string | undefined];
        const [{ requireValidSpec, loadSpec, SPEC_FILE_NAME }, { recordSpecIfChanged }, { openWorkspace, STATE_DIR_NAME }] = await Promise.all([
          import('../problem/load-spec.js'),
          import('../problem/record-spec.js'),
          import('../store/workspace.js'),
        ]);
        const root = await resolveRoot(environment);
        const specFile = file === undefined ? path.join(root, SPEC_FILE_NAME) : path.resolve(environment.cwd, file);
        const check = await loadSpec(specFile);
        // A file named on the command line that is not there is a typo, not a workspace to initialise.
        if (file !== undefined && !check.exists) throw new MlcycleError('not_found', `${file}: the file does not exist (${specFile})`);
        const valid = requireValidSpec(check);
        // A valid spec that belongs to a workspace is recorded there when it changed.
        const specRoot = path.dirname(specFile);
        let changes: string[] | undefined;
        if (existsSync(path.join(specRoot, STATE_DIR_NAME))) {
          const workspace = await openWorkspace(specRoot, environment.context);
          try {
            changes = await recordSpecIfChanged(workspace.specHistory, check, environment.context);
          } finally {
            await workspace.close();
          }
        }
        const hash = check.exists ? check.hash : '';
        const primary = valid.successMetrics.filter((metric) => metric.role === 'primary').map((metric) => metric.id);
        const lines = [
          `${specFile}: valid`,
          `  ${valid.name}: ${valid.task} task, target ${valid.target.column}, ${valid.successMetrics.length} success metric(s), primary: ${primary.join(', ') || 'none'}`,
        ];
        if (changes !== undefined) lines.push(`  recorded spec version ${hash.slice(0, 12)}: ${changes.join('; ')}`);
        return { text: lines.join('\n'), json: { file: specFile, valid: true, hash, recorded: changes !== undefined, changes: changes ?? [], spec: valid } };
      }),
    );
};
