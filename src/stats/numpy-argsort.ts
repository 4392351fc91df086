/**
 * numpy 1.24's default `argsort` (kind 'quicksort', numpy/core/src/npysort/quicksort.cpp `aquicksort_`):
 * an introsort of indices, median-of-three partitions down to 16 elements (SMALL_QUICKSORT 15), insertion sort below, heapsort
 * past a depth of twice the size's highest bit. It is not stable: equal values come out in the order
 * this exact procedure leaves them, which is what an algorithm ported from numpy needs to reproduce when
 * ties matter (Optuna's Parzen bandwidths give equal centres different widths by that order). NaN sorts
 * last, as numpy's `less` has it.
 */

const SMALL_QUICKSORT = 15;

function less(a: number, b: number): boolean {
  return a < b || (b !== b && a === a);
}

/** numpy's `aheapsort_` on tosort[first, first + n). */
function heapsort(v: ArrayLike<number>, tosort: Int32Array, first: number, n: number): void {
  // 1-based heap over tosort[first - 1 + 1 ... first - 1 + n].
  const base = first - 1;
  const at = (k: number): number => tosort[base + k] as number;
  let i: number;
  let j: number;
  let tmp: number;
  for (let l = n >> 1; l > 0; --l) {
    tmp = at(l);
    for (i = l, j = l << 1; j <= n; ) {
      if (j < n && less(v[at(j)] as number, v[at(j + 1)] as number)) j += 1;
      if (less(v[tmp] as number, v[at(j)] as number)) {
        tosort[base + i] = at(j);
        i = j;
        j += j;
      } else break;
    }
    tosort[base + i] = tmp;
  }
  for (let size = n; size > 1; ) {
    tmp = at(size);
    tosort[base + size] = at(1);
    size -= 1;
    for (i = 1, j = 2; j <= size; ) {
      if (j < size && less(v[at(j)] as number, v[at(j + 1)] as number)) j++;
      if (less(v[tmp] as number, v[at(j)] as number)) {
        tosort[base + i] = at(j);
        i = j;
        j += j;
      } else break;
    }
    tosort[base + i] = tmp;
  }
}

/** The indices that sort `v` ascending, in the order numpy 1.24's `np.argsort(v)` returns them. */
export function numpyArgsort(v: ArrayLike<number>): Int32Array {
  const num = v.length;
  const tosort = Int32Array.from({ length: num }, (_, index) => index);
  if (num < 2) return tosort;
  const swap = (a: number, b: number): void => {
    const t = tosort[a] as number;
    tosort[a] = tosort[b] as number;
    tosort[b] = t;
  };
  const value = (position: number): number => v[tosort[position] as number] as number;
  const stack: number[] = [];
  const depths: number[] = [];
  let pl = 0;
  let pr = num - 1;
  let cdepth = 2 * (31 - Math.clz32(num));
  for (;;) {
    if (cdepth < 0) {
      heapsort(v, tosort, pl, pr - pl + 1);
    } else {
      while (pr - pl > SMALL_QUICKSORT) {
        const pm = pl + ((pr - pl) >> 1);
        if (less(value(pm), value(pl))) swap(pm, pl);
        if (less(value(pr), value(pm))) swap(pr, pm);
        if (less(value(pm), value(pl))) swap(pm, pl);
        const vp = value(pm);
        let pi = pl;
        let pj = pr - 1;
        swap(pm, pj);
        for (;;) {
          do ++pi;
          while (less(value(pi), vp));
          do --pj;
          while (less(vp, value(pj)));
          if (pi >= pj) break;
          swap(pi, pj);
        }
        swap(pi, pr - 1);
        // The larger part waits on the stack.
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1);
          pl = pi + 1;
        }
        depths.push(--cdepth);
      }
      for (let pi = pl + 1; pi <= pr; ++pi) {
        const vi = tosort[pi] as number;
        const vp = v[vi] as number;
        let pj = pi;
        let pk = pi - 1;
        while (pj > pl && less(vp, value(pk))) tosort[pj--] = tosort[pk--] as number;
        tosort[pj] = vi;
      }
    }
    if (stack.length === 0) break;
    pr = stack.pop() as number;
    pl = stack.pop() as number;
    cdepth = depths.pop() as number;
  }
  return tosort;
}
