/** `mlcycle status`: the lifecycle board. */
import { formatBoard } from './format-board.js';
import type { RegisterCommands } from './program.js';
import { withWorkspace } from './workspace-option.js';

export const registerStatus: RegisterCommands = (program, action) => {
  program
    .command('status')
    .description('show the ten lifecycle stages: state, evidence and the next step')
    .action(
      action(async (environment) => {
        const { readBoard } = await import('../lifecycle.js');
        return withWorkspace(environment, async (workspace) => {
          const board = await readBoard(workspace, environment.context);
          return { text: formatBoard(board), json: board };
        });
      }),
    );
};
