/**
 * `mlcycle demo [dir]`: the end-to-end demo on flight data, then its workspace served with the web UI until
 * interrupted (`npm start` runs it); `--no-serve` stops after the lifecycle and prints the board.
 */
import type { Command } from 'commander';
import { formatBoard } from './format-board.js';
import { untilStopped } from './interrupt.js';
import type { RegisterCommands } from './program.js';

export const registerDemo: RegisterCommands = (program, action) => {
  program
    .command('demo')
    .description('run the flight-delay alert demo in a new temporary folder (or DIR), show its board, then serve the web UI on it until interrupted')
    .argument('[dir]', 'where to create the demo workspace (default: a new temporary folder)')
    .option('--no-serve', 'stop after the lifecycle and print the board (for scripts and CI)')
    .action(
      action(async (environment, positional, command: Command) => {
        const [dir] = positional as [string | undefined];
        const { runDemo } = await import('../demo/run-demo.js');
        const result = await runDemo({ ...(dir === undefined ? {} : { dir }), context: environment.context, log: (line) => environment.streams.stderr(`${line}\n`) });
        if (command.opts<{ serve: boolean }>().serve === false) return { text: formatBoard(result.board), json: result };
        environment.streams.stdout(`${formatBoard(result.board)}\n`);
        const [{ openWorkspace }, { buildServer }] = await Promise.all([import('../store/workspace.js'), import('../server/app.js')]);
        const workspace = await openWorkspace(result.root, environment.context);
        const app = buildServer({ workspace, logError: (error) => environment.streams.stderr(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`) });
        try {
          const address = await app.listen({ port: 0, host: '127.0.0.1' });
          environment.streams.stdout(`\nthe web UI on the demo's workspace: ${address}/ (Ctrl-C stops it; \`mlcycle demo --no-serve\` does not serve)\n`);
          await untilStopped();
        } finally {
          await app.close();
          await workspace.close();
        }
        return { text: 'demo server stopped', json: { root: result.root } };
      }),
    );
};
