/** Runs the built `mlcycle` command as a user would, in its own process. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `mlcycle ARGS` in a folder (for a minute at most, unless told); `npm test` builds dist first. */
export function runMlcycle(args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): CliRun {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` (npm test does)`);
  const result = spawnSync(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd,
    env: { ...process.env, TZ: 'UTC', MLCYCLE_USER: 'ana', ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  if (result.error !== undefined) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `mlcycle ARGS` without blocking this process, so that servers in the test (a webhook receiver) can answer it. */
export function runMlcycleAsync(args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CliRun> {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` (npm test does)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: options.cwd, env: { ...process.env, TZ: 'UTC', MLCYCLE_USER: 'ana', ...options.env }, timeout: options.timeoutMs ?? 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Starts `mlcycle server --port 0 [ARGS]` in a folder and resolves with its address once it listens. */
export async function startServerProcess(cwd: string, env: Record<string, string> = {}, args: readonly string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CLI_PATH, 'server', '--port', '0', ...args], { cwd, env: { ...process.env, TZ: 'UTC', MLCYCLE_USER: 'ana', ...env } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /on (http:\/\/[^\s]+) /.exec(output);
        if (match !== null) resolve(match[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${stderr}`)));
    });
    return { url, stop, kill, pid: child.pid as number, stderr: () => stderr };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface ServerProcess {
  url: string;
  /** SIGTERM, and waits for the exit. */
  stop: () => Promise<void>;
  /** SIGKILL, and waits for the exit. */
  kill: () => Promise<void>;
  pid: number;
  /** What the server wrote to stderr so far. */
  stderr: () => string;
}
