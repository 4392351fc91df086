/**
 * Compute cost of a candidate from its learning-curve runs: training time and peak memory measured at each
 * size, extrapolated to the full data and beyond. Time is fitted twice by least squares: as a power law,
 * seconds = k * rows^p (a straight line in log-log, so p near 1 is linear and near 2 quadratic), and as
 * fixed costs plus per-row work, seconds = fixed + perRow * rows. A projection takes the larger of the
 * two: the power law catches growth faster than linear; where fixed costs (per round, tree or leaf) dominate
 * the measured sizes, its exponent falls under 1 and its projection runs low, and the second fit carries
 * the per-row work forward (the demo's trees: 1.5 s projected by the power law on 1,978,941 rows against
 * 28.7 s measured in stage 6). Memory follows bytes = fixed + perRow * rows. All are descriptive fits of
 * measurements on this machine, not promises: the extrapolations say so by carrying the exponent.
 */
export interface CostMeasurement {
  rows: number;
  seconds: number;
  peakBytes: number;
}

export interface CostProjection {
  rows: number;
  seconds: number;
  peakBytes: number;
}

export interface ComputeCost {
  /** The exponent p of seconds = k * rows^p. */
  timeExponent: number;
  /** The fit seconds = fixedSeconds + secondsPerRow * rows. */
  fixedSeconds: number;
  secondsPerRow: number;
  /** Bytes of peak memory per training row, from the linear fit. */
  bytesPerRow: number;
  fixedBytes: number;
  /** Measured seconds per 1,000 rows at the largest size. */
  secondsPerThousandRows: number;
  projections: CostProjection[];
}

/** Fits time and memory against rows and projects them to each of `targetRows`; needs two sizes at least. */
export function estimateComputeCost(measurements: readonly CostMeasurement[], targetRows: readonly number[]): ComputeCost | undefined {
  const usable = measurements.filter((measurement) => measurement.rows > 0 && measurement.seconds > 0 && Number.isFinite(measurement.peakBytes));
  if (new Set(usable.map((measurement) => measurement.rows)).size < 2) return undefined;
  const time = leastSquares(usable.map((measurement) => Math.log(measurement.rows)), usable.map((measurement) => Math.log(measurement.seconds)));
  const affine = leastSquares(usable.map((measurement) => measurement.rows), usable.map((measurement) => measurement.seconds));
  const memory = leastSquares(usable.map((measurement) => measurement.rows), usable.map((measurement) => measurement.peakBytes));
  const largest = usable.reduce((best, measurement) => (measurement.rows > best.rows ? measurement : best));
  const seconds = (rows: number) => Math.max(Math.exp(time.intercept + time.slope * Math.log(rows)), affine.intercept + affine.slope * rows);
  return {
    timeExponent: time.slope,
    fixedSeconds: affine.intercept,
    secondsPerRow: affine.slope,
    bytesPerRow: memory.slope,
    fixedBytes: memory.intercept,
    secondsPerThousandRows: (1000 * largest.seconds) / largest.rows,
    projections: targetRows.map((rows) => ({ rows, seconds: seconds(rows), peakBytes: Math.max(0, memory.intercept + memory.slope * rows) })),
  };
}

function leastSquares(x: readonly number[], y: readonly number[]): { intercept: number; slope: number } {
  const meanX = x.reduce((sum, value) => sum + value, 0) / x.length;
  const meanY = y.reduce((sum, value) => sum + value, 0) / y.length;
  let sxx = 0;
  let sxy = 0;
  x.forEach((value, index) => {
    sxx += (value - meanX) ** 2;
    sxy += (value - meanX) * ((y[index] as number) - meanY);
  });
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { intercept: meanY - slope * meanX, slope };
}
