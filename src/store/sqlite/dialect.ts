/**
 * The Kysely stores in this folder run on SQLite and on PostgreSQL; the few statements whose SQL differs
 * between the two ask this which one is beneath.
 */
import { PostgresAdapter, type Kysely } from 'kysely';

export function onPostgres(db: Pick<Kysely<unknown>, 'getExecutor'>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
