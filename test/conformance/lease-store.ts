/** The behaviour every lease store must show (src/store/lease-store.ts), run against each backend. */
import { describe, expect, it } from 'vitest';
import type { LeaseStore } from '../../src/store/lease-store.js';

export function describeLeaseStore(name: string, open: () => Promise<{ stores: [LeaseStore, LeaseStore]; close(): Promise<void> }>): void {
  describe(`lease store (${name})`, () => {
    it('gives a lease to one holder until it expires, lets the holder renew, and hands it over after expiry or release', async () => {
      const { stores: [a, b], close } = await open();
      try {
        expect(await a.acquire('rollout-controller', 'server-a', 1000, 10_000)).toBe(true);
        expect(await b.acquire('rollout-controller', 'server-b', 1000, 10_500)).toBe(false);
        expect(await a.acquire('rollout-controller', 'server-a', 1000, 10_900)).toBe(true);
        expect(await b.current('rollout-controller')).toEqual({ holder: 'server-a', expiresAt: 11_900 });
        expect(await b.acquire('rollout-controller', 'server-b', 1000, 11_899)).toBe(false);
        expect(await b.acquire('rollout-controller', 'server-b', 1000, 11_900)).toBe(true);
        expect(await a.acquire('rollout-controller', 'server-a', 1000, 12_000)).toBe(false);
        // Leases are per loop: another name is free.
        expect(await a.acquire('webhook-delivery', 'server-a', 1000, 12_000)).toBe(true);
        await b.release('rollout-controller', 'server-b');
        expect(await a.acquire('rollout-controller', 'server-a', 1000, 12_001)).toBe(true);
      } finally {
        await close();
      }
    });

    it('lets exactly one of many racing holders take a free lease', async () => {
      const { stores: [a, b], close } = await open();
      try {
        const outcomes = await Promise.all(Array.from({ length: 16 }, (_, index) => (index % 2 === 0 ? a : b).acquire('monitor-scheduler', `server-${index}`, 5000, 1000)));
        expect(outcomes.filter(Boolean)).toHaveLength(1);
      } finally {
        await close();
      }
    });
  });
}
