/**
 * The behaviour every artifact store must show (src/store/artifact-store.ts), as one suite run against
 * the file store and the S3 store.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ArtifactStore } from '../../src/store/artifact-store.js';

export function describeArtifactStore(name: string, open: () => Promise<{ store: ArtifactStore; close(): Promise<void> }>): void {
  async function withStore(body: (store: ArtifactStore) => Promise<void>): Promise<void> {
    const { store, close } = await open();
    try {
      await body(store);
    } finally {
      await close();
    }
  }

  async function stage(store: ArtifactStore, text: string, extension = '.json'): Promise<string> {
    const file = await store.stagingPath(extension);
    writeFileSync(file, text);
    return file;
  }

  describe(`artifact store (${name})`, () => {
    it('commits a staged file under its key, once; the same key again keeps the first', () =>
      withStore(async (store) => {
        const staged = await stage(store, '{"weights":[1,2,3]}');
        expect(store.exists('models/abc/model.json')).toBe(false);
        expect(await store.commit(staged, 'models/abc/model.json')).toBe(true);
        expect(store.exists('models/abc/model.json')).toBe(true);
        expect(readFileSync(store.localPath('models/abc/model.json'), 'utf8')).toBe('{"weights":[1,2,3]}');
        expect(await store.has('models/abc/model.json')).toBe(true);
        expect(await store.has('models/abd/model.json')).toBe(false);
        expect(readFileSync(await store.localCopy('models/abc/model.json'), 'utf8')).toBe('{"weights":[1,2,3]}');
        expect(await store.size('models/abc/model.json')).toBe(19);
        expect(await store.commit(await stage(store, '{"weights":[1,2,3]}'), 'models/abc/model.json')).toBe(false);
      }));

    it('discards artifacts and staged files; a missing one is not an error', () =>
      withStore(async (store) => {
        await store.commit(await stage(store, 'x'), 'reports/r1.html');
        await store.discard('reports/r1.html');
        expect(store.exists('reports/r1.html')).toBe(false);
        await store.discard('reports/r1.html');
        const staged = await stage(store, 'y');
        await store.discard(staged);
        expect(path.isAbsolute(staged)).toBe(true);
      }));

    it('refuses keys that would escape the store', () =>
      withStore(async (store) => {
        expect(() => store.localPath('../etc/passwd')).toThrow(/not a valid key/);
        await expect(store.commit(await stage(store, 'z'), 'a/../../b')).rejects.toThrow(/not a valid key/);
      }));

    it('removes staged leftovers older than the cut-off only', () =>
      withStore(async (store) => {
        const staged = await stage(store, 'partial');
        expect(await store.removeStagingLeftovers(new Date(Date.now() - 60_000))).toEqual([]);
        expect(await store.removeStagingLeftovers(new Date(Date.now() + 60_000))).toEqual([staged]);
      }));
  });
}
