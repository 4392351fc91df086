/** `mlcycle init [dir] --name NAME`: a commented spec and a workspace; safe to run twice. */
import path from 'node:path';
import type { RegisterCommands } from './program.js';

export const registerInit: RegisterCommands = (program, action) => {
  program
    .command('init')
    .description('create mlcycle.yaml (a commented template) and the .mlcycle workspace; keeps what exists')
    .argument('[dir]', 'the project folder (default: the current folder, or --dir)')
    .option('--name <name>', 'the project name (default: the folder name)')
    .action(
      action(async (environment, positional, command) => {
        const [dir] = positional as [string | undefined];
        const { name } = command.opts<{ name?: string }>();
        const root = path.resolve(environment.cwd, dir ?? environment.options.dir ?? '.');
        const { initProject } = await import('../problem/init-project.js');
        const outcome = await initProject(root, { ...(name === undefined ? {} : { name }), context: environment.context });
        await outcome.workspace.close();
        const lines = [
          `${outcome.specWritten ? 'wrote' : 'kept existing'} ${outcome.workspace.specFile}`,
          `${outcome.workspaceCreated ? 'created' : 'kept existing'} workspace ${outcome.workspace.stateDir}`,
          '',
          outcome.specWritten
            ? 'next: fill in mlcycle.yaml, then run `mlcycle spec check` and `mlcycle status`'
            : 'next: `mlcycle status` shows where the project stands',
        ];
        return {
          text: lines.join('\n'),
          json: {
            root: outcome.workspace.root,
            specFile: outcome.workspace.specFile,
            stateDir: outcome.workspace.stateDir,
            specWritten: outcome.specWritten,
            workspaceCreated: outcome.workspaceCreated,
          },
        };
      }),
    );
};
