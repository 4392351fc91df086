/**
 * A monitor's windows merged into one profile per column, from the profiles each window stored: a day or a
 * month of traffic summarised without reading a logged row again (stats/sketch.ts).
 */
import { MlcycleError } from '../error.js';
import { seededRandom } from '../stats/random.js';
import { kllQuantile, mergeProfiles, profileStandardDeviation, type ColumnProfile } from '../stats/sketch.js';
import type { MonitorStore } from '../store/monitor-store.js';
import type { WindowReport } from './run-monitor.js';

export interface MergedColumn {
  column: string;
  kind: ColumnProfile['kind'];
  count: number;
  missing: number;
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  /** Numeric columns: the 5th, 50th and 95th percentiles from the merged quantile sketch. */
  quantiles: { p5: number; p50: number; p95: number } | null;
  /** Categorical columns: the most frequent categories with their (lower-bound) counts. */
  top: { value: string; count: number }[] | null;
  frequentError: number;
}

/** Merges the stored profiles of windows `from` to `to` (inclusive; every window by default). */
export async function mergeWindowProfiles(monitors: Pick<MonitorStore, 'listResults'>, monitor: string, range: { from?: number; to?: number } = {}): Promise<{ windows: number[]; columns: MergedColumn[] }> {
  const results = await monitors.listResults({ monitor, limit: 100_000 });
  const windows = results
    .map((result) => result.report as Partial<WindowReport>)
    .filter((report) => report.kind === 'window' && report.window !== undefined && report.profiles !== undefined)
    .filter((report) => (report.window?.index ?? -1) >= (range.from ?? 0) && (report.window?.index ?? Infinity) <= (range.to ?? Infinity))
    .sort((a, b) => (a.window?.index ?? 0) - (b.window?.index ?? 0));
  if (windows.length === 0) throw new MlcycleError('not_found', `monitor ${monitor} has no stored window${range.from === undefined && range.to === undefined ? '' : ` from ${range.from ?? 0} to ${range.to ?? 'the last'}`} with profiles (\`mlcycle monitor run ${monitor}\` computes them)`);
  const random = seededRandom(1);
  const merged = new Map<string, ColumnProfile>();
  for (const report of windows) {
    for (const [column, profile] of Object.entries(report.profiles ?? {})) {
      const before = merged.get(column);
      merged.set(column, before === undefined ? profile : mergeProfiles(before, profile, random));
    }
  }
  const columns = [...merged].map(([column, profile]): MergedColumn => {
    const numeric = profile.kind === 'numeric' && profile.count > 0 && profile.quantiles !== null;
    return {
      column,
      kind: profile.kind,
      count: profile.count,
      missing: profile.missing,
      mean: profile.kind === 'numeric' && profile.count > 0 ? profile.mean : null,
      std: profile.kind === 'numeric' && profile.count > 0 ? profileStandardDeviation(profile) : null,
      min: numeric ? profile.min : null,
      max: numeric ? profile.max : null,
      quantiles: numeric && profile.quantiles !== null ? { p5: kllQuantile(profile.quantiles, 0.05), p50: kllQuantile(profile.quantiles, 0.5), p95: kllQuantile(profile.quantiles, 0.95) } : null,
      top: profile.frequent === null ? null : Object.entries(profile.frequent).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([value, count]) => ({ value, count })),
      frequentError: profile.frequentError,
    };
  });
  return { windows: windows.map((report) => report.window?.index ?? -1), columns };
}
