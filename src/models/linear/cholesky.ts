/** Solving symmetric positive definite systems by Cholesky factorisation, in place on typed arrays. */

/**
 * Solves A x = b for a symmetric positive definite n x n matrix A (row-major). A and b are overwritten
 * (A by its factor L, b by x). Returns false when A is not positive definite.
 */
export function solveCholesky(a: Float64Array, b: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let diagonal = a[j * n + j] ?? 0;
    for (let k = 0; k < j; k++) diagonal -= (a[j * n + k] ?? 0) ** 2;
    if (!(diagonal > 0)) return false;
    const root = Math.sqrt(diagonal);
    a[j * n + j] = root;
    for (let i = j + 1; i < n; i++) {
      let sum = a[i * n + j] ?? 0;
      for (let k = 0; k < j; k++) sum -= (a[i * n + k] ?? 0) * (a[j * n + k] ?? 0);
      a[i * n + j] = sum / root;
    }
  }
  // Forward substitution L y = b, then back substitution L^T x = y.
  for (let i = 0; i < n; i++) {
    let sum = b[i] ?? 0;
    for (let k = 0; k < i; k++) sum -= (a[i * n + k] ?? 0) * (b[k] ?? 0);
    b[i] = sum / (a[i * n + i] ?? 1);
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[i] ?? 0;
    for (let k = i + 1; k < n; k++) sum -= (a[k * n + i] ?? 0) * (b[k] ?? 0);
    b[i] = sum / (a[i * n + i] ?? 1);
  }
  return true;
}
