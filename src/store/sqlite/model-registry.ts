/** The model registry in the SQLite metadata database; each change writes its audit entry and event. */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { MlcycleError } from '../../error.js';
import { atOneInstant, type ChangeContext } from '../audit-log.js';
import type { ModelRegistry, ModelStage, ModelVersion, NewModelVersion, RegisteredModel, RegistryEvent, RegistryEventType, RegistryTarget } from '../model-registry.js';
import { appendAuditEntry } from './audit-log.js';
import type { Database, ModelVersionTable, RegisteredModelTable } from './database.js';
import { onPostgres } from './dialect.js';
import type { Executor } from './run-rows.js';

type VersionRow = Selectable<ModelVersionTable> & { model: string; run_id: string };

function subject(model: string, version?: number): string {
  return version === undefined ? `models:/${model}` : `models:/${model}/${version}`;
}

/** Writes a registry event and its audit entry inside the change's transaction. */
async function recordChange(
  trx: Transaction<Database>,
  context: ChangeContext,
  event: { type: RegistryEventType; model: string; version?: number; details?: Record<string, unknown> },
): Promise<void> {
  const details = event.details ?? {};
  const at = context.now().toISOString();
  const { id } = await trx
    .insertInto('registry_events')
    .values({ at, actor: context.actor, type: event.type, model: event.model, version: event.version ?? null, details: JSON.stringify(details) })
    .returning('id')
    .executeTakeFirstOrThrow();
  // The outbox: one pending delivery per active webhook that wants this event type (an empty list wants all).
  const wanted = onPostgres(trx)
    ? sql`exists (select 1 from json_array_elements_text(w.events::json) as e(value) where e.value = ${event.type})`
    : sql`exists (select 1 from json_each(w.events) where json_each.value = ${event.type})`;
  await sql`insert into webhook_deliveries (webhook_id, event_id, state, attempts, next_attempt_at, updated_at)
    select w.id, ${id}, 'pending', 0, ${at}, ${at} from webhooks w
    where w.active = 1 and (w.events = '[]' or ${wanted})`.execute(trx);
  await appendAuditEntry(trx, { action: `registry.${event.type}`, subject: subject(event.model, event.version), details }, context);
}

/**
 * Runs a delete, turning SQLite's foreign-key refusal (other records, such as offline evaluations, point at
 * a version) into a conflict that says so; the transaction has rolled back, so nothing was deleted.
 */
async function refusingReferenced(what: string, remove: () => Promise<void>): Promise<void> {
  try {
    await remove();
  } catch (error) {
    // SQLite's code, then PostgreSQL's foreign_key_violation.
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503') {
      throw new MlcycleError('conflict', `${what} cannot be deleted: other records (offline evaluations, say) refer to it`, { cause: error });
    }
    throw error;
  }
}

/**
 * Takes the model's row lock for the rest of the transaction (a no-op write): on PostgreSQL concurrent
 * alias moves of one model then run one after another, so each records the version it really replaced.
 * SQLite serializes writers already.
 */
async function lockModel(trx: Transaction<Database>, modelId: number): Promise<void> {
  await trx.updateTable('registered_models').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', modelId).execute();
}

/** The version an alias of a model points at, if the alias exists. */
async function aliasedVersion(db: Executor, modelId: number, alias: string): Promise<{ version: number } | undefined> {
  return db
    .selectFrom('model_aliases as a')
    .innerJoin('model_versions as v', 'v.id', 'a.version_id')
    .select('v.version')
    .where('a.model_id', '=', modelId)
    .where('a.alias', '=', alias)
    .executeTakeFirst();
}

async function requireModel(db: Executor, name: string): Promise<Selectable<RegisteredModelTable>> {
  const row = await db.selectFrom('registered_models').selectAll().where('name', '=', name).executeTakeFirst();
  if (row === undefined) throw new MlcycleError('not_found', `no registered model named "${name}"`);
  return row;
}

function selectVersions(db: Executor) {
  return db
    .selectFrom('model_versions as v')
    .innerJoin('registered_models as m', 'm.id', 'v.model_id')
    .innerJoin('runs as r', 'r.run_key', 'v.run_key')
    .selectAll('v')
    .select(['m.name as model', 'r.id as run_id']);
}

async function requireVersion(db: Executor, model: string, version: number): Promise<VersionRow> {
  const row = await selectVersions(db).where('m.name', '=', model).where('v.version', '=', version).executeTakeFirst();
  if (row === undefined) {
    await requireModel(db, model);
    throw new MlcycleError('not_found', `registered model "${model}" has no version ${version}`);
  }
  return row;
}

async function toVersions(db: Executor, rows: readonly VersionRow[]): Promise<ModelVersion[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [tags, aliases] = await Promise.all([
    db.selectFrom('model_version_tags').selectAll().where('version_id', 'in', ids).orderBy('key').execute(),
    db.selectFrom('model_aliases').selectAll().where('version_id', 'in', ids).orderBy('alias').execute(),
  ]);
  return rows.map((row) => ({
    model: row.model,
    version: row.version,
    runId: row.run_id,
    source: row.source,
    description: row.description,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    tags: Object.fromEntries(tags.filter((tag) => tag.version_id === row.id).map((tag) => [tag.key, tag.value])),
    aliases: aliases.filter((alias) => alias.version_id === row.id).map((alias) => alias.alias),
    stage: row.stage as ModelStage,
  }));
}

async function toModel(db: Executor, row: Selectable<RegisteredModelTable>): Promise<RegisteredModel> {
  const [tags, aliases, latest] = await Promise.all([
    db.selectFrom('registered_model_tags').select(['key', 'value']).where('model_id', '=', row.id).orderBy('key').execute(),
    db
      .selectFrom('model_aliases as a')
      .innerJoin('model_versions as v', 'v.id', 'a.version_id')
      .select(['a.alias', 'v.version'])
      .where('a.model_id', '=', row.id)
      .orderBy('a.alias')
      .execute(),
    db.selectFrom('model_versions').select((eb) => eb.fn.max('version').as('n')).where('model_id', '=', row.id).executeTakeFirst(),
  ]);
  const model: RegisteredModel = {
    name: row.name,
    description: row.description,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    tags: Object.fromEntries(tags.map((tag) => [tag.key, tag.value])),
    aliases: Object.fromEntries(aliases.map((alias) => [alias.alias, alias.version])),
  };
  if (latest?.n !== undefined && latest.n !== null) model.latestVersion = latest.n;
  return model;
}

export class SqliteModelRegistry implements ModelRegistry {
  constructor(private readonly db: Kysely<Database>) {}

  async createModel(name: string, description: string, changeContext: ChangeContext, tags: Record<string, string> = {}): Promise<RegisteredModel> {
    const context = atOneInstant(changeContext);
    const at = context.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const taken = await trx.selectFrom('registered_models').select('id').where('name', '=', name).executeTakeFirst();
      if (taken !== undefined) throw new MlcycleError('conflict', `a registered model named "${name}" exists`);
      const row = await trx.insertInto('registered_models').values({ name, description, created_at: at, created_by: context.actor, updated_at: at }).returningAll().executeTakeFirstOrThrow();
      const entries = Object.entries(tags);
      if (entries.length > 0) await trx.insertInto('registered_model_tags').values(entries.map(([key, value]) => ({ model_id: row.id, key, value }))).execute();
      await recordChange(trx, context, { type: 'registered_model.created', model: name, ...(entries.length === 0 ? {} : { details: { tags } }) });
      return toModel(trx, row);
    });
  }

  async renameModel(name: string, newName: string, changeContext: ChangeContext): Promise<RegisteredModel> {
    const context = atOneInstant(changeContext);
    const at = context.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const row = await requireModel(trx, name);
      if (newName === name) return toModel(trx, row);
      const taken = await trx.selectFrom('registered_models').select('id').where('name', '=', newName).executeTakeFirst();
      if (taken !== undefined) throw new MlcycleError('conflict', `Registered Model (name=${newName}) already exists.`);
      await trx.updateTable('registered_models').set({ name: newName, updated_at: at }).where('id', '=', row.id).execute();
      // Earlier events keep the name they were recorded under; this one links the two names.
      await recordChange(trx, context, { type: 'registered_model.updated', model: newName, details: { name: newName, was: name } });
      return toModel(trx, await requireModel(trx, newName));
    });
  }

  async deleteModel(name: string, changeContext: ChangeContext): Promise<void> {
    const context = atOneInstant(changeContext);
    await refusingReferenced(`registered model "${name}"`, () => this.db.transaction().execute(async (trx) => {
      const model = await requireModel(trx, name);
      const versions = await trx.selectFrom('model_versions').select('id').where('model_id', '=', model.id).execute();
      const ids = versions.map((version) => version.id);
      await trx.deleteFrom('model_aliases').where('model_id', '=', model.id).execute();
      if (ids.length > 0) await trx.deleteFrom('model_version_tags').where('version_id', 'in', ids).execute();
      await trx.deleteFrom('model_versions').where('model_id', '=', model.id).execute();
      await trx.deleteFrom('registered_model_tags').where('model_id', '=', model.id).execute();
      await trx.deleteFrom('registered_models').where('id', '=', model.id).execute();
      await recordChange(trx, context, { type: 'registered_model.deleted', model: name, details: { versions: ids.length } });
    }));
  }

  async deleteVersion(model: string, version: number, changeContext: ChangeContext): Promise<void> {
    const context = atOneInstant(changeContext);
    await refusingReferenced(`models:/${model}/${version}`, () => this.db.transaction().execute(async (trx) => {
      const row = await requireVersion(trx, model, version);
      const aliases = await trx.selectFrom('model_aliases').select('alias').where('version_id', '=', row.id).orderBy('alias').execute();
      await trx.deleteFrom('model_aliases').where('version_id', '=', row.id).execute();
      await trx.deleteFrom('model_version_tags').where('version_id', '=', row.id).execute();
      await trx.deleteFrom('model_versions').where('id', '=', row.id).execute();
      await trx.updateTable('registered_models').set({ updated_at: context.now().toISOString() }).where('id', '=', row.model_id).execute();
      await recordChange(trx, context, { type: 'model_version.deleted', model, version, details: { runId: row.run_id, aliases: aliases.map((alias) => alias.alias) } });
    }));
  }

  async findModel(name: string): Promise<RegisteredModel | undefined> {
    const row = await this.db.selectFrom('registered_models').selectAll().where('name', '=', name).executeTakeFirst();
    return row === undefined ? undefined : toModel(this.db, row);
  }

  async listModels(): Promise<RegisteredModel[]> {
    const rows = await this.db.selectFrom('registered_models').selectAll().orderBy('name').execute();
    return Promise.all(rows.map((row) => toModel(this.db, row)));
  }

  async createVersion(draft: NewModelVersion, changeContext: ChangeContext): Promise<ModelVersion> {
    const context = atOneInstant(changeContext);
    const at = context.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const exists = await trx.selectFrom('registered_models').select('id').where('name', '=', draft.model).executeTakeFirst();
      if (exists === undefined && draft.createModel === true) {
        // Several first registrations of a new model at once (two servers on PostgreSQL): one creates the
        // model, the others wait for its commit and find the name taken; only the creator records the event.
        const created = await trx
          .insertInto('registered_models')
          .values({ name: draft.model, description: '', created_at: at, created_by: context.actor, updated_at: at })
          .onConflict((conflict) => conflict.column('name').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (created !== undefined) await recordChange(trx, context, { type: 'registered_model.created', model: draft.model });
      }
      const model = await requireModel(trx, draft.model);
      const run = await trx.selectFrom('runs').select(['run_key', 'lifecycle_stage']).where('id', '=', draft.runId).executeTakeFirst();
      if (run === undefined) throw new MlcycleError('not_found', `no run with id ${draft.runId}`);
      if (run.lifecycle_stage !== 'active') throw new MlcycleError('conflict', `run ${draft.runId} is deleted`);
      const prefix = `${draft.source}/`;
      const artifact = await trx
        .selectFrom('run_artifacts')
        .select('path')
        .where('run_key', '=', run.run_key)
        .where((eb) => eb.or([eb('path', '=', draft.source), eb(eb.fn('substr', ['path', eb.val(1), eb.val(prefix.length)]), '=', prefix)]))
        .executeTakeFirst();
      if (artifact === undefined) throw new MlcycleError('not_found', `run ${draft.runId} has no artifact at "${draft.source}": log the model with run.logArtifact first`);
      // Incremented in the database, not from the value read above: on PostgreSQL two servers registering
      // at once then queue on the model's row and get consecutive numbers instead of the same one.
      const { last_version: version } = await trx
        .updateTable('registered_models')
        .set((eb) => ({ last_version: eb('last_version', '+', 1) }))
        .where('id', '=', model.id)
        .returning('last_version')
        .executeTakeFirstOrThrow();
      const { id } = await trx
        .insertInto('model_versions')
        .values({ model_id: model.id, version, run_key: run.run_key, source: draft.source, description: draft.description ?? '', created_at: at, created_by: context.actor, updated_at: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      const tags = Object.entries(draft.tags ?? {});
      if (tags.length > 0) await trx.insertInto('model_version_tags').values(tags.map(([key, value]) => ({ version_id: id, key, value }))).execute();
      await trx.updateTable('registered_models').set({ updated_at: at }).where('id', '=', model.id).execute();
      await recordChange(trx, context, { type: 'model_version.created', model: draft.model, version, details: { runId: draft.runId, source: draft.source } });
      return (await toVersions(trx, [await requireVersion(trx, draft.model, version)]))[0] as ModelVersion;
    });
  }

  async findVersion(model: string, version: number): Promise<ModelVersion | undefined> {
    const row = await selectVersions(this.db).where('m.name', '=', model).where('v.version', '=', version).executeTakeFirst();
    return row === undefined ? undefined : (await toVersions(this.db, [row]))[0];
  }

  async listVersions(model: string): Promise<ModelVersion[]> {
    await requireModel(this.db, model);
    return toVersions(this.db, await selectVersions(this.db).where('m.name', '=', model).orderBy('v.version', 'desc').execute());
  }

  async versionsOfRun(runId: string): Promise<ModelVersion[]> {
    return toVersions(this.db, await selectVersions(this.db).where('r.id', '=', runId).orderBy('m.name').orderBy('v.version').execute());
  }

  async transitionStage(model: string, version: number, stage: ModelStage, archiveOthers: boolean, changeContext: ChangeContext): Promise<ModelVersion> {
    const context = atOneInstant(changeContext);
    const at = context.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const row = await requireVersion(trx, model, version);
      const archived = archiveOthers ? await trx.selectFrom('model_versions').select(['id', 'version']).where('model_id', '=', row.model_id).where('stage', '=', stage).where('id', '!=', row.id).execute() : [];
      for (const other of archived) {
        await trx.updateTable('model_versions').set({ stage: 'Archived', updated_at: at }).where('id', '=', other.id).execute();
        await recordChange(trx, context, { type: 'model_version.updated', model, version: other.version, details: { stage: 'Archived', was: stage } });
      }
      await trx.updateTable('model_versions').set({ stage, updated_at: at }).where('id', '=', row.id).execute();
      await recordChange(trx, context, { type: 'model_version.updated', model, version, details: { stage, was: row.stage } });
      return (await toVersions(trx, [await requireVersion(trx, model, version)]))[0] as ModelVersion;
    });
  }

  async setDescription(target: RegistryTarget, description: string, changeContext: ChangeContext): Promise<void> {
    const context = atOneInstant(changeContext);
    const at = context.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      if ('version' in target) {
        const row = await requireVersion(trx, target.model, target.version);
        await trx.updateTable('model_versions').set({ description, updated_at: at }).where('id', '=', row.id).execute();
        await recordChange(trx, context, { type: 'model_version.updated', model: target.model, version: target.version, details: { description } });
      } else {
        const row = await requireModel(trx, target.model);
        await trx.updateTable('registered_models').set({ description, updated_at: at }).where('id', '=', row.id).execute();
        await recordChange(trx, context, { type: 'registered_model.updated', model: target.model, details: { description } });
      }
    });
  }

  async setTag(target: RegistryTarget, key: string, value: string, changeContext: ChangeContext): Promise<void> {
    const context = atOneInstant(changeContext);
    await this.db.transaction().execute(async (trx) => {
      if ('version' in target) {
        const row = await requireVersion(trx, target.model, target.version);
        await trx.insertInto('model_version_tags').values({ version_id: row.id, key, value }).onConflict((conflict) => conflict.columns(['version_id', 'key']).doUpdateSet({ value })).execute();
        await recordChange(trx, context, { type: 'model_version.tag_set', model: target.model, version: target.version, details: { key, value } });
      } else {
        const row = await requireModel(trx, target.model);
        await trx.insertInto('registered_model_tags').values({ model_id: row.id, key, value }).onConflict((conflict) => conflict.columns(['model_id', 'key']).doUpdateSet({ value })).execute();
        await recordChange(trx, context, { type: 'registered_model.tag_set', model: target.model, details: { key, value } });
      }
    });
  }

  async deleteTag(target: RegistryTarget, key: string, changeContext: ChangeContext): Promise<void> {
    const context = atOneInstant(changeContext);
    await this.db.transaction().execute(async (trx) => {
      let deleted: bigint;
      if ('version' in target) {
        const row = await requireVersion(trx, target.model, target.version);
        deleted = (await trx.deleteFrom('model_version_tags').where('version_id', '=', row.id).where('key', '=', key).executeTakeFirst()).numDeletedRows;
      } else {
        const row = await requireModel(trx, target.model);
        deleted = (await trx.deleteFrom('registered_model_tags').where('model_id', '=', row.id).where('key', '=', key).executeTakeFirst()).numDeletedRows;
      }
      const version = 'version' in target ? target.version : undefined;
      if (deleted === 0n) throw new MlcycleError('not_found', `${subject(target.model, version)} has no tag "${key}"`);
      const type = version === undefined ? 'registered_model.tag_deleted' : 'model_version.tag_deleted';
      await recordChange(trx, context, { type, model: target.model, ...(version === undefined ? {} : { version }), details: { key } });
    });
  }

  async setAlias(model: string, alias: string, version: number, changeContext: ChangeContext): Promise<void> {
    const context = atOneInstant(changeContext);
    await this.db.transaction().execute(async (trx) => {
      const row = await requireVersion(trx, model, version);
      await lockModel(trx, row.model_id);
      const previous = await aliasedVersion(trx, row.model_id, alias);
      if (previous?.version === version) return;
      await trx
        .insertInto('model_aliases')
        .values({ model_id: row.model_id, alias, version_id: row.id })
        .onConflict((conflict) => conflict.columns(['model_id', 'alias']).doUpdateSet({ version_id: row.id }))
        .execute();
      await recordChange(trx, context, { type: 'model_version.alias_set', model, version, details: { alias, previousVersion: previous?.version ?? null } });
    });
  }

  async deleteAlias(model: string, alias: string, changeContext: ChangeContext): Promise<void> {
    const context = atOneInstant(changeContext);
    await this.db.transaction().execute(async (trx) => {
      const row = await requireModel(trx, model);
      await lockModel(trx, row.id);
      const existing = await aliasedVersion(trx, row.id, alias);
      if (existing === undefined) throw new MlcycleError('not_found', `registered model "${model}" has no alias "${alias}"`);
      await trx.deleteFrom('model_aliases').where('model_id', '=', row.id).where('alias', '=', alias).execute();
      await recordChange(trx, context, { type: 'model_version.alias_deleted', model, version: existing.version, details: { alias } });
    });
  }

  async listEvents(query: { afterId?: number; limit?: number } = {}): Promise<RegistryEvent[]> {
    let select = this.db.selectFrom('registry_events').selectAll().where('id', '>', query.afterId ?? 0).orderBy('id');
    if (query.limit !== undefined) select = select.limit(query.limit);
    const rows = await select.execute();
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      actor: row.actor,
      type: row.type as RegistryEventType,
      model: row.model,
      ...(row.version === null ? {} : { version: row.version }),
      details: JSON.parse(row.details) as Record<string, unknown>,
    }));
  }
}
