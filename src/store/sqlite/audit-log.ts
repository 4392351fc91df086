/** The audit log in the SQLite metadata database. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AuditEntry, AuditLog, AuditQuery, ChangeContext, NewAuditEntry } from '../audit-log.js';
import type { AuditLogTable, Database } from './database.js';

/** Appends an entry; call it inside the transaction that makes the change it describes. */
export async function appendAuditEntry(
  db: Kysely<Database> | Transaction<Database>,
  entry: NewAuditEntry,
  context: ChangeContext,
): Promise<AuditEntry> {
  const row = await db
    .insertInto('audit_log')
    .values({
      at: context.now().toISOString(),
      actor: context.actor,
      action: entry.action,
      subject: entry.subject,
      details: JSON.stringify(entry.details ?? {}),
      reason: context.reason ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAuditEntry(row);
}

function toAuditEntry(row: { [K in keyof AuditLogTable]: K extends 'id' ? number : AuditLogTable[K] }): AuditEntry {
  const entry: AuditEntry = {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
  if (row.reason !== null) entry.reason = row.reason;
  return entry;
}

export class SqliteAuditLog implements AuditLog {
  constructor(private readonly db: Kysely<Database>) {}

  async list(query: AuditQuery = {}): Promise<AuditEntry[]> {
    let select = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc');
    if (query.actionPrefix !== undefined) {
      // A prefix compare instead of LIKE, so that `_` and `%` in the prefix are literal.
      const prefix = query.actionPrefix;
      select = select.where(sql<boolean>`substr(action, 1, ${prefix.length}) = ${prefix}`);
    }
    if (query.limit !== undefined) select = select.limit(query.limit);
    const rows = await select.execute();
    return rows.map(toAuditEntry);
  }

  append(entry: NewAuditEntry, context: ChangeContext): Promise<AuditEntry> {
    return appendAuditEntry(this.db, entry, context);
  }
}
