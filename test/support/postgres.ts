/**
 * A fresh PostgreSQL database per test on the machine's server (127.0.0.1:5432, trust authentication;
 * MLCYCLE_TEST_POSTGRES overrides the admin URI), dropped when the test finishes.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const ADMIN_URI = process.env.MLCYCLE_TEST_POSTGRES ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function admin<T>(body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URI });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  uri: string;
  /** Drops the database, ending any connection still open on it. */
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `mlcycle_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`create database ${name}`));
  const url = new URL(ADMIN_URI);
  url.pathname = `/${name}`;
  return {
    uri: url.toString(),
    drop: () => admin((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
