/** Processes for queue tests: a real redis-server on a free port, `mlcycle worker`s, and their output. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { CLI_PATH } from './run-cli.js';

/** Every process started here, for `stopStarted` in an `afterEach` or `afterAll`. */
const started: ChildProcess[] = [];

/** Kills whatever is still running of the processes started here. */
export function stopStarted(): void {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface StartedProcess {
  child: ChildProcess;
  /** Everything it wrote so far, stdout and stderr interleaved. */
  output: () => string;
  /** Resolves once its output matches `pattern` (at once when it already does). */
  waitFor: (pattern: RegExp) => Promise<void>;
}

/** Starts a process and resolves when a line of its output matches `ready`. */
export function startUntil(command: string, args: string[], cwd: string, ready: RegExp): Promise<StartedProcess> {
  const child = spawn(command, args, { cwd, env: { ...process.env, TZ: 'UTC', MLCYCLE_USER: 'ana' } });
  started.push(child);
  let output = '';
  const waiting: { pattern: RegExp; resolve: () => void }[] = [];
  const waitFor = (pattern: RegExp): Promise<void> => (pattern.test(output) ? Promise.resolve() : new Promise((resolve) => waiting.push({ pattern, resolve })));
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      for (const waiter of waiting.filter((candidate) => candidate.pattern.test(output))) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve();
      }
      if (ready.test(output)) resolve({ child, output: () => output, waitFor });
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.on('error', (error) => reject(new Error(`${command}: ${error.message} (Debian's redis-server must be installed: .ci/run installs it)`)));
    child.on('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready: ${output}`)));
  });
}

/** Resolves with the exit code once the process has ended. */
export function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

/** A redis-server on a free port, keeping nothing on disk; resolves with its `redis://` URL. */
export async function startRedis(cwd: string): Promise<{ url: string; server: StartedProcess }> {
  const port = await freePort();
  const server = await startUntil('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], cwd, /Ready to accept connections/);
  return { url: `redis://127.0.0.1:${port}`, server };
}

/** `mlcycle worker --queue URL ...` in `cwd`, once it waits for jobs; `id` is the `HOST:PID` runs record. */
export async function startWorker(cwd: string, url: string, extra: string[] = []): Promise<StartedProcess & { id: string }> {
  const worker = await startUntil(process.execPath, [CLI_PATH, 'worker', '--queue', url, ...extra], cwd, /waiting for trials/);
  const id = /: (\S+:\d+) waiting for trials/.exec(worker.output())?.[1];
  if (id === undefined) throw new Error(`the worker did not say its id: ${worker.output()}`);
  return { ...worker, id };
}
