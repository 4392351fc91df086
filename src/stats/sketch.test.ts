import { describe, expect, it } from 'vitest';
import { wassersteinDistance, sortedFinite, populationStandardDeviation } from './drift-tests.js';
import { seededRandom } from './random.js';
import { kllRank, mergeProfiles, profileLabels, profileNumbers, profileStandardDeviation, sketchWasserstein, type ColumnProfile } from './sketch.js';

const random = seededRandom(5);
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

function relative(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
}

/** The largest gap between the sketch's rank and the true rank over 99 evenly spaced quantiles. */
function worstRankError(profile: ColumnProfile, sorted: Float64Array): number {
  let worst = 0;
  for (let percent = 1; percent < 100; percent++) {
    const value = sorted[Math.floor((percent / 100) * sorted.length)] as number;
    // The true share at or below value (last index with that value).
    let high = sorted.length;
    let low = 0;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((sorted[middle] as number) <= value) low = middle + 1;
      else high = middle;
    }
    worst = Math.max(worst, Math.abs(kllRank(profile.quantiles as NonNullable<ColumnProfile['quantiles']>, value) - low / sorted.length));
  }
  return worst;
}

describe('mergeable column profiles', () => {
  it('merges 30 daily profiles into the profile of the month: exact counts and moments, quantiles within the stated rank error', () => {
    const days = Array.from({ length: 30 }, (_, day) => Float64Array.from({ length: 20_000 + day * 500 }, () => (random() < 0.01 ? NaN : 50 + day + 10 * normal())));
    const profiles = days.map((values) => profileNumbers(values, random));
    const month = profiles.slice(1).reduce((merged, profile) => mergeProfiles(merged, profile, random), profiles[0] as ColumnProfile);
    const all = Float64Array.from(days.flatMap((values) => [...values]));
    const direct = profileNumbers(all, random);
    expect(month.count).toBe(direct.count);
    expect(month.missing).toBe(direct.missing);
    expect([month.min, month.max]).toEqual([direct.min, direct.max]);
    expect(relative(month.mean, direct.mean)).toBeLessThan(1e-12);
    expect(relative(month.m2, direct.m2)).toBeLessThan(1e-12);
    const sorted = sortedFinite(all);
    expect(relative(profileStandardDeviation(month), populationStandardDeviation(sorted))).toBeLessThan(1e-12);
    // DataSketches' bound for k = 200: 1.65% of the rank at 99% confidence.
    expect(worstRankError(month, sorted)).toBeLessThan(0.0165);
    expect(worstRankError(direct, sorted)).toBeLessThan(0.0165);
    // A sketch stays small whatever it has seen.
    const items = (month.quantiles?.levels ?? []).reduce((sum, level) => sum + level.length, 0);
    expect(items).toBeLessThan(1000);
  });

  it('counts categories exactly while they fit, and within the error it reports once they do not', () => {
    const labels = Array.from({ length: 50_000 }, () => `k${Math.floor(Math.exp(random() * 6))}`);
    const exact = new Map<string, number>();
    for (const label of labels) exact.set(label, (exact.get(label) ?? 0) + 1);
    const roomy = profileLabels(labels);
    expect(roomy.frequentError).toBe(0);
    expect(new Map(Object.entries(roomy.frequent ?? {}))).toEqual(exact);
    const halves = [profileLabels(labels.slice(0, 25_000), { frequentItems: 64 }), profileLabels(labels.slice(25_000), { frequentItems: 64 })];
    const merged = mergeProfiles(halves[0] as ColumnProfile, halves[1] as ColumnProfile, random);
    expect(merged.frequentError).toBeGreaterThan(0);
    expect(Object.keys(merged.frequent ?? {}).length).toBeLessThanOrEqual(64);
    for (const [label, count] of exact) {
      const kept = merged.frequent?.[label] ?? 0;
      expect(kept).toBeLessThanOrEqual(count);
      expect(kept).toBeGreaterThanOrEqual(count - merged.frequentError);
    }
    expect(merged.count).toBe(50_000);
  });

  it("estimates the Wasserstein distance from two sketches: within 4% of the reference's standard deviation for normal data, 10% for log-normal", () => {
    // Measured (5 seeds each, k = 200, 200,000 rows a side): up to 2.8% for normal data, 8.1% for log-normal, whose
    // long tail the sketch's heavy top items approximate coarsely. An estimate for merged windows, not the exact
    // drift statistic the monitors compute from rows.
    for (const [name, draw, tolerance] of [
      ['normal', (shift: number) => normal() + shift, 0.04],
      ['log-normal', (shift: number) => Math.exp(normal() + shift), 0.1],
    ] as const) {
      for (const shift of [0, 0.1, 0.5]) {
        const reference = Float64Array.from({ length: 200_000 }, () => draw(0));
        const current = Float64Array.from({ length: 200_000 }, () => draw(shift));
        const exact = wassersteinDistance(sortedFinite(reference), sortedFinite(current));
        const estimate = sketchWasserstein(profileNumbers(reference, random), profileNumbers(current, random));
        expect(Math.abs(estimate - exact) / populationStandardDeviation(reference), `${name}, shift ${shift}`).toBeLessThan(tolerance);
      }
    }
  });

  it('refuses to merge a numeric profile with a categorical one', () => {
    expect(() => mergeProfiles(profileNumbers([1, 2], random), profileLabels(['a']), random)).toThrow(/cannot merge a numeric profile with a categorical one/);
  });
});
