/**
 * `mlcycle worker --queue redis://HOST:PORT`: evaluates tuning trials pulled from the queue until stopped
 * (Ctrl-C or SIGTERM finish the trial in hand first), against the metadata store the jobs name or the one
 * of `-C DIR`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MlcycleError } from '../error.js';
import type { RegisterCommands } from './program.js';

export const registerWorker: RegisterCommands = (program, action) => {
  program
    .command('worker')
    .description('run tuning trials from a Redis queue (for `mlcycle tune --queue`) until stopped')
    .requiredOption('--queue <url>', 'the queue, redis://HOST:PORT')
    .action(
      action(async (environment, _positional, command) => {
        const { queue } = command.opts<{ queue: string }>();
        const dir = environment.options.dir;
        const databaseFile = dir === undefined ? undefined : (await import('../store/workspace.js')).workspacePaths(path.resolve(environment.cwd, dir)).databaseFile;
        if (databaseFile !== undefined && !existsSync(databaseFile)) throw new MlcycleError('not_found', `no mlcycle workspace at ${dir}`);
        let jobs = 0;
        // BullMQ is loaded only by the commands that use it.
        const { startQueueWorker } = await import('../train/tune/queue.js');
        const worker = await startQueueWorker(queue, {
          ...(databaseFile === undefined ? {} : { databaseFile }),
          onJob: (job, outcome) => {
            jobs++;
            environment.streams.stderr(`worker ${process.pid}: ${job.study} trial ${job.trialNumber} ${outcome.state}${outcome.state === 'complete' ? ` value=${outcome.value}` : ''}\n`);
          },
        });
        environment.streams.stderr(`worker ${process.pid}: waiting for trials on ${queue}\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await worker.close();
        return { text: `worker ${process.pid}: ran ${jobs} trial(s)`, json: { pid: process.pid, jobs } };
      }),
    );
};
