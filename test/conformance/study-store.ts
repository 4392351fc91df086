/**
 * The behaviour every tuning-study store must show (src/store/study-store.ts), as one suite: run it against
 * each backend (SQLite now, PostgreSQL when it lands) so that studies are created, found, audited and
 * resumed the same way on all of them. The trials themselves are covered by study-storage.ts.
 */
import { describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/store/audit-log.js';
import type { StudySettings, StudyStore } from '../../src/store/study-store.js';

export interface StudyBackend {
  /** Two stores on the same data, as two processes open it. */
  stores: [StudyStore, StudyStore];
  audit: AuditLog;
}

const SETTINGS: StudySettings<{ kind: string; name: string }> = {
  name: 'branin',
  direction: 'minimize',
  space: { x0: { type: 'float', low: -5, high: 10, log: false } },
  sampler: { kind: 'tpe', seed: 1 },
  pruner: { kind: 'median', nWarmupSteps: 2 },
  objective: { kind: 'function', name: 'branin' },
};

function clock(start: string): () => Date {
  let tick = 0;
  return () => new Date(Date.parse(start) + 1000 * tick++);
}

/** Registers the conformance tests for a backend made fresh by `open` for each test. */
export function describeStudyStore(name: string, open: () => Promise<StudyBackend>): void {
  describe(`StudyStore: ${name}`, () => {
    it('keeps every setting of a study, finds it by name and audits its creation', async () => {
      const { stores: [store], audit } = await open();
      const created = store.createStudy({ ...SETTINGS, parentRunId: 'b'.repeat(32) }, { actor: 'ana', now: clock('2026-03-01T10:00:00Z'), reason: 'first try' });
      expect(created).toMatchObject({ ...SETTINGS, parentRunId: 'b'.repeat(32), createdAt: '2026-03-01T10:00:00.000Z', createdBy: 'ana' });
      expect(store.findStudy('branin')).toEqual(created);
      expect(store.findStudy('other')).toBeUndefined();
      const [entry] = await audit.list({ actionPrefix: 'tuning.' });
      expect(entry).toMatchObject({ actor: 'ana', action: 'tuning.study-created', subject: 'study:branin', reason: 'first try' });
    });

    it('refuses a second study of the same name and keeps the first', async () => {
      const { stores: [store] } = await open();
      const first = store.createStudy(SETTINGS, { actor: 'ana', now: clock('2026-03-01T10:00:00Z') });
      expect(() => store.createStudy({ ...SETTINGS, direction: 'maximize' }, { actor: 'sam', now: clock('2026-03-02T10:00:00Z') })).toThrow(/study "branin" exists already/);
      expect(store.findStudy('branin')).toEqual(first);
    });

    it("shows one store's trials to the other, with their owners and tracking runs", async () => {
      const { stores: [first, second] } = await open();
      const study = first.createStudy(SETTINGS, { actor: 'ana', now: clock('2026-03-01T10:00:00Z') });
      const writer = first.trials(study, 'host-a:1');
      writer.createTrial({ x0: 1 });
      writer.setRunId(0, 'c'.repeat(32));
      const reader = second.trials(second.findStudy('branin') ?? expect.fail('study missing'), 'host-b:2');
      reader.createTrial({ x0: 2 });
      expect(writer.trialInfo()).toEqual([
        { number: 0, state: 'running', owner: 'host-a:1', runId: 'c'.repeat(32) },
        { number: 1, state: 'running', owner: 'host-b:2', runId: undefined },
      ]);
    });

    it('fails the running trials of owners that are gone, and only those', async () => {
      const { stores: [store] } = await open();
      const study = store.createStudy(SETTINGS, { actor: 'ana', now: clock('2026-03-01T10:00:00Z') });
      const here = store.trials(study, 'here:1');
      here.createTrial({ x0: 0 });
      store.trials(study, 'gone:2').createTrial({ x0: 1 });
      here.createTrial({ x0: 2 });
      here.finishTrial(2, 'complete', 3);
      expect(here.failAbandonedTrials((owner) => owner === 'here:1')).toEqual([1]);
      expect(here.trials().map((trial) => [trial.state, trial.attributes])).toEqual([
        ['running', {}],
        ['failed', { abandoned: 1 }],
        ['complete', {}],
      ]);
    });
  });
}
