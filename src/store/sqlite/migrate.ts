/** Brings a metadata database to the latest schema, or to a named earlier one (for tests of upgrades). */
import { Migrator, type Kysely, type Migration } from 'kysely';
import { MlcycleError } from '../../error.js';
import type { Database } from './database.js';
import { MIGRATIONS } from './migrations.js';

export interface MigrationOutcome {
  /** Names of the migrations applied by this call, in order. */
  applied: string[];
}

/**
 * Applies pending migrations in one transaction; `target` stops at a named migration. Tests pass their
 * own migration list to check upgrades and failures.
 */
export async function migrateDatabase(
  db: Kysely<Database>,
  target?: string,
  migrations: Record<string, Migration> = MIGRATIONS,
): Promise<MigrationOutcome> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results = [] } = target === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(target);
  if (error !== undefined) {
    const message = error instanceof Error ? error.message : String(error);
    if (/corrupted migrations/.test(message)) {
      throw new MlcycleError('conflict', `the metadata database was written by a newer mlcycle (${message}); upgrade mlcycle`, { cause: error });
    }
    throw new MlcycleError('internal', `migrating the metadata database failed: ${message}`, { cause: error });
  }
  return { applied: results.filter((result) => result.status === 'Success').map((result) => result.migrationName) };
}
