/**
 * MT19937 (Matsumoto and Nishimura 1998) drawing doubles exactly as numpy's legacy `RandomState(seed)`
 * does (`init_genrand` seeding, 53-bit doubles from two 32-bit words): a test or benchmark can then feed
 * mlcycle the very random numbers a numpy-based reference consumed. Slower than `seededRandom`.
 */
import type { Random } from './random.js';

const N = 624;
const M = 397;

/** A generator of uniform numbers in [0, 1), the same sequence as `numpy.random.RandomState(seed).random_sample()`. */
export function mersenneTwister(seed: number): Random {
  const state = new Uint32Array(N); // typed: the generator's 624-word state
  state[0] = seed >>> 0;
  for (let i = 1; i < N; i++) {
    const previous = state[i - 1] ?? 0;
    state[i] = (Math.imul(1812433253, previous ^ (previous >>> 30)) + i) >>> 0;
  }
  let position = N;

  const twist = (): void => {
    for (let i = 0; i < N; i++) {
      const y = ((state[i] ?? 0) & 0x80000000) | ((state[(i + 1) % N] ?? 0) & 0x7fffffff);
      state[i] = (state[(i + M) % N] ?? 0) ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    position = 0;
  };

  const next32 = (): number => {
    if (position >= N) twist();
    let y = state[position++] ?? 0;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  };

  return () => {
    const high = next32() >>> 5;
    const low = next32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  };
}
