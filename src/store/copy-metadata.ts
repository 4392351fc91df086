/**
 * Copies a workspace's metadata between its two backends (the SQLite file and a team's PostgreSQL), for
 * `mlcycle migrate`: every table of the shared schema, rows with their ids, in one transaction on the
 * target; then each table's row count and a digest of its rows are compared on both sides. The target
 * must be empty (a fresh database; its migrations' own seed row, the Default experiment, is replaced).
 *
 * Not copied: the tuning studies (their store is synchronous and stays in each machine's SQLite file, see
 * workspace.ts), the leases (a server's, never a workspace's) and the migration bookkeeping.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { MlcycleError } from '../error.js';
import type { Database } from './sqlite/database.js';
import { onPostgres } from './sqlite/dialect.js';

const SKIPPED = new Set(['tuning_studies', 'tuning_trials', 'tuning_trial_values', 'leases', 'kysely_migration', 'kysely_migration_lock']);
/** Rows per insert: PostgreSQL takes at most 65,535 parameters in one statement. */
const PARAMETERS_PER_INSERT = 30_000;

// The copy works on tables by name, whatever their columns: the typed Database has no use here.
type AnyDb = Kysely<Record<string, Record<string, unknown>>>;
type Row = Record<string, unknown>;

export interface TableCopy {
  table: string;
  rows: number;
  /** SHA-256 over the table's rows, each written canonically, in sorted order: equal on both sides. */
  digest: string;
}

/** The tables to copy, parents before the tables whose foreign keys name them (from PostgreSQL's catalog). */
async function tablesInOrder(postgres: AnyDb): Promise<string[]> {
  const tables = (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(postgres)).rows
    .map((row) => row.name)
    .filter((name) => !SKIPPED.has(name))
    .sort();
  const edges = (
    await sql<{ child: string; parent: string }>`select c.relname as child, p.relname as parent from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid where k.contype = 'f' and c.relnamespace = current_schema()::regnamespace`.execute(postgres)
  ).rows;
  const ordered: string[] = [];
  const placed = new Set<string>();
  const visit = (table: string, path: readonly string[]): void => {
    if (placed.has(table) || path.includes(table)) return;
    for (const edge of edges) if (edge.child === table && edge.parent !== table && tables.includes(edge.parent)) visit(edge.parent, [...path, table]);
    placed.add(table);
    ordered.push(table);
  };
  for (const table of tables) visit(table, []);
  return ordered;
}

/** A value as the same text whichever database returned it (bytea and blob as hex, numbers as JavaScript prints them). */
function canonical(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return `x${Buffer.from(value).toString('hex')}`;
  return String(value);
}

async function tableDigest(db: AnyDb, table: string): Promise<TableCopy> {
  const rows = await db.selectFrom(table).selectAll().execute();
  const lines = rows.map((row) => JSON.stringify(Object.keys(row).sort().map((column) => [column, canonical(row[column])]))).sort();
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line).update('\n');
  return { table, rows: rows.length, digest: hash.digest('hex') };
}

/** What the target holds already, beyond its migrations' seed; empty when it may be copied into. */
async function targetContents(target: AnyDb, tables: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const table of tables) {
    let query = target.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('count'));
    if (table === 'experiments') query = query.where('id', '!=', 0);
    const { count } = (await query.executeTakeFirstOrThrow()) as { count: number | string };
    if (Number(count) > 0) found.push(`${table} (${Number(count)} rows)`);
  }
  return found;
}

/** Throws `conflict` naming what `target` holds unless it is empty; returns the tables a copy would fill. */
export async function checkMetadataTarget(source: Kysely<Database>, target: Kysely<Database>, targetName: string): Promise<string[]> {
  const toPostgres = onPostgres(target);
  const tables = await tablesInOrder((toPostgres ? target : source) as unknown as AnyDb);
  const occupied = await targetContents(target as unknown as AnyDb, tables);
  if (occupied.length > 0) {
    throw new MlcycleError('conflict', `${targetName} is not empty: it holds ${occupied.slice(0, 5).join(', ')}${occupied.length > 5 ? ` and ${occupied.length - 5} more tables` : ''}; migrate into a new, empty database`);
  }
  return tables;
}

/**
 * Copies every metadata table from `source` to `target` (one SQLite, the other PostgreSQL; both migrated
 * to the same schema), then checks counts and digests table by table. Throws `conflict` naming what the
 * target holds when it is not empty, and copies nothing then.
 */
export async function copyMetadata(source: Kysely<Database>, target: Kysely<Database>, targetName: string): Promise<TableCopy[]> {
  const from = source as unknown as AnyDb;
  const to = target as unknown as AnyDb;
  const toPostgres = onPostgres(target);
  if (toPostgres === onPostgres(source)) throw new MlcycleError('usage', 'mlcycle migrate copies between SQLite and PostgreSQL: the source and the target are the same kind');
  const tables = await checkMetadataTarget(source, target, targetName);
  // SQLite checks foreign keys row by row and cannot defer them inside a transaction: the order above
  // is parent first anyway, but a table naming itself (a run's parent run) could still trip it.
  if (!toPostgres) await sql`pragma foreign_keys = off`.execute(to);
  try {
    return await to.transaction().execute(async (trx) => {
      await trx.deleteFrom('experiments').where('id', '=', 0).execute();
      for (const table of tables) {
        const rows = (await from.selectFrom(table).selectAll().execute()) as Row[];
        if (rows.length === 0) continue;
        const columns = Object.keys(rows[0] as Row).length;
        const batch = Math.max(1, Math.floor(PARAMETERS_PER_INSERT / Math.max(1, columns)));
        for (let start = 0; start < rows.length; start += batch) await trx.insertInto(table).values(rows.slice(start, start + batch)).execute();
      }
      // Identity columns continue after the copied ids.
      if (toPostgres) {
        const identities = (await sql<{ table: string; column: string }>`select table_name as table, column_name as column from information_schema.columns where table_schema = current_schema() and is_identity = 'YES'`.execute(trx)).rows;
        for (const { table, column } of identities) {
          if (!tables.includes(table)) continue;
          await sql`select setval(pg_get_serial_sequence(${table}, ${column}), coalesce((select max(${sql.ref(column)}) from ${sql.table(table)}), 0) + 1, false)`.execute(trx);
        }
      }
      // Checked before the commit: a copy that differs (or a source written to meanwhile) leaves the target as it was.
      const checked: TableCopy[] = [];
      for (const table of tables) {
        const [a, b] = [await tableDigest(from, table), await tableDigest(trx, table)];
        if (a.rows !== b.rows || a.digest !== b.digest) {
          throw new MlcycleError('check_failed', `the copy of table ${table} differs from its source (${a.rows} rows, SHA-256 ${a.digest.slice(0, 12)}, against ${b.rows} rows, ${b.digest.slice(0, 12)}, in ${targetName}); nothing was written. Was the workspace in use? Stop its servers and try again`);
        }
        checked.push(b);
      }
      return checked;
    });
  } finally {
    if (!toPostgres) await sql`pragma foreign_keys = on`.execute(to);
  }
}
