/** `mlcycle demo [dir]`: the end-to-end demo on flight data; `npm start` runs it. */
import { formatBoard } from './format-board.js';
import type { RegisterCommands } from './program.js';

export const registerDemo: RegisterCommands = (program, action) => {
  program
    .command('demo')
    .description('run the flight-delay alert demo in a new temporary folder (or DIR) and show its board')
    .argument('[dir]', 'where to create the demo workspace (default: a new temporary folder)')
    .action(
      action(async (environment, positional) => {
        const [dir] = positional as [string | undefined];
        const { runDemo } = await import('../demo/run-demo.js');
        const result = await runDemo({ ...(dir === undefined ? {} : { dir }), context: environment.context, log: (line) => environment.streams.stderr(`${line}\n`) });
        return { text: formatBoard(result.board), json: result };
      }),
    );
};
