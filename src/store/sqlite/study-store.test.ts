import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { describeStudyStorage } from '../../../test/conformance/study-storage.js';
import { describeStudyStore } from '../../../test/conformance/study-store.js';
import { tempDir, testContext } from '../../../test/support/temp-dir.js';
import { initProject } from '../../problem/init-project.js';
import type { StudySettings } from '../../train/tune/study-settings.js';
import { SqliteAuditLog } from './audit-log.js';
import { openSqliteDatabase } from './database.js';
import { SqliteStudyStore } from './study-store.js';

const SETTINGS: StudySettings = {
  name: 'branin',
  direction: 'minimize',
  space: { x0: { type: 'float', low: -5, high: 10, log: false } },
  sampler: { kind: 'tpe', seed: 1 },
  pruner: { kind: 'none' },
  objective: { kind: 'function', name: 'branin' },
};

let template = '';
const stores: SqliteStudyStore[] = [];
beforeAll(async () => {
  // Not a tempDir: those go after each test, and the template serves them all.
  const root = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-study-template-'));
  const { workspace } = await initProject(root, { context: testContext() });
  template = path.join(root, 'template.db');
  await workspace.close();
  copyFileSync(workspace.databaseFile, template);
});
afterAll(() => {
  for (const store of stores.splice(0)) store.close();
  rmSync(path.dirname(template), { recursive: true, force: true });
});

/** A fresh copy of a migrated workspace database. */
function freshDatabase(): string {
  const file = path.join(tempDir(), 'metadata.db');
  copyFileSync(template, file);
  return file;
}

function openStore(file = freshDatabase()): SqliteStudyStore {
  const store = new SqliteStudyStore(file);
  stores.push(store);
  return store;
}

describeStudyStorage('sqlite', () => {
  const store = openStore();
  return store.trials(store.createStudy(SETTINGS, testContext()));
});

describeStudyStore('sqlite', async () => {
  const file = freshDatabase();
  const db = openSqliteDatabase(file);
  onTestFinished(() => db.destroy());
  return { stores: [openStore(file), openStore(file)], audit: new SqliteAuditLog(db) };
});

describe('SqliteStudyStore', () => {
  it("keeps a study's settings and refuses a second study of the same name", () => {
    const store = openStore();
    const created = store.createStudy({ ...SETTINGS, parentRunId: 'a'.repeat(32) }, testContext('ana'));
    expect(store.findStudy('branin')).toEqual(created);
    expect(created).toMatchObject({ createdBy: 'ana', parentRunId: 'a'.repeat(32), sampler: { kind: 'tpe', seed: 1 } });
    expect(() => store.createStudy(SETTINGS, testContext())).toThrow(/study "branin" exists already/);
    expect(store.findStudy('other')).toBeUndefined();
  });

  it('shows each connection the trials another connection wrote', () => {
    const file = freshDatabase();
    const first = openStore(file);
    const study = first.createStudy(SETTINGS, testContext());
    const writer = first.trials(study, 'host-a:1');
    const reader = openStore(file).trials(study, 'host-b:2');
    writer.createTrial({ x0: 1 });
    expect(reader.trials().map((trial) => trial.state)).toEqual(['running']);
    writer.setIntermediateValue(0, 0, 3.5);
    writer.setIntermediateValue(0, 1, NaN);
    writer.finishTrial(0, 'complete', 2.5);
    reader.createTrial({ x0: 2 });
    const [trial, second] = reader.trials();
    expect(trial).toMatchObject({ state: 'complete', value: 2.5, params: { x0: 1 } });
    expect([...(trial?.intermediateValues ?? [])]).toEqual([[0, 3.5], [1, NaN]]);
    expect(second?.number).toBe(1);
    expect(writer.trialInfo().map((info) => info.owner)).toEqual(['host-a:1', 'host-b:2']);
  });

  it('fails running trials of owners that are gone, and only those', () => {
    const store = openStore();
    const trials = store.trials(store.createStudy(SETTINGS, testContext()), 'here:1');
    trials.createTrial({ x0: 0 });
    trials.createTrial({ x0: 1 });
    trials.finishTrial(1, 'complete', 4);
    const other = store.trials(store.findStudy('branin') ?? expect.fail('study missing'), 'gone:2');
    other.createTrial({ x0: 2 });
    expect(trials.failAbandonedTrials((owner) => owner === 'here:1')).toEqual([2]);
    expect(trials.trials().map((trial) => [trial.state, trial.attributes])).toEqual([
      ['running', {}],
      ['complete', {}],
      ['failed', { abandoned: 1 }],
    ]);
    expect(() => trials.finishTrial(2, 'complete', 1)).toThrow(/trial 2 is not running/);
  });
});
