/**
 * Tuning studies in the metadata database. The study's trials implement `StudyStorage` synchronously on a
 * better-sqlite3 connection of their own, so that the coordinator, worker threads and worker processes on
 * other machines (sharing the file, in WAL mode) all read and write the same trials.
 *
 * Reads are cached: every write bumps the study's revision and stamps the trial with it, so `trials()`
 * asks one indexed question ("has the revision moved?") and reloads only the trials changed since.
 */
import Sqlite from 'better-sqlite3';
import { MlcycleError } from '../../error.js';
import type { ParameterValue } from '../../optimizer/search-space.js';
import type { Trial, TrialState } from '../../optimizer/trial.js';
import type { ChangeContext } from '../audit-log.js';
import { currentOwner, isOwnerAlive, type StoredTrialInfo, type StudyRecord, type StudySettings, type StudyStore, type StudyTrials } from '../study-store.js';
import type { TuningStudyTable, TuningTrialTable } from './database.js';

const STATES: Record<TrialState, string> = { running: 'RUNNING', complete: 'COMPLETE', pruned: 'PRUNED', failed: 'FAIL' };
const FROM_STATE: Record<string, TrialState> = { RUNNING: 'running', COMPLETE: 'complete', PRUNED: 'pruned', FAIL: 'failed' };

/**
 * Studies by name, and their trials; open on a workspace's database file (already migrated). The
 * connection opens on first use, so a workspace that never tunes never switches its file to WAL mode.
 */
export class SqliteStudyStore implements StudyStore {
  private opened: Sqlite.Database | undefined;

  constructor(private readonly databaseFile: string) {}

  /** The store's own better-sqlite3 connection (WAL mode, waiting up to 10 s for a writer's lock). */
  get connection(): Sqlite.Database {
    if (this.opened === undefined) {
      const connection = new Sqlite(this.databaseFile);
      connection.pragma('journal_mode = WAL');
      connection.pragma('busy_timeout = 10000');
      this.opened = connection;
    }
    return this.opened;
  }

  /** Creates a study; a study of that name already there is a conflict. */
  createStudy<Objective>(settings: StudySettings<Objective>, context: ChangeContext): StudyRecord<Objective> {
    if (this.findStudy(settings.name) !== undefined) throw new MlcycleError('conflict', `study "${settings.name}" exists already`);
    const at = context.now().toISOString();
    const insert = this.connection.transaction(() => {
      const row = this.connection
        .prepare(
          `INSERT INTO tuning_studies (name, direction, space, sampler, pruner, objective, parent_run_id, created_at, created_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        )
        .get(settings.name, settings.direction, JSON.stringify(settings.space), JSON.stringify(settings.sampler), JSON.stringify(settings.pruner), JSON.stringify(settings.objective), settings.parentRunId ?? null, at, context.actor) as { id: number };
      this.connection
        .prepare('INSERT INTO audit_log (at, actor, action, subject, details, reason) VALUES (?, ?, ?, ?, ?, ?)')
        .run(at, context.actor, 'tuning.study-created', `study:${settings.name}`, JSON.stringify({ direction: settings.direction, sampler: settings.sampler, pruner: settings.pruner }), context.reason ?? null);
      return row.id;
    });
    return { ...settings, id: insert.immediate(), createdAt: at, createdBy: context.actor };
  }

  findStudy(name: string): StudyRecord | undefined {
    const row = this.connection.prepare('SELECT * FROM tuning_studies WHERE name = ?').get(name) as (Omit<TuningStudyTable, 'id'> & { id: number }) | undefined;
    if (row === undefined) return undefined;
    return {
      id: row.id,
      name: row.name,
      direction: row.direction as StudyRecord['direction'],
      space: JSON.parse(row.space) as StudyRecord['space'],
      sampler: JSON.parse(row.sampler) as StudyRecord['sampler'],
      pruner: JSON.parse(row.pruner) as StudyRecord['pruner'],
      objective: JSON.parse(row.objective) as unknown,
      ...(row.parent_run_id === null ? {} : { parentRunId: row.parent_run_id }),
      createdAt: row.created_at,
      createdBy: row.created_by,
    };
  }

  /** The study's trials as a `StudyStorage`; trials created through it are owned by `owner`. */
  trials(study: StudyRecord, owner = currentOwner()): SqliteStudyTrials {
    return new SqliteStudyTrials(this.connection, study.id, owner);
  }

  close(): void {
    this.opened?.close();
    this.opened = undefined;
  }
}

type TrialRow = TuningTrialTable;

/** One study's trials in SQLite. */
export class SqliteStudyTrials implements StudyTrials {
  private cache: Trial[] = [];
  private info: StoredTrialInfo[] = [];
  private revision = -1;
  private readonly statements;

  constructor(
    private readonly connection: Sqlite.Database,
    private readonly studyId: number,
    private readonly owner: string,
    private readonly clock: () => number = Date.now,
  ) {
    const prepare = (text: string) => connection.prepare(text);
    this.statements = {
      revision: prepare('SELECT revision FROM tuning_studies WHERE id = ?').pluck(),
      bump: prepare('UPDATE tuning_studies SET revision = revision + 1 WHERE id = ? RETURNING revision').pluck(),
      changedTrials: prepare('SELECT * FROM tuning_trials WHERE study_id = ? AND revision > ? ORDER BY number'),
      changedValues: prepare(
        `SELECT v.number, v.step, v.value FROM tuning_trial_values v JOIN tuning_trials t ON t.study_id = v.study_id AND t.number = v.number
         WHERE v.study_id = ? AND t.revision > ? ORDER BY v.number, v.step`,
      ),
      nextNumber: prepare('SELECT coalesce(max(number) + 1, 0) FROM tuning_trials WHERE study_id = ?').pluck(),
      insert: prepare('INSERT INTO tuning_trials (study_id, number, state, params, owner, started_at, revision) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      value: prepare('INSERT INTO tuning_trial_values (study_id, number, step, value) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value'),
      touch: prepare('UPDATE tuning_trials SET revision = ? WHERE study_id = ? AND number = ?'),
      attributes: prepare('UPDATE tuning_trials SET attributes = json_set(attributes, ?, ?), revision = ? WHERE study_id = ? AND number = ?'),
      finish: prepare("UPDATE tuning_trials SET state = ?, value = ?, finished_at = ?, revision = ? WHERE study_id = ? AND number = ? AND state = 'RUNNING'"),
      runId: prepare('UPDATE tuning_trials SET run_id = ?, revision = ? WHERE study_id = ? AND number = ?'),
    };
  }

  trials(): readonly Trial[] {
    this.refresh();
    return this.cache.slice();
  }

  /** Owner and tracking run of every trial, by number. */
  trialInfo(): readonly StoredTrialInfo[] {
    this.refresh();
    return this.info.slice();
  }

  createTrial(params: Readonly<Record<string, ParameterValue>>): Trial {
    const number = this.write(() => {
      const next = this.statements.nextNumber.get(this.studyId) as number;
      this.statements.insert.run(this.studyId, next, 'RUNNING', JSON.stringify(params), this.owner, this.clock(), this.bump());
      return next;
    });
    return this.trial(number);
  }

  setIntermediateValue(trialNumber: number, step: number, value: number): void {
    this.write(() => {
      this.statements.value.run(this.studyId, trialNumber, step, Number.isNaN(value) ? null : value);
      this.statements.touch.run(this.bump(), this.studyId, trialNumber);
    });
  }

  setAttribute(trialNumber: number, key: string, value: number): void {
    this.write(() => void this.statements.attributes.run(`$.${JSON.stringify(key)}`, value, this.bump(), this.studyId, trialNumber));
  }

  finishTrial(trialNumber: number, state: Exclude<TrialState, 'running'>, value?: number): void {
    const changed = this.write(() => this.statements.finish.run(STATES[state], value ?? null, this.clock(), this.bump(), this.studyId, trialNumber).changes);
    if (changed === 0) throw new MlcycleError('conflict', `trial ${trialNumber} is not running`);
  }

  /** Records the tracking run of a trial. */
  setRunId(trialNumber: number, runId: string): void {
    this.write(() => void this.statements.runId.run(runId, this.bump(), this.studyId, trialNumber));
  }

  /** Marks running trials whose owner process is gone as failed (`abandoned` = 1); returns their numbers. */
  failAbandonedTrials(isAlive: (owner: string) => boolean = isOwnerAlive): number[] {
    const abandoned = this.trialInfo().filter((trial) => trial.state === 'running' && !isAlive(trial.owner));
    for (const trial of abandoned) {
      this.setAttribute(trial.number, 'abandoned', 1);
      this.finishTrial(trial.number, 'failed');
    }
    return abandoned.map((trial) => trial.number);
  }

  private trial(number: number): Trial {
    const trial = this.trials()[number];
    if (trial === undefined) throw new MlcycleError('not_found', `no trial ${number} in this study`);
    return trial;
  }

  private bump(): number {
    return this.statements.bump.get(this.studyId) as number;
  }

  /** Runs a write in an immediate transaction (writers queue on the lock instead of failing to upgrade). */
  private write<T>(body: () => T): T {
    return this.connection.transaction(body).immediate();
  }

  /** Reloads the trials changed since the cached revision. */
  private refresh(): void {
    const revision = this.statements.revision.get(this.studyId) as number | undefined;
    if (revision === undefined) throw new MlcycleError('not_found', `study ${this.studyId} is gone`);
    if (revision === this.revision) return;
    const read = this.connection.transaction(() => ({
      rows: this.statements.changedTrials.all(this.studyId, this.revision) as TrialRow[],
      values: this.statements.changedValues.all(this.studyId, this.revision) as { number: number; step: number; value: number | null }[],
      revision: this.statements.revision.get(this.studyId) as number,
    }));
    const { rows, values, revision: seen } = read();
    const byTrial = new Map<number, Map<number, number>>();
    for (const { number, step, value } of values) {
      let map = byTrial.get(number);
      if (map === undefined) byTrial.set(number, (map = new Map()));
      map.set(step, value ?? NaN);
    }
    for (const row of rows) {
      const trial: Trial = {
        number: row.number,
        state: FROM_STATE[row.state] ?? 'failed',
        params: JSON.parse(row.params) as Record<string, ParameterValue>,
        intermediateValues: byTrial.get(row.number) ?? new Map(),
        attributes: JSON.parse(row.attributes) as Record<string, number>,
      };
      if (row.value !== null && trial.state === 'complete') trial.value = row.value;
      this.cache[row.number] = trial;
      this.info[row.number] = { number: row.number, state: trial.state, owner: row.owner, runId: row.run_id ?? undefined };
    }
    this.revision = seen;
  }
}
