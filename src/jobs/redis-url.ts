/**
 * The `--queue redis://...` option of `mlcycle tune`, `mlcycle train` and `mlcycle worker`: its URL parsed
 * into connection options (without loading BullMQ, so that a command can check it before it starts), and
 * a quick check that a Redis answers there, because ioredis would otherwise retry in silence forever.
 */
import { MlcycleError } from '../error.js';

/** One queue for every study and pipeline: a job names its workspace and what to do (job-queue.ts). */
export const JOB_QUEUE = 'mlcycle-jobs';

export interface RedisConnection {
  host: string;
  port: number;
  password?: string;
  db?: number;
  maxRetriesPerRequest: null;
}

/** Redis connection options from a `redis://[:password@]host:port[/db]` URL; a bad URL is a usage error (exit 2). */
export function redisConnection(url: string): RedisConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MlcycleError('usage', `--queue: expected redis://HOST:PORT, got "${url}"`);
  }
  if (parsed.protocol !== 'redis:') throw new MlcycleError('usage', `--queue: expected a redis:// URL, got "${url}"`);
  const dbText = parsed.pathname.length > 1 ? parsed.pathname.slice(1) : undefined;
  const db = dbText === undefined ? undefined : Number(dbText);
  if (db !== undefined && !(Number.isInteger(db) && db >= 0)) throw new MlcycleError('usage', `--queue: the database number after the port must be a whole number, got "${dbText}" in "${url}"`);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(db === undefined ? {} : { db }),
    // BullMQ's workers block on Redis; ioredis must not give up on their commands.
    maxRetriesPerRequest: null,
  };
}

/** Connects once, without retrying, and pings; a Redis that does not answer is a usage error naming the URL. */
export async function checkRedisReachable(url: string, timeoutMs = 5000): Promise<void> {
  const { Redis } = await import('ioredis');
  // No retries and no offline queue: a refused connection fails this check at once.
  const client = new Redis({ ...redisConnection(url), lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false, disconnectTimeout: 50 });
  // The refusal itself comes as an event; connect() then rejects with only "Connection is closed".
  let refusal: Error | undefined;
  client.on('error', (error: Error) => {
    refusal ??= error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const cause: unknown = refusal ?? error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new MlcycleError('usage', `--queue: no Redis answers at ${url} (${reason})`, { cause: error });
  } finally {
    client.disconnect();
  }
}
