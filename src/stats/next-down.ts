/** Neighbouring doubles. */

/** The largest double below x (C's `nextafter(x, -Infinity)`, numpy's `nextafter(x, x - 1)`); NaN and -Infinity stay. */
export function nextDown(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return x;
  if (x === 0) return -Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigInt64(0);
  view.setBigInt64(0, x > 0 ? bits - 1n : bits + 1n);
  return view.getFloat64(0);
}
