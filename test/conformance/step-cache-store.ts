/**
 * The behaviour every step cache store must show (src/store/step-cache-store.ts), as one suite: run it
 * against each backend (SQLite now, PostgreSQL when it lands) so that a pipeline finds the same entries
 * on all of them.
 */
import { describe, expect, it } from 'vitest';
import type { StepCacheEntry, StepCacheStore } from '../../src/store/step-cache-store.js';

const ENTRY: StepCacheEntry = {
  cacheKey: 'a'.repeat(64),
  step: 'train',
  codeVersion: 'gbdt-3',
  params: { learner: 'gbdt', rounds: 20, nested: { b: 2, a: [1, 'x', null] } },
  inputs: { train: 'b'.repeat(64), validation: 'c'.repeat(64) },
  outputs: { model: { sha256: 'd'.repeat(64), size: 1234 } },
  summary: { metrics: { auc: 0.8125 }, history: [0.5, 0.75] },
  seconds: 1.5,
  runId: 'e'.repeat(32),
  createdAt: '2026-03-01T10:00:00.000Z',
  createdBy: 'ana',
};

/** Registers the conformance tests for a store made fresh by `open` for each test. */
export function describeStepCacheStore(name: string, open: () => Promise<StepCacheStore>): void {
  describe(`StepCacheStore: ${name}`, () => {
    it('finds an entry by its key as it was saved, and nothing under another key', async () => {
      const store = await open();
      await store.save(ENTRY);
      expect(await store.find(ENTRY.cacheKey)).toEqual(ENTRY);
      expect(await store.find('f'.repeat(64))).toBeUndefined();
    });

    it('keeps an entry without a tracking run or outputs', async () => {
      const store = await open();
      const entry: StepCacheEntry = { ...ENTRY, outputs: {}, runId: undefined, params: null };
      await store.save(entry);
      expect(await store.find(ENTRY.cacheKey)).toEqual(entry);
    });

    it('replaces the entry under the same key', async () => {
      const store = await open();
      await store.save(ENTRY);
      const recomputed: StepCacheEntry = { ...ENTRY, summary: { metrics: { auc: 0.9 } }, seconds: 2, createdBy: 'sam', createdAt: '2026-03-02T10:00:00.000Z' };
      await store.save(recomputed);
      expect(await store.find(ENTRY.cacheKey)).toEqual(recomputed);
    });
  });
}
