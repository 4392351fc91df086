/**
 * Slices: the candidate's metrics per segment (each distinct value of a segment column), with intervals
 * and sample sizes, and two flags per segment on the primary metric:
 *   - worse than overall: the segment's figure minus the candidate's overall figure, and
 *   - worse than the champion: the candidate minus the champion on the segment's rows,
 * each tested one-sided with the bootstrap (the p-value is the share of replicates in which the segment
 * is not worse, (1 + count) / (1 + replicates), which rejects at alpha exactly when the one-sided
 * percentile interval excludes 0), then Holm-adjusted over every segment of every column (Holm 1979),
 * so that many segments do not make a flag likely by chance. The bootstrap counts are shared with the
 * overall figures, which keeps the overlap of a segment with the whole in the test.
 */
import { percentileInterval } from '../stats/bootstrap.js';
import type { MetricEstimates } from './bootstrap-metrics.js';
import type { EvaluationRows, PreparedMetrics } from './prepared-metrics.js';

export interface SegmentComparison {
  /** Oriented as computed: segment minus overall, or candidate minus champion, on the primary metric. */
  difference: number;
  lower: number;
  upper: number;
  pValue: number;
  adjustedPValue: number;
  worse: boolean;
}

export interface SliceSegment {
  value: string;
  rows: number;
  metrics: MetricEstimates;
  versusOverall: SegmentComparison;
  versusChampion?: SegmentComparison;
}

export interface SliceColumn {
  column: string;
  segments: SliceSegment[];
  /** Segments below the minimum row count: listed, not evaluated. */
  tooSmall: { value: string; rows: number }[];
}

interface PlannedSegment {
  column: string;
  value: string;
  rows: number;
  candidate: PreparedMetrics;
  champion?: PreparedMetrics;
  point: Record<string, number>;
  championPoint?: Record<string, number>;
  replicates: Record<string, Float64Array>;
  championReplicates?: Float64Array;
}

export interface SliceAssembly {
  level: number;
  alpha: number;
  primaryMetric: string;
  higherIsBetter: boolean;
  /** The candidate's overall replicates of the primary metric, from the same counts. */
  overall: Float64Array;
  overallEstimate: number;
  adjust: (pValues: readonly number[]) => number[];
}

export interface SlicePlan {
  resample(replicate: number, counts: Float64Array, resamples: number): void;
  assemble(assembly: SliceAssembly): SliceColumn[];
}

/** Row indices per distinct value of a column; missing values form the segment "(missing)". */
function segmentRows(values: ArrayLike<string | number | null>): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (let row = 0; row < values.length; row++) {
    const raw = values[row];
    const key = raw === null || raw === undefined || (typeof raw === 'number' && Number.isNaN(raw)) ? '(missing)' : String(raw);
    let rows = groups.get(key);
    if (rows === undefined) groups.set(key, (rows = []));
    rows.push(row);
  }
  return groups;
}

/** One-sided bootstrap p-value that `differences` (oriented so that negative is worse) are not below 0. */
function worseTest(point: number, differences: Float64Array, level: number, up: boolean): Omit<SegmentComparison, 'adjustedPValue' | 'worse'> {
  const interval = percentileInterval(differences, level);
  let notWorse = 0;
  let defined = 0;
  for (const value of differences) {
    if (!Number.isFinite(value)) continue;
    defined++;
    if ((up ? value : -value) >= 0) notWorse++;
  }
  return { difference: point, lower: interval.lower, upper: interval.upper, pValue: (1 + notWorse) / (1 + defined) };
}

/** Plans the segments of every column; `prepare` makes the candidate's (and champion's) metrics for a segment's rows. */
export function planSlices(
  data: EvaluationRows,
  segments: Readonly<Record<string, ArrayLike<string | number | null>>>,
  minRows: number,
  prepare: (subset: Uint32Array) => { candidate: PreparedMetrics; champion?: PreparedMetrics },
): SlicePlan {
  const planned: PlannedSegment[] = [];
  const tooSmall = new Map<string, { value: string; rows: number }[]>();
  const columns = Object.keys(segments);
  for (const column of columns) {
    tooSmall.set(column, []);
    const groups = [...segmentRows(segments[column] as ArrayLike<string | number | null>)].sort(([a], [b]) => a.localeCompare(b));
    for (const [value, rows] of groups) {
      if (rows.length < minRows || (data.task === 'binary' && !hasBothClasses(data.labels, rows))) {
        tooSmall.get(column)?.push({ value, rows: rows.length });
        continue;
      }
      const models = prepare(Uint32Array.from(rows));
      const point = models.candidate.compute();
      planned.push({
        column,
        value,
        rows: rows.length,
        candidate: models.candidate,
        point,
        replicates: {},
        ...(models.champion === undefined ? {} : { champion: models.champion, championPoint: models.champion.compute() }),
      });
    }
  }
  return {
    resample(replicate, counts, resamples) {
      for (const segment of planned) {
        const values = segment.candidate.compute(counts);
        for (const [name, value] of Object.entries(values)) (segment.replicates[name] ??= new Float64Array(resamples))[replicate] = value;
        if (segment.champion !== undefined) {
          // Only the difference on the primary metric is needed; keep the champion's whole row of values.
          const championValues = segment.champion.compute(counts);
          segment.championReplicates ??= new Float64Array(resamples * Object.keys(championValues).length);
          Object.values(championValues).forEach((value, index) => ((segment.championReplicates as Float64Array)[index * resamples + replicate] = value));
        }
      }
    },
    assemble({ level, alpha, primaryMetric, higherIsBetter: up, overall, overallEstimate, adjust }) {
      const comparisons = planned.map((segment) => {
        const own = segment.replicates[primaryMetric] ?? new Float64Array(0);
        const metrics: MetricEstimates = Object.fromEntries(Object.entries(segment.point).map(([name, estimate]) => [name, { estimate, ...percentileInterval(segment.replicates[name] ?? new Float64Array(0), level) }]));
        const versusOverall = worseTest(
          (segment.point[primaryMetric] as number) - overallEstimate,
          Float64Array.from(own, (value, index) => value - (overall[index] as number)),
          level,
          up,
        );
        let versusChampion: ReturnType<typeof worseTest> | undefined;
        if (segment.championPoint !== undefined && segment.championReplicates !== undefined) {
          const index = Object.keys(segment.championPoint).indexOf(primaryMetric);
          const resamples = own.length;
          const champion = segment.championReplicates.subarray(index * resamples, (index + 1) * resamples);
          versusChampion = worseTest((segment.point[primaryMetric] as number) - (segment.championPoint[primaryMetric] as number), Float64Array.from(own, (value, row) => value - (champion[row] as number)), level, up);
        }
        return { segment, metrics, versusOverall, versusChampion };
      });
      const overallAdjusted = adjust(comparisons.map((comparison) => comparison.versusOverall.pValue));
      const championTests = comparisons.filter((comparison) => comparison.versusChampion !== undefined);
      const championAdjusted = adjust(championTests.map((comparison) => (comparison.versusChampion as { pValue: number }).pValue));
      return columns.map((column) => ({
        column,
        tooSmall: tooSmall.get(column) ?? [],
        segments: comparisons
          .map((comparison, index) => ({ comparison, index }))
          .filter(({ comparison }) => comparison.segment.column === column)
          .map(({ comparison, index }) => {
            const adjustedOverall = overallAdjusted[index] as number;
            const segment: SliceSegment = {
              value: comparison.segment.value,
              rows: comparison.segment.rows,
              metrics: comparison.metrics,
              versusOverall: { ...comparison.versusOverall, adjustedPValue: adjustedOverall, worse: adjustedOverall < alpha },
            };
            if (comparison.versusChampion !== undefined) {
              const adjusted = championAdjusted[championTests.indexOf(comparison)] as number;
              segment.versusChampion = { ...comparison.versusChampion, adjustedPValue: adjusted, worse: adjusted < alpha };
            }
            return segment;
          }),
      }));
    },
  };
}

function hasBothClasses(labels: Float64Array, rows: readonly number[]): boolean {
  let positive = false;
  let negative = false;
  for (const row of rows) {
    if ((labels[row] as number) > 0.5) positive = true;
    else negative = true;
    if (positive && negative) return true;
  }
  return false;
}
