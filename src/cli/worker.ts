/**
 * `mlcycle worker --queue redis://HOST:PORT [--stall-seconds S]`: runs the jobs pulled from the queue
 * until stopped (Ctrl-C or SIGTERM finish the job in hand first), one at a time: tuning trials of
 * `mlcycle tune --queue` and pipeline steps of `mlcycle train --queue`, against the workspace the jobs
 * name or the one of `-C DIR` (the same workspace on another mount point).
 */
import { existsSync } from 'node:fs';
import { MlcycleError } from '../error.js';
import { untilStopped } from './interrupt.js';
import { parseSeconds, resolveFromCwd } from './option-parsers.js';
import type { RegisterCommands } from './program.js';

export const registerWorker: RegisterCommands = (program, action) => {
  program
    .command('worker')
    .description('run tuning trials and pipeline steps from a Redis queue (for `mlcycle tune/train --queue`) until stopped')
    .requiredOption('--queue <url>', 'the queue, redis://HOST:PORT')
    .option('--stall-seconds <s>', 'a job whose worker died is taken again by another worker after about this long (BullMQ lock duration and stalled check)', '30')
    .action(
      action(async (environment, _positional, command) => {
        const options = command.opts<{ queue: string; stallSeconds: string }>();
        const stallSeconds = parseSeconds(options.stallSeconds, '--stall-seconds', 1);
        const dir = environment.options.dir;
        const workspaceRoot = dir === undefined ? undefined : resolveFromCwd(environment.cwd, dir);
        if (workspaceRoot !== undefined && !existsSync((await import('../store/workspace.js')).workspacePaths(workspaceRoot).databaseFile)) throw new MlcycleError('not_found', `no mlcycle workspace at ${dir}`);
        let jobs = 0;
        // BullMQ is loaded only by the commands that use it.
        const { startQueueWorker } = await import('../train/queue-worker.js');
        const say = (text: string): void => environment.streams.stderr(`worker ${process.pid}: ${text}\n`);
        const worker = await startQueueWorker(options.queue, {
          ...(workspaceRoot === undefined ? {} : { workspaceRoot }),
          stallSeconds,
          onJob: (job, outcome) => {
            jobs++;
            say(`${job.study} trial ${job.trialNumber} ${outcome.state}${outcome.state === 'complete' ? ` value=${outcome.value}` : ''}`);
          },
          onStep: (job, outcome) => {
            const name = `${job.pipeline.name} step ${job.step.name} (run ${job.runId})`;
            if (outcome.state === 'started') return say(`${name} started`);
            jobs++;
            say(outcome.state === 'failed' ? `${name} failed: ${outcome.error}` : `${name} ${outcome.reused ? 'was cached' : 'computed'} in ${outcome.seconds.toFixed(2)} s`);
          },
        });
        say(`${worker.id} waiting for trials and pipeline steps on ${options.queue}`);
        await untilStopped();
        await worker.close();
        return { text: `worker ${process.pid}: ran ${jobs} job(s)`, json: { pid: process.pid, id: worker.id, jobs } };
      }),
    );
};
